// wasi:io/error: the error resource a failed stream operation hands the guest.
import CapComponent

extension Preview2Host {
    func bindError(to linker: ComponentLinker) {
        define(linker, "wasi:io/error", "[method]error.to-debug-string") { host, a in
            guard case .error(let failure)? = host.resources.get(try a.handle(0)) else {
                throw Preview2Trap("\(a.function): argument 0 is not an error")
            }
            return .string(failure.message)
        }
    }
}
