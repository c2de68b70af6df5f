// wasi:io/error: the error resource a failed stream operation hands the guest.
import CapComponent

extension Preview2Host {
    func bindError(to linker: ComponentLinker) {
        define(linker, "wasi:io/error", "[method]error.to-debug-string") { (_, failure: StreamFailure) in
            .string(failure.message)
        }
    }
}

extension StreamFailure: HostResourceArgument {
    static func extract(_ resource: HostResource) -> StreamFailure? {
        guard case .error(let failure) = resource else { return nil }
        return failure
    }
    static var witName: String { "an error" }
}
