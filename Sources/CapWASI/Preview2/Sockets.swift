// wasi:sockets/*: linked so that components importing them (componentize-py does) run; every
// operation refused. All seven interfaces are here because they are one decision.
import CapComponent

extension Preview2Host {
    /// The first cases of `wasi:sockets/network`'s `error-code`, in the order the WIT declares them.
    private enum SocketErrorCode: Int {
        case unknown, accessDenied
    }

    /// `error-code.access-denied` of `wasi:sockets/network`.
    static let socketAccessDenied = ComponentValue.enum(case: SocketErrorCode.accessDenied.rawValue)

    /// Defines whatever `component` imports from `wasi:sockets`, in any version: the network
    /// exists (so `instance-network` works), creating a socket and resolving a name fail with
    /// `access-denied`, and everything else needs a socket that cannot exist, so it traps.
    func bindSockets(to linker: ComponentLinker, for component: Component) {
        for requirement in component.requirements {
            guard let interface = requirement.interface, interface.hasPrefix("wasi:sockets/") else { continue }
            let base = String(interface.prefix { $0 != "@" })
            if requirement.isResource {
                if requirement.name != "network" {
                    linker.defineResource(interface, requirement.name) { [unowned self] in self.resources.remove($0) }
                }
                continue
            }
            let name = requirement.name
            let function = "\(base)#\(name)"
            linker.define(interface, name) { [unowned self] _ in
                switch name {
                case "instance-network":
                    return try self.own(.network, self.types.network)
                case "create-tcp-socket", "create-udp-socket", "resolve-addresses":
                    return .err(Self.socketAccessDenied)
                default:
                    throw Preview2Trap("\(function): no socket exists in this instance")
                }
            }
        }
    }
}
