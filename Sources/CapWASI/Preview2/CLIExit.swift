// wasi:cli/exit: ends the run with status 0 (ok) or 1 (err), or a code where the guest gives one.
import CapComponent

extension Preview2Host {
    func bindExit(to linker: ComponentLinker) {
        define(linker, "wasi:cli/exit", "exit") { _, a in
            guard case .result(let status) = try a.value(0) else { throw Preview2Trap("\(a.function): the status is not a result") }
            if case .success = status { throw GuestStop.exit(0) }
            throw GuestStop.exit(1)
        }
        // Unstable in 0.2 (`cli-exit-with-code`), but what wasi-libc's exit(n) calls when present.
        define(linker, "wasi:cli/exit", "exit-with-code") { _, a in
            throw GuestStop.exit(UInt32(try a.u8(0)))
        }
    }
}
