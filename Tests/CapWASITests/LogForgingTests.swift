// A guest cannot write a line, a terminal escape or invalid UTF-8 into the host's log or an error: denials, traps, refused modules.
import CapStd
@testable import CapWASI
import TestSupport
import Testing
import WAT

/// The bytes a forger tries: a line break into a line of its own, NUL, a terminal escape and
/// bytes that are not UTF-8.
private let forgery: [UInt8] = Array("\r\nFORGED notice capsule.wasi: denied".utf8) + [0x00, 0x1B] + Array("[31m".utf8) + [0xFF, 0xC0]

/// `wasm` with a `name` section naming function `index` `name`.
private func naming(_ wasm: [UInt8], function index: UInt8, _ name: [UInt8]) -> [UInt8] {
    let entry: [UInt8] = [0x01, index, UInt8(name.count)] + name
    let subsection: [UInt8] = [0x01, UInt8(entry.count)] + entry
    let payload: [UInt8] = [0x04] + Array("name".utf8) + subsection
    return wasm + [0x00, UInt8(payload.count)] + payload
}

@Suite("Log forging")
struct LogForgingTests {
    @Test("a guest path with CR, LF, NUL, ESC and invalid UTF-8 is escaped in the denial, its description and its log line")
    func deniedPath() throws {
        let tree = try TenantTree()
        var guest = Guest.exitWithErrno(
            of: "path_open", "(i32.const 3) (i32.const 0) @p #p (i32.const 0) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 0)",
            strings: [("p", "")])
        guest.strings = [("p", Array("../".utf8) + forgery)]
        let log = LogRecord()
        let sink = Denial.logging(to: log.logger(label: "capsule.wasi"))
        let result = try WASIRunner.run(guest.module(), configuration: tree.configuration(), denialSink: sink)
        let denial = try #require(result.denials.first)
        #expect(result.denials.count == 1)
        #expect(denial.guestPath == #"/config/../\r\nFORGED notice capsule.wasi: denied\0\x1B[31m\xFF\xC0"#)
        #expect(isPrintable(denial.guestPath) && isPrintable(denial.reason) && isPrintable(denial.description))
        #expect(log.lines.count == 1)
        #expect(log.lines.allSatisfy { isPrintable($0) }, "\(log.lines)")
        #expect(log.lines.first?.contains(#"path=/config/../\r\nFORGED"#) == true, "\(log.lines)")
    }

    @Test("a WASI 0.2 guest's path is escaped in its denials as a preview 1 guest's is")
    func componentPath() throws {
        // WASI 0.2 paths are strings; both hosts name them through the shared guest filesystem.
        let shown = GuestDirectory.guestPath(of: RawPath("../\r\nFORGED notice\0\u{1B}[31m\u{202E}"), beneath: "/config")
        #expect(shown == #"/config/../\r\nFORGED notice\0\x1B[31m\u{202E}"#)
        #expect(isPrintable(shown))
    }

    @Test("a trap's frames show the guest's function names escaped, each frame on a line of its own")
    func trapFrames() throws {
        let wasm = try wat2wasm(
            #"(module (memory (export "memory") 1) (func $f unreachable) (func (export "_start") (call $f)))"#)
        // Names that are not UTF-8 make WasmKit drop the whole section; these are UTF-8.
        let module = try WASIModule(bytes: naming(wasm, function: 0, Array("\r\nFORGED notice capsule.wasi: denied\0\u{1B}[31m\u{202E}".utf8)))
        #expect { _ = try WASIRunner.run(module, configuration: WASIConfiguration()) } throws: { error in
            guard case .trap = error as? WASIRunError else { return false }
            let text = "\(error)"
            let lines = text.split(separator: "\n")
            return isPrintable(lines.joined()) && text.contains(#"\r\nFORGED notice"#)
                && lines.dropFirst().allSatisfy { $0.hasPrefix("    ") || $0.hasPrefix("  ... ") }
        }
    }

    @Test("a function named \"out of fuel\" that traps is a trap, not an exhausted budget")
    func fuelNamedFunction() throws {
        let wasm = try wat2wasm(
            #"(module (memory (export "memory") 1) (func $f unreachable) (func (export "_start") (call $f)))"#)
        let module = try WASIModule(bytes: naming(wasm, function: 0, Array("Trap: out of fuel".utf8)))
        #expect { _ = try WASIRunner.run(module, configuration: WASIConfiguration(limits: WASILimits(fuel: 1_000_000))) } throws: { error in
            guard case .trap = error as? WASIRunError else { return false }
            return true
        }
    }

    @Test("an import name with control bytes is escaped in the instantiation error")
    func importName() throws {
        let module = try WASIModule(bytes: wat2wasm(#"(module (import "evil\0d\0aFORGED\1b[31m" "f" (func)) (func (export "_start")))"#))
        #expect { _ = try WASIRunner.run(module, configuration: WASIConfiguration()) } throws: { error in
            guard case .instantiation = error as? WASIRunError else { return false }
            return isPrintable("\(error)") && "\(error)".contains(#"evil\r\nFORGED\x1B[31m"#)
        }
    }
}
