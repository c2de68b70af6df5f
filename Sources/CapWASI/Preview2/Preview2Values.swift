// Reading WASI 0.2 arguments out of ComponentValues and building results, with one error-code map.
import CapComponent

/// A host function was called with arguments its WASI type does not allow; the guest traps.
struct Preview2Trap: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// `wasi:filesystem/types.error-code`, whose case order is the WIT's. Preview 1 errnos map onto
/// it one to one where both have a case, so a guest hears the same failure through either ABI.
enum FilesystemErrorCode: Int {
    case access, wouldBlock, already, badDescriptor, busy, deadlock, quota, exist, fileTooLarge
    case illegalByteSequence, inProgress, interrupted, invalid, io, isDirectory, loop, tooManyLinks
    case messageSize, nameTooLong, noDevice, noEntry, noLock, insufficientMemory, insufficientSpace
    case notDirectory, notEmpty, notRecoverable, unsupported, noTTY, noSuchDevice, overflow
    case notPermitted, pipe, readOnly, invalidSeek, textFileBusy, crossDevice

    /// The 0.2 error for a preview 1 errno. An escape (`NOTCAPABLE` in preview 1) is
    /// `not-permitted`, Wasmtime's answer; the descriptor limit (`MFILE`, which 0.2 lacks) is
    /// `insufficient-memory`.
    init(_ errno: WASIErrno) {
        self = Self.fromErrno[errno.rawValue] ?? .io
    }

    private static let fromErrno: [UInt16: FilesystemErrorCode] = [
        WASIErrno.access.rawValue: .access, WASIErrno.again.rawValue: .wouldBlock,
        WASIErrno.badFileDescriptor.rawValue: .badDescriptor, WASIErrno.busy.rawValue: .busy,
        WASIErrno.quota.rawValue: .quota, WASIErrno.exists.rawValue: .exist, WASIErrno.fileTooBig.rawValue: .fileTooLarge,
        WASIErrno.illegalSequence.rawValue: .illegalByteSequence, WASIErrno.interrupted.rawValue: .interrupted,
        WASIErrno.invalid.rawValue: .invalid, WASIErrno.io.rawValue: .io, WASIErrno.isDirectory.rawValue: .isDirectory,
        WASIErrno.loop.rawValue: .loop, WASIErrno.tooManyLinks.rawValue: .tooManyLinks,
        WASIErrno.nameTooLong.rawValue: .nameTooLong, WASIErrno.noEntry.rawValue: .noEntry,
        WASIErrno.noMemory.rawValue: .insufficientMemory, WASIErrno.tooManyFiles.rawValue: .insufficientMemory,
        WASIErrno.fileTableOverflow.rawValue: .insufficientMemory, WASIErrno.noSpace.rawValue: .insufficientSpace,
        WASIErrno.notDirectory.rawValue: .notDirectory, WASIErrno.notEmpty.rawValue: .notEmpty,
        WASIErrno.notSupported.rawValue: .unsupported, WASIErrno.noSystemCall.rawValue: .unsupported,
        WASIErrno.notTTY.rawValue: .noTTY, WASIErrno.overflow.rawValue: .overflow,
        WASIErrno.notPermitted.rawValue: .notPermitted, WASIErrno.notCapable.rawValue: .notPermitted,
        WASIErrno.pipe.rawValue: .pipe, WASIErrno.readOnlyFileSystem.rawValue: .readOnly,
        WASIErrno.invalidSeek.rawValue: .invalidSeek, WASIErrno.textBusy.rawValue: .textFileBusy,
        WASIErrno.crossDevice.rawValue: .crossDevice, WASIErrno.fault.rawValue: .invalid,
        WASIErrno.tooBig.rawValue: .invalid,
    ]

    var value: ComponentValue { .enum(case: rawValue) }
}

extension ComponentValue {
    /// `ok(payload)` of a `result`.
    static func ok(_ payload: ComponentValue? = nil) -> ComponentValue { .result(.success(payload)) }

    /// `err(payload)` of a `result`.
    static func err(_ payload: ComponentValue?) -> ComponentValue { .result(.failure(ResultError(payload))) }

    /// `err(code)` of a `result<_, error-code>`.
    static func err(_ code: FilesystemErrorCode) -> ComponentValue { .err(code.value) }
}

/// The arguments of one host call, read by position with the type the WIT gives them.
struct Arguments {
    let values: [ComponentValue]
    let function: String

    init(_ values: [ComponentValue], _ function: String) {
        self.values = values
        self.function = function
    }

    private func mismatch(_ index: Int, _ expected: String) -> Preview2Trap {
        let got = index < values.count ? String(describing: values[index]).prefix(40) : "nothing"
        return Preview2Trap("\(function): argument \(index) should be \(expected), got \(got)")
    }

    /// The representation of an `own` or `borrow` handle.
    func handle(_ index: Int) throws(Preview2Trap) -> UInt32 {
        guard index < values.count else { throw mismatch(index, "a handle") }
        switch values[index] {
        case .own(let handle), .borrow(let handle): return handle.representation
        default: throw mismatch(index, "a handle")
        }
    }

    func u64(_ index: Int) throws(Preview2Trap) -> UInt64 {
        guard index < values.count, case .u64(let value) = values[index] else { throw mismatch(index, "a u64") }
        return value
    }

    func u32(_ index: Int) throws(Preview2Trap) -> UInt32 {
        guard index < values.count, case .u32(let value) = values[index] else { throw mismatch(index, "a u32") }
        return value
    }

    func u8(_ index: Int) throws(Preview2Trap) -> UInt8 {
        guard index < values.count, case .u8(let value) = values[index] else { throw mismatch(index, "a u8") }
        return value
    }

    func string(_ index: Int) throws(Preview2Trap) -> String {
        guard index < values.count, case .string(let value) = values[index] else { throw mismatch(index, "a string") }
        return value
    }

    func flags(_ index: Int) throws(Preview2Trap) -> Set<String> {
        guard index < values.count, case .flags(let value) = values[index] else { throw mismatch(index, "flags") }
        return value
    }

    func enumCase(_ index: Int) throws(Preview2Trap) -> Int {
        guard index < values.count, case .enum(let value) = values[index] else { throw mismatch(index, "an enum") }
        return value
    }

    func bytes(_ index: Int) throws(Preview2Trap) -> [UInt8] {
        guard index < values.count else { throw mismatch(index, "a list<u8>") }
        switch values[index] {
        case .bytes(let bytes): return bytes
        case .list(let elements):
            var bytes: [UInt8] = []
            bytes.reserveCapacity(elements.count)
            for case .u8(let byte) in elements { bytes.append(byte) }
            guard bytes.count == elements.count else { throw mismatch(index, "a list<u8>") }
            return bytes
        default: throw mismatch(index, "a list<u8>")
        }
    }

    func value(_ index: Int) throws(Preview2Trap) -> ComponentValue {
        guard index < values.count else { throw mismatch(index, "a value") }
        return values[index]
    }
}
