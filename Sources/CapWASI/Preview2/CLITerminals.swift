// wasi:cli/terminal-*: a terminal for each standard stream that is one, as Wasmtime answers.
import CapComponent

extension Preview2Host {
    /// `get-terminal-*` gives a `terminal-input` or `terminal-output` for a standard stream that
    /// is a terminal (inherited from the process, whose own descriptor is one), and none for a
    /// pipe, a file or captured output: the question a guest's `isatty` asks, answered from the
    /// real descriptor (the preview 1 adapter turns it into `fd_fdstat_get`'s file type). The
    /// resources have no methods, so no guest can learn or change anything else through one.
    func bindTerminals(to linker: ComponentLinker) {
        define(linker, "wasi:cli/terminal-stdin", "get-terminal-stdin") { host in try host.terminal(0, host.types.terminalInput) }
        define(linker, "wasi:cli/terminal-stdout", "get-terminal-stdout") { host in try host.terminal(1, host.types.terminalOutput) }
        define(linker, "wasi:cli/terminal-stderr", "get-terminal-stderr") { host in try host.terminal(2, host.types.terminalOutput) }
    }

    /// `option<terminal-*>` for the standard stream `fd`.
    func terminal(_ fd: Int32, _ type: ResourceType) throws -> ComponentValue {
        .option(configuration.isTerminal(fd) ? try own(.terminal, type) : nil)
    }
}
