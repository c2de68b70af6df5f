// What one guest instance is given: arguments, environment, directories, stdio and limits.
import CapStd

/// A directory handed to the guest under a name it sees as absolute (`/config`).
public struct Preopen: Sendable {
    /// What the guest may do beneath the directory: CapStd's own access. Read-only: every
    /// change fails with `ERRNO_ACCES` (`access` in WASI 0.2) and the host tree is left
    /// byte-for-byte unchanged; read-write: everything the host process may do beneath it.
    public typealias Access = Dir.Access

    /// The name the guest sees, such as `/config` or `.`.
    public let guestPath: String
    /// The directory; a read-only preopen is given only a read-only view of it.
    public let dir: Dir
    /// The directory's own access, the one answer every host gives: a read-only `Dir` asked
    /// for as `.readWrite` stays read-only (CapStd would refuse each change anyway), and the
    /// guest is told so (no `mutate-directory` in WASI 0.2).
    public var access: Access { dir.access }

    /// - Throws: ``CapStdError`` if a read-only view of `dir` cannot be made (it is closed).
    public init(guestPath: String, dir: Dir, access: Access) throws(CapStdError) {
        self.guestPath = guestPath
        self.dir = access == .readOnly && dir.access != .readOnly ? try dir.readOnly() : dir
    }
}

/// Where a guest's standard stream goes.
public enum StandardStream: Sendable {
    /// The host process's own descriptor 0, 1 or 2.
    case inherit
    /// Reads see end of file; writes are discarded.
    case null
    /// Writes are kept in memory and returned with the result; reads see end of file.
    case capture
    /// Reads come from these bytes (standard input only).
    case bytes([UInt8])
}

/// Limits on one guest instance. A limit hit ends the instance with ``WASIRunError``, except the
/// descriptor limit, which the guest sees as `ERRNO_MFILE`.
///
/// Two sets of defaults exist because two kinds of caller exist: ``init(maxDescriptors:fuel:maxMemoryBytes:timeout:)``
/// gives the bounded defaults a host of untrusted tenants wants, ``unlimited`` gives what a
/// command-line runner such as `wasmtime run` imposes, which is nothing.
public struct WASILimits: Sendable, Hashable {
    /// Open descriptors, including stdio and preopens.
    public var maxDescriptors: Int
    /// Units of WasmKit fuel; nil for no limit, and then the guest runs unmetered.
    ///
    /// WasmKit 0.4.2 charges one unit per WebAssembly operator that generates code (not `nop`,
    /// `drop`, `block`, `loop`, `end`, ...), but charges a straight-line region's whole cost when
    /// the region is entered: a branch out of a loop body or `if` arm still pays for the rest. So
    /// a unit is at most one operator executed, and how many units a guest needs depends on the
    /// shape of its code: measured 1.00× the operators Wasmtime counts for a straight loop, 5–8×
    /// for libc string and file code, 83–107× for CPython (BENCHMARKS.md, section 5). Metering
    /// cost up to 1.13× the unmetered time there.
    public var fuel: UInt64?
    /// Linear memory in bytes.
    public var maxMemoryBytes: Int
    /// Wall-clock time from the start of the run, instantiation included; nil for no limit.
    /// Past it the guest is stopped wherever it is (``InterruptPoints`` checks in its loops,
    /// function entries and bulk operations; blocking host calls wake up) and the run ends with
    /// ``WASIRunError/timeout(_:)``: the bound on how long one run holds a thread.
    public var timeout: Duration?

    /// Safe defaults for untrusted code: 128 descriptors, 10 billion fuel, 256 MiB, 60 s.
    ///
    /// What each is for: the timeout bounds the time a run holds a thread, whatever the guest
    /// does and however loaded the machine is; fuel bounds the work itself, the same on every
    /// machine and every run (deterministic, and the `fuel used` of ``RunReport``), at a cost
    /// of up to 1.13× the unmetered time; the memory and descriptor limits bound what a run
    /// holds at once. Lower the timeout to what a request may take; set `fuel` to nil where no
    /// one reads the fuel used.
    public init(
        maxDescriptors: Int = 128, fuel: UInt64? = 10_000_000_000, maxMemoryBytes: Int = 256 << 20,
        timeout: Duration? = .seconds(60)
    ) {
        self.maxDescriptors = maxDescriptors
        self.fuel = fuel
        self.maxMemoryBytes = maxMemoryBytes
        self.timeout = timeout
    }

    /// No limit beyond the platform's: no fuel metering, no time limit, the 4 GiB a 32-bit
    /// memory can address, and descriptors up to the host process's own limit (the guest gets
    /// `ERRNO_MFILE` when the host's `open` fails with `EMFILE`). What `wasmtime run` does.
    public static let unlimited = WASILimits(
        maxDescriptors: .max, fuel: nil, maxMemoryBytes: maxMemory32, timeout: nil)

    /// 65,536 pages of 64 KiB: all a wasm32 memory can address.
    public static let maxMemory32 = 65_536 << 16
}

/// How much one instance may write: bytes written to files (including growth by
/// `fd_filestat_set_size` and `fd_allocate`) and new entries created (files, directories,
/// symlinks, links). Past either, the guest gets `ERRNO_DQUOT`; what it wrote before stays.
public struct WriteQuota: Sendable, Hashable {
    public var maxBytes: Int64
    public var maxEntries: Int

    public init(maxBytes: Int64, maxEntries: Int) {
        self.maxBytes = maxBytes
        self.maxEntries = maxEntries
    }
}

/// Everything a guest instance is given.
public struct WASIConfiguration: Sendable {
    /// `argv`, including the program name at index 0.
    public var arguments: [String]
    /// `KEY=value` pairs.
    public var environment: [(String, String)]
    public var preopens: [Preopen]
    public var stdin: StandardStream
    public var stdout: StandardStream
    public var stderr: StandardStream
    public var limits: WASILimits
    /// A name for this instance in denial reports (a tenant, a request id).
    public var instanceName: String
    /// Limits on what the instance writes; nil for none.
    public var writeQuota: WriteQuota?

    public init(
        arguments: [String] = ["main.wasm"], environment: [(String, String)] = [], preopens: [Preopen] = [],
        stdin: StandardStream = .null, stdout: StandardStream = .capture, stderr: StandardStream = .capture,
        limits: WASILimits = WASILimits(), instanceName: String = "guest", writeQuota: WriteQuota? = nil
    ) {
        self.writeQuota = writeQuota
        self.arguments = arguments
        self.environment = environment
        self.preopens = preopens
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.limits = limits
        self.instanceName = instanceName
    }
}

extension WASIConfiguration {
    /// Whether the guest's descriptor `fd` (0, 1 or 2) is a terminal: inherited from the
    /// process, whose own descriptor is one. `fd_fdstat_get` and `wasi:cli/terminal-*` answer
    /// from it, as Wasmtime does: a guest asking `isatty` learns the truth, so it colours its
    /// output only for a terminal.
    func isTerminal(_ fd: Int32) -> Bool {
        let stream: StandardStream
        switch fd {
        case 0: stream = stdin
        case 1: stream = stdout
        case 2: stream = stderr
        default: return false
        }
        guard case .inherit = stream else { return false }
        return StandardStreams.isTerminal(fd)
    }
}
