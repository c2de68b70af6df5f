// wasi:cli/exit: ends the run with status 0 (ok) or 1 (err), or a code where the guest gives one.
import CapComponent

extension Preview2Host {
    func bindExit(to linker: ComponentLinker) {
        define(linker, "wasi:cli/exit", "exit") { (_, status: ExitStatus) in
            throw GuestStop.exit(status.isSuccess ? 0 : 1)
        }
        // Unstable in 0.2 (`cli-exit-with-code`), but what wasi-libc's exit(n) calls when present.
        define(linker, "wasi:cli/exit", "exit-with-code") { (_, code: UInt8) in
            throw GuestStop.exit(UInt32(code))
        }
    }
}

/// `exit`'s `status`, a `result` with no payloads: `ok` is success.
struct ExitStatus: HostArgument {
    let isSuccess: Bool

    static func decode(_ value: ComponentValue, in host: Preview2Host) -> ExitStatus? {
        switch value {
        case .result(.success(nil)): ExitStatus(isSuccess: true)
        case .result(.failure(let error)) where error.value == nil: ExitStatus(isSuccess: false)
        default: nil
        }
    }
    static var witName: String { "a result" }
}
