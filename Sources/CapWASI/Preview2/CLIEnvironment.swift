// wasi:cli/environment: the configured arguments and environment; no initial directory.
import CapComponent

extension Preview2Host {
    func bindEnvironment(to linker: ComponentLinker) {
        let environment = "wasi:cli/environment"
        define(linker, environment, "get-environment") { host in
            .list(host.configuration.environment.map { .tuple([.string($0.0), .string($0.1)]) })
        }
        define(linker, environment, "get-arguments") { host in
            .list(host.configuration.arguments.map { .string($0) })
        }
        // Preopens are named absolutely, so a guest needs no working directory; Wasmtime says
        // none as well.
        define(linker, environment, "initial-cwd") { _ in .option(nil) }
    }
}
