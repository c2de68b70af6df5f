// Parsing a core module the way every run gets it: instrumented with interrupt points.
import WasmKit

extension InterruptPoints {
    /// Parses and validates `bytes` after adding the interrupt points, so that an instance of
    /// the module can always be stopped, and the fast path of any known `memcpy`
    /// (``MemcpyFastPath``). Bytes the rewrite cannot read are reported with
    /// WasmKit's own account of what is wrong with them.
    ///
    /// - Throws: WasmKit's parse or validation error, or ``Failure``.
    public static func parse(_ bytes: [UInt8]) throws -> Module {
        try parseInstrumented(bytes).module
    }

    /// ``parse(_:)``, with the instrumented bytes the module was parsed from: what a
    /// component's core modules and a `WASIModule` both go through.
    package static func parseInstrumented(_ bytes: [UInt8]) throws -> (module: Module, bytes: [UInt8]) {
        let instrumented: [UInt8]
        do {
            instrumented = try instrument(MemcpyFastPath.apply(bytes))
        } catch {
            _ = try parseWasm(bytes: bytes)
            throw error
        }
        do {
            return (try parseWasm(bytes: instrumented), instrumented)
        } catch {
            // Report what is wrong with the guest's own bytes, at its own offsets.
            _ = try parseWasm(bytes: bytes)
            throw error
        }
    }
}
