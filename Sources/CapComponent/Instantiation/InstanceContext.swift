// The index spaces of one component instance while it is instantiated, and the items they hold.

import WasmKit

/// A component function in a func index space: lifted from core code, imported from the host,
/// or exported by another instance. Calls go through ``ComponentValue``s.
final class ComponentFunction {
    /// How messages name it, such as `wasi:cli/run@0.2.0#run`.
    let name: String
    let type: FunctionType
    /// Receives the arguments and the component instance calling (nil for the host).
    let body: ([ComponentValue], ComponentInstanceState?) throws -> ComponentValue?
    /// For a host function that reads its own arguments: what `canon lower` calls instead of
    /// ``body``, without lifting them into ``ComponentValue``s first.
    let reading: ((inout ComponentArguments) throws -> ComponentValue?)?

    init(
        name: String, type: FunctionType, body: @escaping ([ComponentValue], ComponentInstanceState?) throws -> ComponentValue?,
        reading: ((inout ComponentArguments) throws -> ComponentValue?)? = nil
    ) {
        self.name = name
        self.type = type
        self.body = body
        self.reading = reading
    }
}

/// A component instance as other definitions see it: its exports by name.
final class InstanceValue {
    private(set) var names: [String] = []
    private(set) var items: [String: Item] = [:]

    func add(_ name: String, _ item: Item) throws(ComponentError) {
        guard items.updateValue(item, forKey: name) == nil else {
            throw ComponentError(.invalid, "the name \"\(name)\" is exported twice")
        }
        names.append(name)
    }

    subscript(name: String) -> Item? { items[name] }
}

/// A component definition with the instance its outer aliases refer to.
struct ComponentClosure {
    let ast: ComponentAST
    /// Weak: the instance keeps the closures of the components it defines, and needs none of
    /// them once it is made, while a closure needs its outer instance only while that instance
    /// is being made (which keeps it). Held strongly, each instance of a component with nested
    /// components kept itself, and with it the store and every core instance, alive for ever.
    weak var outer: InstanceContext?

    init(ast: ComponentAST, outer: InstanceContext?) {
        self.ast = ast
        self.outer = outer
    }
}

/// Anything a component-level sort index can name.
enum Item {
    case function(ComponentFunction)
    case type(TypeEntry)
    case instance(InstanceValue)
    case component(ComponentClosure)
    case coreModule(CoreModule)

    var sort: Sort {
        switch self {
        case .function: .function
        case .type: .type
        case .instance: .instance
        case .component: .component
        case .coreModule: .core(.module)
        }
    }
}

/// The index spaces of one component instance. Each definition appends to one of them.
final class InstanceContext {
    /// The instance whose definition lexically encloses this one's (for outer aliases).
    let parent: InstanceContext?
    let state: ComponentInstanceState
    let store: Store
    let types: TypeScope

    var coreFunctions: [Function] = []
    var coreTables: [Table] = []
    var coreMemories: [Memory] = []
    var coreGlobals: [Global] = []
    var coreTags: [Tag] = []
    var coreModules: [CoreModule] = []
    var coreInstances: [[String: ExternalValue]] = []
    var functions: [ComponentFunction] = []
    var instances: [InstanceValue] = []
    var components: [ComponentClosure] = []
    let exports = InstanceValue()

    init(parent: InstanceContext?, state: ComponentInstanceState, store: Store) {
        self.parent = parent
        self.state = state
        self.store = store
        self.types = TypeScope(parent: parent?.types)
    }

    func outer(_ count: UInt32) throws(ComponentError) -> InstanceContext {
        var context = self
        for _ in 0..<count {
            guard let parent = context.parent else {
                throw ComponentError(.invalid, "outer alias count \(count) exceeds the enclosing components")
            }
            context = parent
        }
        return context
    }

    // MARK: Lookups

    private static func at<T>(_ items: [T], _ index: UInt32, _ sort: String) throws(ComponentError) -> T {
        guard Int(index) < items.count else {
            throw ComponentError(.invalid, "\(sort) index \(index) is out of range (there are \(items.count))")
        }
        return items[Int(index)]
    }

    func coreFunction(_ index: UInt32) throws(ComponentError) -> Function { try Self.at(coreFunctions, index, "core func") }
    func coreMemory(_ index: UInt32) throws(ComponentError) -> Memory { try Self.at(coreMemories, index, "core memory") }
    func coreModule(_ index: UInt32) throws(ComponentError) -> CoreModule { try Self.at(coreModules, index, "core module") }
    func coreInstance(_ index: UInt32) throws(ComponentError) -> [String: ExternalValue] {
        try Self.at(coreInstances, index, "core instance")
    }
    func function(_ index: UInt32) throws(ComponentError) -> ComponentFunction { try Self.at(functions, index, "func") }
    func instance(_ index: UInt32) throws(ComponentError) -> InstanceValue { try Self.at(instances, index, "instance") }
    func component(_ index: UInt32) throws(ComponentError) -> ComponentClosure { try Self.at(components, index, "component") }

    /// The core item `sort index`, as a core instance export.
    func coreItem(_ sort: CoreSort, _ index: UInt32) throws(ComponentError) -> ExternalValue {
        switch sort {
        case .function: return .function(try coreFunction(index))
        case .table: return .table(try Self.at(coreTables, index, "core table"))
        case .memory: return .memory(try coreMemory(index))
        case .global: return .global(try Self.at(coreGlobals, index, "core global"))
        case .tag: return .tag(try Self.at(coreTags, index, "core tag"))
        case .type, .module, .instance:
            throw ComponentError(.unsupported, "a \(sort) cannot be exported from a core instance")
        }
    }

    /// Appends a core instance export to the index space of `sort`.
    func appendCore(_ value: ExternalValue, as sort: CoreSort, what: String) throws(ComponentError) {
        switch (sort, value) {
        case (.function, .function(let function)): coreFunctions.append(function)
        case (.table, .table(let table)): coreTables.append(table)
        case (.memory, .memory(let memory)): coreMemories.append(memory)
        case (.global, .global(let global)): coreGlobals.append(global)
        case (.tag, .tag(let tag)): coreTags.append(tag)
        default: throw ComponentError(.typeMismatch, "\(what) is not a \(sort)")
        }
    }

    /// The component-level item `sort index`.
    func item(_ item: SortIndex) throws(ComponentError) -> Item {
        switch item.sort {
        case .function: return .function(try function(item.index))
        case .type: return .type(try types.entry(item.index))
        case .instance: return .instance(try instance(item.index))
        case .component: return .component(try component(item.index))
        case .core(.module): return .coreModule(try coreModule(item.index))
        case .core, .value:
            throw ComponentError(.unsupported, "a \(item.sort) cannot be passed or exported between components")
        }
    }

    /// Appends `item` to the index space of its sort.
    func append(_ item: Item) {
        switch item {
        case .function(let function): functions.append(function)
        case .type(let entry): types.append(entry)
        case .instance(let instance): instances.append(instance)
        case .component(let component): components.append(component)
        case .coreModule(let module): coreModules.append(module)
        }
    }
}
