// What one guest instance may do and has used, shared by the preview 1 and WASI 0.2 hosts.
import CapComponent
import CapStd

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The policies of one guest instance that do not depend on how the guest calls the host:
/// denial reports, the write quota, the standard streams and the interrupter (deadline and
/// cancellation). The preview 1 host
/// and the WASI 0.2 host each keep one, so a component and a module given the same
/// ``WASIConfiguration`` are held to the same rules and reported the same way.
///
/// Confined to the thread running the instance.
final class InstancePolicy {
    /// Where a guest writes besides its files: standard output or standard error.
    enum StandardOutput {
        case output
        case error

        /// The host process's own descriptor, for a stream the configuration inherits.
        var hostDescriptor: Int32 { self == .output ? 1 : 2 }
    }

    /// The WASI version a host speaks, which names the failures its guest is told.
    enum Version {
        /// `wasi_snapshot_preview1`: errnos, an escape `ERRNO_NOTCAPABLE`.
        case preview1
        /// WASI 0.2: `error-code`, an escape `not-permitted` (recorded as `ERRNO_PERM`).
        case preview2
    }

    let configuration: WASIConfiguration
    let version: Version
    let sink: DenialSink?
    /// The run's deadline and cancellation, which every host call checks.
    let interrupter: Interrupter
    private(set) var denials: [Denial] = []
    /// Bytes written and entries created so far, counted against the write quota by
    /// ``write(_:_:guestPath:preopen:written:_:)``, ``resize(_:to:shrink:_:guestPath:preopen:)`` and
    /// ``createEntry(_:guestPath:preopen:_:)``.
    private(set) var bytesWritten: Int64 = 0
    private(set) var entriesCreated = 0
    /// Standard output and error, where the configuration captures them.
    private(set) var capturedOutput: [UInt8] = []
    private(set) var capturedError: [UInt8] = []
    private var stdinOffset = 0

    init(configuration: WASIConfiguration, version: Version, sink: DenialSink?, interrupter: Interrupter) {
        self.configuration = configuration
        self.version = version
        self.sink = sink
        self.interrupter = interrupter
    }

    // MARK: Denials

    /// Records a refused operation and hands it to the sink.
    func deny(_ operation: String, guestPath: String, preopen: String, reason: String, errno: WASIErrno, errorCode: String? = nil) {
        let denial = Denial(
            instance: configuration.instanceName, operation: operation, guestPath: guestPath, preopen: preopen,
            reason: reason, errno: errno, errorCode: errorCode)
        denials.append(denial)
        sink?(denial)
    }

    /// Records a refused filesystem operation with what the guest is told, in its version's
    /// terms: preview 1's errno, or WASI 0.2's `error-code` (and its errno).
    func deny(_ operation: String, guestPath: String, preopen: String, reason: String, _ failure: FilesystemFailure) {
        switch version {
        case .preview1:
            deny(operation, guestPath: guestPath, preopen: preopen, reason: reason, errno: WASIErrno(failure))
        case .preview2:
            deny(
                operation, guestPath: guestPath, preopen: preopen, reason: reason, errno: WASIErrno(failure.code),
                errorCode: failure.code.name)
        }
    }

    /// Whether a CapStd failure is one the embedder hears about: an escape, a change to a
    /// read-only tree, or an absolute symlink target.
    static func isDenial(_ error: CapStdError) -> Bool {
        error.isEscape || error.code == .readOnly || error.code == .absoluteSymlinkTarget
    }

    /// A CapStd failure as the guest hears it; escapes and read-only refusals are reported.
    func fail(_ operation: String, guestPath: String, preopen: String, _ error: CapStdError) -> FilesystemFailure {
        let failure = FilesystemFailure(error)
        if Self.isDenial(error) {
            deny(operation, guestPath: guestPath, preopen: preopen, reason: error.description, failure)
        }
        return failure
    }

    // MARK: Write quota

    /// Runs `write`, which writes at most `allowed` bytes of the `requested` ones (as many as
    /// the write quota leaves) and adds what it wrote to `written`, and counts them against the
    /// quota, also when it fails part way. `quota` (reported) when none may be written.
    func write(
        _ requested: Int, _ operation: String, guestPath: String, preopen: String, written: inout Int,
        _ write: (_ allowed: Int, _ written: inout Int) throws(CapStdError) -> Void
    ) throws(FilesystemFailure) {
        var allowed = requested
        if let quota = configuration.writeQuota {
            let left = quota.maxBytes - bytesWritten
            if left <= 0 && requested > 0 {
                let failure = FilesystemFailure(.quota, "the write quota of \(quota.maxBytes) bytes is used up")
                deny(operation, guestPath: guestPath, preopen: preopen, reason: failure.description, failure)
                throw failure
            }
            allowed = Int(min(Int64(requested), left))
        }
        let before = written
        defer { bytesWritten += Int64(written - before) }
        do { try write(allowed, &written) } catch { throw fail(operation, guestPath: guestPath, preopen: preopen, error) }
    }

    /// Sets a file's length, counting growth against the write quota; a length below the
    /// current one shrinks the file only when `shrink` is set.
    func resize(
        _ file: File, to length: Int64, shrink: Bool, _ operation: String, guestPath: String, preopen: String
    ) throws(FilesystemFailure) {
        let current: Int64
        do { current = try file.metadata().size } catch { throw fail(operation, guestPath: guestPath, preopen: preopen, error) }
        if length <= current && !shrink { return }
        let growth = max(0, length - current)
        if growth > 0, let quota = configuration.writeQuota, growth > quota.maxBytes - bytesWritten {
            let reason =
                bytesWritten >= quota.maxBytes
                ? "the write quota of \(quota.maxBytes) bytes is used up" : "growing by \(growth) bytes exceeds the write quota"
            let failure = FilesystemFailure(.quota, reason)
            deny(operation, guestPath: guestPath, preopen: preopen, reason: reason, failure)
            throw failure
        }
        do { try file.setLength(length) } catch { throw fail(operation, guestPath: guestPath, preopen: preopen, error) }
        bytesWritten += growth
    }

    /// Runs `create`, which makes one new entry (a file, directory or link), if the write
    /// quota allows one more, and counts it; `quota` (reported) when not.
    func createEntry<Created>(
        _ operation: String, guestPath: String, preopen: String, _ create: () throws(FilesystemFailure) -> Created
    ) throws(FilesystemFailure) -> Created {
        if let quota = configuration.writeQuota, entriesCreated >= quota.maxEntries {
            let failure = FilesystemFailure(.quota, "the quota of \(quota.maxEntries) new entries is used up")
            deny(operation, guestPath: guestPath, preopen: preopen, reason: failure.description, failure)
            throw failure
        }
        let created = try create()
        entriesCreated += 1
        return created
    }

    // MARK: Standard streams

    /// Writes to standard output or error as the configuration says; returns the bytes taken
    /// (all of them, except when writing to an inherited descriptor fails).
    func writeStandard(_ output: StandardOutput, _ bytes: UnsafeRawBufferPointer) -> Int {
        switch output == .output ? configuration.stdout : configuration.stderr {
        case .inherit: return HostStreams.write(output.hostDescriptor, bytes)
        case .capture:
            switch output {
            case .output: capturedOutput.append(contentsOf: bytes)
            case .error: capturedError.append(contentsOf: bytes)
            }
            return bytes.count
        case .null, .bytes: return bytes.count
        }
    }

    /// Reads standard input as the configuration says; 0 at its end.
    func readStandardInput(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        switch configuration.stdin {
        case .inherit: return HostStreams.read(0, into: buffer)
        case .bytes(let bytes):
            let count = min(buffer.count, bytes.count - stdinOffset)
            buffer.copyBytes(from: bytes[stdinOffset..<stdinOffset + count])
            stdinOffset += count
            return count
        case .null, .capture: return 0
        }
    }

    // MARK: Clocks

    /// `CLOCK_MONOTONIC` in nanoseconds.
    static func monotonicNow() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    /// Sleeps until `CLOCK_MONOTONIC` reaches `wake` nanoseconds; throws ``Interrupted`` as soon
    /// as the deadline passes or the run is cancelled.
    func sleep(untilMonotonic wake: UInt64) throws(Interrupted) {
        let now = Self.monotonicNow()
        let left = wake > now ? Duration.nanoseconds(Int64(clamping: wake - now)) : .zero
        try interrupter.sleep(until: ContinuousClock.now + left)
    }

    // MARK: Randomness

    /// Fills `buffer` from the system's cryptographically secure generator.
    static func fillRandom(_ buffer: UnsafeMutableRawBufferPointer) {
        var generator = SystemRandomNumberGenerator()
        var index = 0
        while index < buffer.count {
            let word = generator.next()
            for byte in 0..<min(8, buffer.count - index) {
                buffer[index + byte] = UInt8(truncatingIfNeeded: word >> (8 * UInt64(byte)))
            }
            index += 8
        }
    }
}
