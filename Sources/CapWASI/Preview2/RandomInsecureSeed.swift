// wasi:random/insecure-seed: a fresh 128-bit seed per call, for hash-map keys and the like.
import CapComponent

extension Preview2Host {
    func bindInsecureSeed(to linker: ComponentLinker) {
        define(linker, "wasi:random/insecure-seed", "insecure-seed") { _ in
            var generator = SystemRandomNumberGenerator()
            return .tuple([.u64(generator.next()), .u64(generator.next())])
        }
    }
}
