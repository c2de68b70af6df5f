// wasi:random/random: bytes from the system's cryptographically secure generator.
import CapComponent

extension Preview2Host {
    /// `count` bytes from the system generator. A request larger than the instance's memory
    /// limit could never be stored in the guest, so it traps rather than allocate on the host.
    func randomBytes(_ count: UInt64) throws -> ComponentValue {
        guard count <= UInt64(configuration.limits.maxMemoryBytes) else {
            throw Preview2Trap("\(count) bytes is more than the instance's memory limit")
        }
        var bytes = [UInt8](repeating: 0, count: Int(count))
        bytes.withUnsafeMutableBytes { InstancePolicy.fillRandom($0) }
        return .bytes(bytes)
    }

    func bindRandom(to linker: ComponentLinker) {
        define(linker, "wasi:random/random", "get-random-bytes") { (host, count: UInt64) in try host.randomBytes(count) }
        define(linker, "wasi:random/random", "get-random-u64") { _ in
            var generator = SystemRandomNumberGenerator()
            return .u64(generator.next())
        }
    }
}
