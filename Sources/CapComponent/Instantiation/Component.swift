// A parsed and validated component binary, ready to instantiate any number of times.
import WasmKit

/// A component read from its binary form (component-model `design/mvp/Binary.md`), with its
/// embedded core modules parsed and validated by WasmKit.
///
/// Creating one does not run any code. It is immutable and `Sendable`: share it between
/// threads and instantiate it with a ``ComponentLinker`` as often as needed.
///
/// Supported are the synchronous component model's definitions: core modules and instances,
/// nested components and instances, aliases, value/function/resource/instance/component
/// types, `canon lift`, `canon lower` and `resource.new`/`rep`/`drop`, imports and exports.
/// Not supported (refused with ``ComponentError/Code/unsupported``): core type definitions,
/// component values and start functions, async and thread built-ins, stream, future and
/// error-context types.
public struct Component: Sendable {
    let ast: ComponentAST

    private init(ast: ComponentAST) {
        self.ast = ast
    }

    /// An import or export of the top-level component.
    public struct Item: Sendable, Hashable, CustomStringConvertible {
        /// Its name, such as `wasi:cli/stdout@0.2.0` or `run`.
        public let name: String
        /// What it is: a function, an instance, a type, ...
        public let kind: Kind

        /// The kind and the name, such as `instance wasi:cli/stdout@0.2.0`.
        public var description: String { "\(kind) \(name)" }
    }

    /// What an import or export is. Its description is the WIT's word: `func`, `instance`,
    /// `type`, `component`, `value` or `core module`.
    public enum Kind: Sendable, Hashable, CustomStringConvertible {
        case function, value, type, component, instance
        /// A core module: the only core definition a component imports or exports.
        case coreModule

        init(_ sort: Sort) {
            self =
                switch sort {
                case .function: .function
                case .value: .value
                case .type: .type
                case .component: .component
                case .instance: .instance
                case .core: .coreModule
                }
        }

        public var description: String {
            switch self {
            case .function: "func"
            case .value: "value"
            case .type: "type"
            case .component: "component"
            case .instance: "instance"
            case .coreModule: "core module"
            }
        }
    }

    /// Reads a component binary.
    ///
    /// - Parameter bytes: The whole binary, starting with the component preamble
    ///   `00 61 73 6d 0d 00 01 00`.
    /// - Throws: ``ComponentError`` with code ``ComponentError/Code/malformed`` (naming the
    ///   section and offset) if the binary is truncated or ill-formed or a core module is
    ///   invalid, ``ComponentError/Code/invalid`` if an index is out of range, and
    ///   ``ComponentError/Code/unsupported`` for features this runtime does not implement.
    public init(bytes: [UInt8]) throws(ComponentError) {
        do {
            ast = try ComponentParser.parse(bytes)
        } catch let error as ComponentError {
            throw error
        } catch {
            throw ComponentError(.malformed, "\(error)")
        }
    }

    /// The top-level imports, in declaration order.
    public var imports: [Item] {
        ast.definitions.compactMap { definition in
            guard case .import(let definition) = definition else { return nil }
            return Item(name: definition.name, kind: Kind(definition.type.sort))
        }
    }

    /// The top-level exports, in declaration order.
    public var exports: [Item] {
        ast.definitions.compactMap { definition in
            guard case .export(let definition) = definition else { return nil }
            return Item(name: definition.name, kind: Kind(definition.item.sort))
        }
    }

    /// One function or resource a ``ComponentLinker`` must define to instantiate the component.
    public struct Requirement: Sendable, Hashable, CustomStringConvertible {
        /// The imported instance, such as `wasi:cli/stdout@0.2.0`, or `nil` for a direct import.
        public let interface: String?
        /// The function or resource name inside it, such as `get-stdout`.
        public let name: String
        /// Whether this is a resource type (defined with ``ComponentLinker/defineResource(_:_:destructor:)``)
        /// rather than a function (defined with ``ComponentLinker/define(_:_:type:_:)``).
        public let isResource: Bool

        /// The kind and the full name, such as `func wasi:cli/stdout@0.2.0#get-stdout`.
        public var description: String {
            (isResource ? "resource " : "func ") + (interface.map { "\($0)#\(name)" } ?? name)
        }
    }

    /// Every function and resource the top-level imports need from the host, in declaration
    /// order: what a ``ComponentLinker`` must define before ``ComponentLinker/instantiate(_:)``.
    public var requirements: [Requirement] {
        var types: [TypeDefinition?] = []
        var result: [Requirement] = []
        for definition in ast.definitions {
            switch definition {
            case .type(let type):
                types.append(type)
            case .alias(let alias) where alias.sort == .type:
                types.append(nil)
            case .export(let export) where export.item.sort == .type:
                types.append(nil)
            case .import(let definition):
                switch definition.type {
                case .function:
                    result.append(Requirement(interface: nil, name: definition.name, isResource: false))
                case .type(.subResource):
                    result.append(Requirement(interface: nil, name: definition.name, isResource: true))
                case .instance(let index):
                    guard Int(index) < types.count, case .instance(let declarations)? = types[Int(index)] else { break }
                    for case .export(let name, let type) in declarations {
                        switch type {
                        case .function: result.append(Requirement(interface: definition.name, name: name, isResource: false))
                        case .type(.subResource): result.append(Requirement(interface: definition.name, name: name, isResource: true))
                        default: break
                        }
                    }
                default:
                    break
                }
                if definition.type.sort == .type { types.append(nil) }
            default:
                break
            }
        }
        return result
    }

    /// How many core modules the component embeds, nested components included.
    public var coreModuleCount: Int { Self.count(ast) }

    private static func count(_ ast: ComponentAST) -> Int {
        ast.definitions.reduce(0) { total, definition in
            switch definition {
            case .coreModule: total + 1
            case .component(let nested): total + count(nested)
            default: total
            }
        }
    }

    /// The component with every embedded core module rewritten to export all of its mutable
    /// state (``StateExports``), so that each core instance of an instance of it can be put back
    /// after a run. Reads every core module once more.
    ///
    /// - Throws: ``StateExports/NotReusable`` naming the first core module (counted as
    ///   ``coreModuleCount`` counts them) whose state cannot be put back: passive data or
    ///   element segments, whose drops no API can undo.
    ///
    /// When exactly one core module defines a memory (its only one) and the others import it or
    /// have none, the guest's memory size is kept in a global of the definer's that every
    /// module reads and grows (``VirtualMemorySize``), put back with the rest; otherwise the
    /// memory's own size shows what earlier runs grew.
    package func reusable() throws(StateExports.NotReusable) -> Component {
        var index = 0
        let sizing = Self.memorySizing(ast)
        return Component(ast: try Self.reusable(ast, &index, sizing: sizing))
    }

    /// Each core module's role in the component's memory, in ``coreModuleCount`` order, when
    /// the memory's size can be kept apart; `nil` when it cannot.
    private static func memorySizing(_ ast: ComponentAST) -> [VirtualMemorySize.Role]? {
        var roles: [VirtualMemorySize.Role] = []
        func collect(_ ast: ComponentAST) -> Bool {
            for definition in ast.definitions {
                switch definition {
                case .coreModule(let core):
                    guard let role = try? VirtualMemorySize.role(of: core.bytes) else { return false }
                    roles.append(role)
                case .component(let nested):
                    guard collect(nested) else { return false }
                default: break
                }
            }
            return true
        }
        guard collect(ast), roles.count(where: { $0 == .defines }) == 1 else { return nil }
        return roles
    }

    private static func reusable(
        _ ast: ComponentAST, _ index: inout Int, sizing: [VirtualMemorySize.Role]?
    ) throws(StateExports.NotReusable) -> ComponentAST {
        var rewritten = ast
        for (position, definition) in ast.definitions.enumerated() {
            switch definition {
            case .coreModule(let core):
                defer { index += 1 }
                let sized: [UInt8]
                if let sizing {
                    do { sized = try VirtualMemorySize.rewrite(core.bytes, as: sizing[index]) } catch {
                        throw StateExports.NotReusable(reason: "core module \(index): \(error)")
                    }
                } else {
                    sized = core.bytes
                }
                let (bytes, state): ([UInt8], StateExports)
                do { (bytes, state) = try StateExports.rewrite(sized, importedState: true) } catch {
                    throw StateExports.NotReusable(reason: "core module \(index): \(error.reason)")
                }
                let module: Module
                do { module = bytes == core.bytes ? core.module : try parseWasm(bytes: bytes) } catch {
                    throw StateExports.NotReusable(reason: "core module \(index) does not parse once rewritten: \(error)")
                }
                rewritten.definitions[position] = .coreModule(CoreModule(module: module, bytes: bytes, state: state))
            case .component(let nested):
                rewritten.definitions[position] = .component(try reusable(nested, &index, sizing: sizing))
            default:
                break
            }
        }
        return rewritten
    }
}
