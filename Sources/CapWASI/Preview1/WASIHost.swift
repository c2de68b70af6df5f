// The state of one guest instance and the way its WASI functions are bound into WasmKit.
import CapComponent
import CapStd
import WasmKit

/// The WASI preview 1 host of one instance. Confined to the task running that instance.
///
/// The functions bound into WasmKit look up everything a run may see (its configuration,
/// descriptors, streams, quotas and denials) through the host at call time, never at bind time,
/// so a reused instance gets each run's state from ``begin(configuration:sink:)``.
final class WASIHost {
    static let moduleName = "wasi_snapshot_preview1"

    private(set) var policy: InstancePolicy
    var configuration: WASIConfiguration { policy.configuration }
    var table: DescriptorTable
    var memory: GuestMemory?
    /// The run's arguments and `NAME=value` pairs, NUL-terminated as `args_get` and
    /// `environ_get` hand them out.
    private(set) var encodedArguments: [[UInt8]]
    private(set) var encodedEnvironment: [[UInt8]]

    init(configuration: WASIConfiguration, sink: DenialSink?, interrupter: Interrupter) throws(WASIErrno) {
        policy = InstancePolicy(configuration: configuration, version: .preview1, sink: sink, interrupter: interrupter)
        table = try Self.table(for: configuration)
        (encodedArguments, encodedEnvironment) = Self.encodedStrings(of: configuration)
    }

    /// Starts another run in the same instance: the previous run's descriptors are closed and
    /// its configuration, streams, quotas, interrupter and denials replaced by new ones.
    func begin(configuration: WASIConfiguration, sink: DenialSink?, interrupter: Interrupter) throws(WASIErrno) {
        closeAll()
        table = try Self.table(for: configuration)
        policy = InstancePolicy(configuration: configuration, version: .preview1, sink: sink, interrupter: interrupter)
        (encodedArguments, encodedEnvironment) = Self.encodedStrings(of: configuration)
    }

    /// Standard streams as descriptors 0-2, then the preopens in order.
    private static func table(for configuration: WASIConfiguration) throws(WASIErrno) -> DescriptorTable {
        var table = DescriptorTable(limit: configuration.limits.maxDescriptors)
        for fd in Int32(0)...2 {
            _ = try table.allocate(
                Descriptor(
                    kind: .stream(fd), rightsBase: fd == 0 ? .standardInput : .standardOutput, rightsInheriting: [], flags: [],
                    guestPath: ["<stdin>", "<stdout>", "<stderr>"][Int(fd)], preopen: "", preopenName: nil))
        }
        for preopen in configuration.preopens {
            _ = try table.allocate(
                Descriptor(
                    kind: .directory(preopen.dir, listing: nil), rightsBase: .directory,
                    rightsInheriting: WASIRights.directory.union(.regularFile), flags: [],
                    guestPath: preopen.guestPath, preopen: preopen.guestPath, preopenName: preopen.guestPath))
        }
        return table
    }

    private static func encodedStrings(of configuration: WASIConfiguration) -> ([[UInt8]], [[UInt8]]) {
        (
            configuration.arguments.map { Array($0.utf8) + [0] },
            configuration.environment.map { Array("\($0.0)=\($0.1)".utf8) + [0] }
        )
    }

    /// Closes every descriptor the instance opened; preopened `Dir`s belong to the embedder and
    /// stay open.
    func closeAll() {
        table.closeAll()
    }

    /// Ends a run of a reused instance: its descriptors are closed and its configuration,
    /// captured output and denials let go, so an idle instance holds nothing of the run.
    func finish() {
        closeAll()
        policy = InstancePolicy(configuration: WASIConfiguration(arguments: []), version: .preview1, sink: nil, interrupter: Interrupter())
        (encodedArguments, encodedEnvironment) = ([], [])
    }

    // MARK: Binding

    /// Defines every `wasi_snapshot_preview1` function in `imports`.
    func define(into imports: inout Imports, store: Store) {
        defineArgsClocksRandom(into: &imports, store: store)
        defineDescriptorFunctions(into: &imports, store: store)
        definePathFunctions(into: &imports, store: store)
        definePollAndProcess(into: &imports, store: store)
    }

    typealias Body = (WASIHost, GuestMemory, UnsafeBufferPointer<Value>) throws(WASIErrno) -> Void

    /// Binds one function returning an errno: the body reads its arguments, does the work and
    /// throws the errno on failure. Guest-memory faults are errnos; `GuestStop` ends the run, as
    /// does ``Interrupted``, checked before and after the body (which may have slept).
    func function(
        _ name: String, _ parameters: [WasmKit.ValueType], into imports: inout Imports, store: Store, _ body: @escaping Body
    ) {
        let function = Function(store: store, parameters: parameters, results: [.i32], raw: {
            [unowned self] (caller: borrowing Caller, arguments: UnsafeBufferPointer<Value>, results: UnsafeMutableBufferPointer<Value>) in
            try self.policy.interrupter.check()
            do throws(WASIErrno) {
                try body(self, try self.guestMemory(caller), arguments)
                results[0] = .i32(0)
            } catch {
                results[0] = .i32(UInt32(error.rawValue))
            }
            try self.policy.interrupter.check()
        })
        imports.define(module: Self.moduleName, name: name, function)
    }

    private func guestMemory(_ caller: borrowing Caller) throws(WASIErrno) -> GuestMemory {
        if let memory { return memory }
        guard let exported = caller.instance?.exports[memory: "memory"] else { throw .noSystemCall }
        let guest = GuestMemory(memory: exported)
        memory = guest
        return guest
    }

    // MARK: The guest filesystem

    /// Runs operations of the shared guest filesystem (``GuestDirectory``), their failure told
    /// as preview 1's errno.
    func told<Result>(_ body: () throws(FilesystemFailure) -> Result) throws(WASIErrno) -> Result {
        do { return try body() } catch { throw WASIErrno(error) }
    }

    // MARK: Denials and errors

    /// Maps a CapStd failure to the guest's errno, reporting escapes and read-only refusals.
    func fail(
        _ operation: String, _ descriptor: Descriptor, _ path: RawPath?, _ error: CapStdError
    ) -> WASIErrno {
        WASIErrno(
            policy.fail(operation, guestPath: path.map { descriptor.guestPath(of: $0) } ?? descriptor.guestPath, preopen: descriptor.preopen, error))
    }

    func deny(_ operation: String, _ descriptor: Descriptor, _ path: RawPath?, reason: String, errno: WASIErrno) {
        policy.deny(
            operation, guestPath: path.map { descriptor.guestPath(of: $0) } ?? descriptor.guestPath, preopen: descriptor.preopen,
            reason: reason, errno: errno)
    }

    /// The descriptor `fd` if it carries `rights`; a missing right is reported as a denial.
    func descriptor(_ fd: UInt32, _ rights: WASIRights, _ operation: String) throws(WASIErrno) -> Descriptor {
        do {
            return try table.get(fd, rights)
        } catch .notCapable {
            let held = try table.get(fd)
            deny(
                operation, held, nil, reason: "descriptor \(fd) lacks the right \(rights.subtracting(held.rightsBase))",
                errno: .notCapable)
            throw .notCapable
        }
    }

    /// The directory behind `fd` (`NOTDIR` for anything else), which must carry `rights`.
    func directory(_ fd: UInt32, _ rights: WASIRights, _ operation: String) throws(WASIErrno) -> (Descriptor, Dir) {
        guard let dir = try table.get(fd).directory else { throw .notDirectory }
        return (try descriptor(fd, rights, operation), dir)
    }

    /// The directory descriptor `fd` as the shared guest filesystem holds it, if it carries
    /// `rights`.
    func guestDirectory(_ fd: UInt32, _ rights: WASIRights, _ operation: String) throws(WASIErrno) -> GuestDirectory {
        let (entry, dir) = try directory(fd, rights, operation)
        return GuestDirectory(dir: dir, guestPath: entry.guestPath, preopen: entry.preopen, policy: policy)
    }
}

extension WASIRights: CustomStringConvertible {
    public var description: String { "0x" + String(rawValue, radix: 16) }
}

extension Value {
    /// The argument as an unsigned 32-bit value (pointers, lengths, descriptors, flags).
    var u32: UInt32 { i32 }
    var u64: UInt64 { i64 }
}
