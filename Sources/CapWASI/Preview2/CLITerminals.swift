// wasi:cli/terminal-*: the guest's standard streams are never terminals it could control.
import CapComponent

extension Preview2Host {
    /// `terminal-input` and `terminal-output` have no methods, so no guest can learn or change
    /// anything through one; every `get-terminal-*` says none, as Wasmtime does for streams that
    /// are not a TTY. That keeps captured and inherited output alike for the guest.
    func bindTerminals(to linker: ComponentLinker) {
        define(linker, "wasi:cli/terminal-stdin", "get-terminal-stdin") { _, _ in .option(nil) }
        define(linker, "wasi:cli/terminal-stdout", "get-terminal-stdout") { _, _ in .option(nil) }
        define(linker, "wasi:cli/terminal-stderr", "get-terminal-stderr") { _, _ in .option(nil) }
    }
}
