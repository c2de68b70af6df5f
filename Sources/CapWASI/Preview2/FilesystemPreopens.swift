// wasi:filesystem/preopens: the configured preopens, each a directory descriptor.
import CapComponent

extension Preview2Host {
    func bindPreopens(to linker: ComponentLinker) {
        define(linker, "wasi:filesystem/preopens", "get-directories") { host in
            var directories: [ComponentValue] = []
            for preopen in host.configuration.preopens {
                let descriptor = FilesystemDescriptor(preopen: preopen)
                directories.append(.tuple([try host.own(.descriptor(descriptor), host.types.descriptor), .string(preopen.guestPath)]))
            }
            return .list(directories)
        }
    }
}
