// Small WAT guests, assembled in-process: one WASI call whose errno becomes the exit code.
import CapWASI
import WAT

/// The signature of every preview 1 function the tests call, in WAT.
let wasiSignatures: [String: String] = [
    "args_sizes_get": "(param i32 i32) (result i32)", "args_get": "(param i32 i32) (result i32)",
    "environ_sizes_get": "(param i32 i32) (result i32)", "environ_get": "(param i32 i32) (result i32)",
    "clock_time_get": "(param i32 i64 i32) (result i32)", "clock_res_get": "(param i32 i32) (result i32)",
    "random_get": "(param i32 i32) (result i32)", "sched_yield": "(result i32)", "proc_raise": "(param i32) (result i32)",
    "fd_read": "(param i32 i32 i32 i32) (result i32)", "fd_write": "(param i32 i32 i32 i32) (result i32)",
    "fd_pread": "(param i32 i32 i32 i64 i32) (result i32)", "fd_pwrite": "(param i32 i32 i32 i64 i32) (result i32)",
    "fd_seek": "(param i32 i64 i32 i32) (result i32)", "fd_tell": "(param i32 i32) (result i32)",
    "fd_close": "(param i32) (result i32)", "fd_renumber": "(param i32 i32) (result i32)",
    "fd_sync": "(param i32) (result i32)", "fd_datasync": "(param i32) (result i32)",
    "fd_advise": "(param i32 i64 i64 i32) (result i32)", "fd_allocate": "(param i32 i64 i64) (result i32)",
    "fd_fdstat_get": "(param i32 i32) (result i32)", "fd_fdstat_set_flags": "(param i32 i32) (result i32)",
    "fd_fdstat_set_rights": "(param i32 i64 i64) (result i32)", "fd_filestat_get": "(param i32 i32) (result i32)",
    "fd_filestat_set_size": "(param i32 i64) (result i32)", "fd_filestat_set_times": "(param i32 i64 i64 i32) (result i32)",
    "fd_prestat_get": "(param i32 i32) (result i32)", "fd_prestat_dir_name": "(param i32 i32 i32) (result i32)",
    "fd_readdir": "(param i32 i32 i32 i64 i32) (result i32)",
    "path_open": "(param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)",
    "path_create_directory": "(param i32 i32 i32) (result i32)", "path_remove_directory": "(param i32 i32 i32) (result i32)",
    "path_unlink_file": "(param i32 i32 i32) (result i32)", "path_filestat_get": "(param i32 i32 i32 i32 i32) (result i32)",
    "path_filestat_set_times": "(param i32 i32 i32 i32 i64 i64 i32) (result i32)",
    "path_link": "(param i32 i32 i32 i32 i32 i32 i32) (result i32)",
    "path_readlink": "(param i32 i32 i32 i32 i32 i32) (result i32)",
    "path_rename": "(param i32 i32 i32 i32 i32 i32) (result i32)", "path_symlink": "(param i32 i32 i32 i32 i32) (result i32)",
    "poll_oneoff": "(param i32 i32 i32 i32) (result i32)", "sock_accept": "(param i32 i32 i32) (result i32)",
    "sock_shutdown": "(param i32 i32) (result i32)", "sock_recv": "(param i32 i32 i32 i32 i32 i32) (result i32)",
    "sock_send": "(param i32 i32 i32 i32 i32) (result i32)",
]

/// A guest built from WAT: `body` runs in `_start`; `$exit` is `proc_exit`; strings are placed in
/// memory from address 1024 on and named `$name` → address in `addresses`.
struct Guest {
    var strings: [(name: String, bytes: [UInt8])] = []
    var body: String

    init(strings: [(String, String)] = [], _ body: String) {
        self.strings = strings.map { ($0.0, Array($0.1.utf8)) }
        self.body = body
    }

    /// The address of the string named `name`.
    func address(_ name: String) -> Int {
        var offset = 1024
        for string in strings {
            if string.name == name { return offset }
            offset += string.bytes.count + 16
        }
        fatalError("no string \(name)")
    }

    func length(_ name: String) -> Int { strings.first { $0.name == name }!.bytes.count }

    var wat: String {
        var text = "(module\n"
        for (name, signature) in wasiSignatures.sorted(by: { $0.key < $1.key }) {
            text += "  (import \"wasi_snapshot_preview1\" \"\(name)\" (func $\(name) \(signature)))\n"
        }
        text += "  (import \"wasi_snapshot_preview1\" \"proc_exit\" (func $exit (param i32)))\n"
        text += "  (memory (export \"memory\") 2)\n"
        for string in strings {
            let escaped = string.bytes.map { "\\" + String($0, radix: 16).leftPadded(2) }.joined()
            text += "  (data (i32.const \(address(string.name))) \"\(escaped)\")\n"
        }
        text += "  (func (export \"_start\")\n\(expanded(body))\n  )\n)\n"
        return text
    }

    /// `@name` and `#name` in WAT text become the address and length of that string.
    func expanded(_ text: String) -> String {
        var result = text
        for string in strings.sorted(by: { $0.name.count > $1.name.count }) {
            result = result.replacing("@\(string.name)", with: "(i32.const \(address(string.name)))")
            result = result.replacing("#\(string.name)", with: "(i32.const \(string.bytes.count))")
        }
        return result
    }

    func module() throws -> WASIModule {
        try WASIModule(bytes: wat2wasm(wat))
    }

    /// A guest that makes one call and exits with the errno it returned: `call` is the WAT
    /// argument list, with `@name` and `#name` standing for a string's address and length.
    static func exitWithErrno(of function: String, _ arguments: String, strings: [(String, String)] = []) -> Guest {
        Guest(strings: strings, "    (call $exit (call $\(function) \(arguments)))")
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }

    func replacing(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
