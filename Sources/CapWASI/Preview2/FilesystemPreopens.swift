// wasi:filesystem/preopens: the configured preopens, each a directory descriptor.
import CapComponent

extension Preview2Host {
    func bindPreopens(to linker: ComponentLinker) {
        define(linker, "wasi:filesystem/preopens", "get-directories") { host in
            var directories: [ComponentValue] = []
            for preopen in host.configuration.preopens {
                let flags: DescriptorFlags = preopen.access == .readWrite ? [.read, .mutateDirectory] : .read
                let descriptor = FilesystemDescriptor(
                    .directory(preopen.dir), flags: flags, guestPath: preopen.guestPath, preopen: preopen.guestPath, isPreopen: true)
                directories.append(.tuple([try host.own(.descriptor(descriptor), host.types.descriptor), .string(preopen.guestPath)]))
            }
            return .list(directories)
        }
    }
}
