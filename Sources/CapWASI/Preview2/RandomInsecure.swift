// wasi:random/insecure: the same secure generator; being insecure is allowed, not required.
import CapComponent

extension Preview2Host {
    func bindInsecureRandom(to linker: ComponentLinker) {
        define(linker, "wasi:random/insecure", "get-insecure-random-bytes") { (host, count: UInt64) in try host.randomBytes(count) }
        define(linker, "wasi:random/insecure", "get-insecure-random-u64") { _ in
            var generator = SystemRandomNumberGenerator()
            return .u64(generator.next())
        }
    }
}
