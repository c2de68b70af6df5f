// wasi:io/streams: input and output streams over files and the standard streams.
import CapComponent
import CapStd

/// Why a stream operation failed: `closed` at the end of input, or an error the guest can
/// inspect through `wasi:io/error` and `filesystem-error-code`.
enum StreamError: Error {
    case failed(StreamFailure)
    case closed
}

/// The host object behind a `wasi:io/error.error` handle.
struct StreamFailure: Sendable {
    /// What `filesystem-error-code` tells the guest.
    let code: FilesystemErrorCode
    let message: String

    init(_ code: FilesystemErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }
}

/// The host object behind an `input-stream`: a file read from an offset, or standard input.
final class InputStream {
    enum Source {
        case file(File, offset: Int64)
        case standardInput
    }

    private var source: Source?

    init(_ source: Source) {
        self.source = source
    }

    /// Whether it reads standard input (and is not closed).
    var isStandardInput: Bool {
        if case .standardInput? = source { true } else { false }
    }

    /// Reads up to `count` bytes; `closed` at the end (a file's end, or a closed stream).
    func read(_ count: Int, _ policy: InstancePolicy) -> Result<[UInt8], StreamError> {
        guard let source else { return .failure(.closed) }
        guard count > 0 else { return .success([]) }
        var buffer = [UInt8](repeating: 0, count: min(count, 1 << 20))
        switch source {
        case .file(let file, let offset):
            let read: Int
            do {
                read = try buffer.withUnsafeMutableBytes { bytes in
                    Result { () throws(CapStdError) in try file.read(into: bytes, at: offset) }
                }.get()
            } catch {
                return .failure(.failed(StreamFailure(FilesystemErrorCode(error), error.description)))
            }
            guard read > 0 else { return .failure(.closed) }
            self.source = .file(file, offset: offset + Int64(read))
            buffer.removeLast(buffer.count - read)
        case .standardInput:
            let read = buffer.withUnsafeMutableBytes { policy.readStandardInput(into: $0) }
            guard read > 0 else { return .failure(.closed) }
            buffer.removeLast(buffer.count - read)
        }
        return .success(buffer)
    }

    func close() {
        if case .file(let file, _)? = source { file.close() }
        source = nil
    }
}

/// The host object behind an `output-stream`: a file written at an offset or appended to, or
/// standard output or error.
final class OutputStream {
    enum Sink {
        case file(File, offset: Int64, append: Bool)
        case standard(InstancePolicy.StandardOutput)
    }

    private var sink: Sink?

    /// The standard stream it writes, if it writes one (and is not closed).
    var standardOutput: InstancePolicy.StandardOutput? {
        if case .standard(let output)? = sink { output } else { nil }
    }
    /// How denials name the file: the guest's path and its preopen.
    let guestPath: String
    let preopen: String

    /// What `check-write` allows at once; writes are synchronous, so this only bounds the copy.
    static let writeBudget: UInt64 = 1 << 20

    init(_ sink: Sink, guestPath: String, preopen: String) {
        self.sink = sink
        self.guestPath = guestPath
        self.preopen = preopen
    }

    var isClosed: Bool { sink == nil }

    /// Writes all of `bytes`, or as much as the write quota allows and then fails with `DQUOT`.
    func write(_ bytes: UnsafeRawBufferPointer, _ policy: InstancePolicy, _ operation: String) -> Result<Void, StreamError> {
        guard let sink else { return .failure(.closed) }
        switch sink {
        case .standard(let output):
            _ = policy.writeStandard(output, bytes)
            return .success(())
        case .file(let file, let offset, let append):
            var written = 0
            defer { self.sink = .file(file, offset: offset + Int64(written), append: append) }
            do throws(FilesystemFailure) {
                try policy.write(bytes.count, operation, guestPath: guestPath, preopen: preopen, written: &written) {
                    allowed, written throws(CapStdError) in
                    while written < allowed {
                        let rest = UnsafeRawBufferPointer(rebasing: bytes[written..<allowed])
                        let count = append ? try file.append(rest) : try file.write(rest, at: offset + Int64(written))
                        guard count > 0 else { break }
                        written += count
                    }
                }
            } catch {
                return .failure(.failed(StreamFailure(error.code, error.description)))
            }
            guard written == bytes.count else {
                let reason = "writing \(bytes.count) bytes exceeds the write quota"
                policy.deny(operation, guestPath: guestPath, preopen: preopen, reason: reason, FilesystemFailure(.quota))
                return .failure(.failed(StreamFailure(.quota, reason)))
            }
            return .success(())
        }
    }

    func close() {
        if case .file(let file, _, _)? = sink { file.close() }
        sink = nil
    }
}

extension Preview2Host {
    /// `stream-error`'s cases in the order the WIT declares them.
    private enum StreamErrorCase: Int {
        case lastOperationFailed, closed
    }

    /// The `stream-error` value: `last-operation-failed(own<error>)` or `closed`.
    func streamError(_ error: StreamError) throws -> ComponentValue {
        switch error {
        case .closed: return .variant(case: StreamErrorCase.closed.rawValue, payload: nil)
        case .failed(let failure):
            return .variant(case: StreamErrorCase.lastOperationFailed.rawValue, payload: try own(.error(failure), types.error))
        }
    }

    func streamResult(_ result: Result<Void, StreamError>) throws -> ComponentValue {
        switch result {
        case .success: return .ok()
        case .failure(let error): return .err(try streamError(error))
        }
    }

    func bindStreams(to linker: ComponentLinker) {
        let streams = "wasi:io/streams"
        let read = { (host: Preview2Host, stream: InputStream, count: UInt64) throws -> ComponentValue? in
            switch stream.read(Int(clamping: count), host.policy) {
            case .success(let bytes): return .ok(.bytes(bytes))
            case .failure(let error): return .err(try host.streamError(error))
            }
        }
        define(linker, streams, "[method]input-stream.read", read)
        define(linker, streams, "[method]input-stream.blocking-read", read)
        let skip = { (host: Preview2Host, stream: InputStream, count: UInt64) throws -> ComponentValue? in
            var left = count
            var skipped: UInt64 = 0
            while left > 0 {
                switch stream.read(Int(clamping: min(left, 1 << 20)), host.policy) {
                case .success(let bytes):
                    skipped += UInt64(bytes.count)
                    left -= UInt64(bytes.count)
                case .failure(let error):
                    if skipped > 0, case .closed = error { return .ok(.u64(skipped)) }
                    return .err(try host.streamError(error))
                }
            }
            return .ok(.u64(skipped))
        }
        define(linker, streams, "[method]input-stream.skip", skip)
        define(linker, streams, "[method]input-stream.blocking-skip", skip)
        define(linker, streams, "[method]input-stream.subscribe") { (host, _: InputStream) in
            try host.own(.pollable(.ready), host.types.pollable)
        }

        define(linker, streams, "[method]output-stream.check-write") { (host, stream: OutputStream) in
            stream.isClosed ? .err(try host.streamError(.closed)) : .ok(.u64(OutputStream.writeBudget))
        }
        let write = { (host: Preview2Host, stream: OutputStream, bytes: GuestBytes) throws -> ComponentValue? in
            try host.streamResult(stream.write(bytes.buffer, host.policy, "output-stream.write"))
        }
        define(linker, streams, "[method]output-stream.write", write)
        define(linker, streams, "[method]output-stream.blocking-write-and-flush", write)
        let flush = { (host: Preview2Host, stream: OutputStream) throws -> ComponentValue? in
            stream.isClosed ? .err(try host.streamError(.closed)) : .ok()
        }
        define(linker, streams, "[method]output-stream.flush", flush)
        define(linker, streams, "[method]output-stream.blocking-flush", flush)
        define(linker, streams, "[method]output-stream.subscribe") { (host, _: OutputStream) in
            try host.own(.pollable(.ready), host.types.pollable)
        }
        let writeZeroes = { (host: Preview2Host, stream: OutputStream, count: UInt64) throws -> ComponentValue? in
            guard count <= OutputStream.writeBudget else {
                throw Preview2Trap("\(count) bytes is more than check-write allowed (\(OutputStream.writeBudget))")
            }
            let zeroes = [UInt8](repeating: 0, count: Int(count))
            return try host.streamResult(zeroes.withUnsafeBytes { stream.write($0, host.policy, "output-stream.write-zeroes") })
        }
        define(linker, streams, "[method]output-stream.write-zeroes", writeZeroes)
        define(linker, streams, "[method]output-stream.blocking-write-zeroes-and-flush", writeZeroes)
        let splice = { (host: Preview2Host, output: OutputStream, input: InputStream, count: UInt64) throws -> ComponentValue? in
            switch input.read(Int(clamping: min(count, OutputStream.writeBudget)), host.policy) {
            case .success(let bytes):
                switch bytes.withUnsafeBytes({ output.write($0, host.policy, "output-stream.splice") }) {
                case .success: return .ok(.u64(UInt64(bytes.count)))
                case .failure(let error): return .err(try host.streamError(error))
                }
            case .failure(let error): return .err(try host.streamError(error))
            }
        }
        define(linker, streams, "[method]output-stream.splice", splice)
        define(linker, streams, "[method]output-stream.blocking-splice", splice)
    }
}

extension InputStream: HostResourceArgument {
    static func extract(_ resource: HostResource) -> InputStream? {
        guard case .inputStream(let stream) = resource else { return nil }
        return stream
    }
    static var witName: String { "an input stream" }
}

extension OutputStream: HostResourceArgument {
    static func extract(_ resource: HostResource) -> OutputStream? {
        guard case .outputStream(let stream) = resource else { return nil }
        return stream
    }
    static var witName: String { "an output stream" }
}
