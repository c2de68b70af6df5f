// wasi:cli/stdin, stdout and stderr: one stream each, going where the configuration says.
import CapComponent

extension Preview2Host {
    func bindStdio(to linker: ComponentLinker) {
        define(linker, "wasi:cli/stdin", "get-stdin") { host in
            try host.own(.inputStream(InputStream(.standardInput)), host.types.inputStream)
        }
        define(linker, "wasi:cli/stdout", "get-stdout") { host in
            try host.own(.outputStream(OutputStream(.standard(.output), guestPath: "<stdout>", preopen: "")), host.types.outputStream)
        }
        define(linker, "wasi:cli/stderr", "get-stderr") { host in
            try host.own(.outputStream(OutputStream(.standard(.error), guestPath: "<stderr>", preopen: "")), host.types.outputStream)
        }
    }
}
