// Runs a component's definitions in order: core instances on WasmKit, nested components, aliases, canon.

import WasmKit

/// Where a component's imports come from: the embedder's linker for the top-level component,
/// the `with` arguments of an `(instance (instantiate ...))` for a nested one.
enum ImportSource {
    case host(ComponentLinker)
    case arguments([String: Item])
}

/// Instantiates one top-level component and everything nested in it into one WasmKit store.
struct Instantiator {
    let store: Store
    let registry: ResourceRegistry
    /// Every component instance made, kept alive as long as the top-level instance.
    private(set) var states: [ComponentInstanceState] = []
    /// Every core instance made, nested components' included, in the order they were made.
    private(set) var coreInstances: [ComponentInstance.CoreInstance] = []
    /// Each memory whose guest size a core instance keeps (``VirtualMemorySize``, in a component
    /// made reusable), with that size: what the modules importing the memory get.
    private var memoryPages: [(memory: Memory, pages: Global)] = []
    /// Every lowered function made, released with the top-level instance (their closures live
    /// in the store and would otherwise keep it alive).
    private(set) var lowered: [LoweredFunction] = []

    /// The `check` every instrumented core module imports (``InterruptPoints``).
    private let interruptCheck: Function

    init(store: Store, registry: ResourceRegistry, interrupterSlot: InterrupterSlot) {
        self.store = store
        self.registry = registry
        interruptCheck = Function(store: store, parameters: [], results: []) { _, _ in
            try interrupterSlot.check()
            return []
        }
    }

    mutating func instantiate(
        _ closure: ComponentClosure, parentState: ComponentInstanceState?, imports: ImportSource
    ) throws(ComponentError) -> InstanceContext {
        let state = ComponentInstanceState(resources: registry, parent: parentState)
        states.append(state)
        let context = InstanceContext(parent: closure.outer, state: state, store: store)
        let names = ExportNames(closure.ast)
        for definition in closure.ast.definitions {
            switch definition {
            case .coreModule(let module):
                context.coreModules.append(module)
            case .coreInstance(let expression):
                context.coreInstances.append(try coreInstance(expression, context))
            case .component(let ast):
                try Self.checkOuterAliases(ast, levels: 0, context)
                context.components.append(ComponentClosure(ast: ast, outer: context))
            case .instance(.instantiate(let index, let arguments)):
                var items: [String: Item] = [:]
                for argument in arguments {
                    items[argument.name] = try context.item(argument.item)
                }
                let child = try instantiate(try context.component(index), parentState: state, imports: .arguments(items))
                context.instances.append(child.exports)
            case .instance(.exports(let exports)):
                let instance = InstanceValue()
                for export in exports {
                    try instance.add(export.name, try context.item(export.item))
                }
                context.instances.append(instance)
            case .alias(let alias):
                try self.alias(alias, context)
            case .type(.resource(let destructor)):
                let type = ResourceType(name: names.types[UInt32(context.types.entries.count)] ?? "resource")
                let function = try destructor.map { index throws(ComponentError) in try context.coreFunction(index) }
                do {
                    try state.defineResource(type, destructor: function)
                } catch {
                    throw ComponentError(error, context: "resource \(type)")
                }
                context.types.append(.resource(type))
            case .type(let definition):
                context.types.append(try context.types.resolve(definition))
            case .canon(let canon):
                try self.canon(canon, context, names)
            case .import(let definition):
                context.append(try resolveImport(definition, context, imports))
            case .export(let export):
                let item = try context.item(export.item)
                if let ascribed = export.type { try checkAscription(item, ascribed, export.name, context) }
                try context.exports.add(export.name, item)
                context.append(item)
            }
        }
        return context
    }

    // MARK: Core instances

    private mutating func coreInstance(
        _ expression: CoreInstanceExpression, _ context: InstanceContext
    ) throws(ComponentError) -> [String: ExternalValue] {
        switch expression {
        case .instantiate(let index, let arguments):
            let module = try context.coreModule(index)
            var imports = Imports()
            for argument in arguments {
                for (name, value) in try context.coreInstance(argument.instance) {
                    imports.define(module: argument.name, name: name, value)
                }
            }
            // Last, so that no argument can stand in for them.
            imports.define(module: InterruptPoints.importModule, name: InterruptPoints.importName, interruptCheck)
            if let pages = try pagesOfImportedMemory(module.module, arguments, context) {
                imports.define(module: VirtualMemorySize.importModule, name: VirtualMemorySize.importName, pages)
            }
            let instance: Instance
            do {
                instance = try module.module.instantiate(store: store, imports: imports)
            } catch {
                throw ComponentError(.trap, "instantiating core module \(index) failed: \(error)", cause: error)
            }
            coreInstances.append(ComponentInstance.CoreInstance(instance: instance, state: module.state))
            if let pages = instance.exports[global: VirtualMemorySize.pagesExport],
                let memory = instance.exports.lazy.compactMap({ _, value in if case .memory(let memory) = value { memory } else { nil } }).first
            {
                memoryPages.append((memory, pages))
            }
            var exports: [String: ExternalValue] = [:]
            for (name, value) in instance.exports { exports[name] = value }
            return exports
        case .exports(let items):
            var exports: [String: ExternalValue] = [:]
            for item in items {
                guard exports.updateValue(try context.coreItem(item.sort, item.index), forKey: item.name) == nil else {
                    throw ComponentError(.invalid, "a core instance exports the name \"\(item.name)\" twice")
                }
            }
            return exports
        }
    }

    /// The guest-size global of the memory `module` imports, when it imports one (as a module
    /// rewritten to import the size does) whose definer keeps it; `nil` otherwise.
    private func pagesOfImportedMemory(
        _ module: Module, _ arguments: [(name: String, instance: UInt32)], _ context: InstanceContext
    ) throws(ComponentError) -> Global? {
        guard !memoryPages.isEmpty,
            let memoryImport = module.imports.first(where: { if case .memory = $0.descriptor { true } else { false } }),
            let argument = arguments.first(where: { $0.name == memoryImport.module }),
            case .memory(let memory)? = try context.coreInstance(argument.instance)[memoryImport.name]
        else { return nil }
        return memoryPages.first { $0.memory == memory }?.pages
    }

    // MARK: Aliases

    private func alias(_ alias: Alias, _ context: InstanceContext) throws(ComponentError) {
        switch alias.target {
        case .export(let index, let name):
            guard let item = try context.instance(index)[name] else {
                throw ComponentError(.invalid, "instance \(index) has no export named \"\(name)\"")
            }
            guard item.sort == alias.sort else {
                throw ComponentError(.typeMismatch, "export \"\(name)\" of instance \(index) is a \(item.sort), not a \(alias.sort)")
            }
            context.append(item)
        case .coreExport(let index, let name):
            guard case .core(let sort) = alias.sort, let value = try context.coreInstance(index)[name] else {
                throw ComponentError(.invalid, "core instance \(index) has no export named \"\(name)\"")
            }
            try context.appendCore(value, as: sort, what: "export \"\(name)\" of core instance \(index)")
        case .outer(let count, let index):
            let target = try context.outer(count)
            switch alias.sort {
            case .type:
                let entry = try target.types.entry(index)
                // Resources are generative: a nested component may not take one (or a type
                // mentioning one) from outside, only be given it as an import.
                if count > 0, entry.refersToResources {
                    throw ComponentError(.invalid, "an outer alias of type \(index) transitively refers to resources across a component boundary")
                }
                context.types.append(entry)
            case .component: context.components.append(try target.component(index))
            case .core(.module): context.coreModules.append(try target.coreModule(index))
            default: throw ComponentError(.unsupported, "outer aliases of a \(alias.sort) are not supported")
            }
        }
    }

    // MARK: Canonical definitions

    private mutating func canon(_ canon: Canon, _ context: InstanceContext, _ names: ExportNames) throws(ComponentError) {
        let state = context.state
        switch canon {
        case .lift(let coreIndex, let definition, let typeIndex):
            let index = UInt32(context.functions.count)
            let name = names.functions[index] ?? "func \(index)"
            let type = try context.types.function(typeIndex)
            let core = try context.coreFunction(coreIndex)
            let options = try options(definition, context, name)
            let lifted: LiftedFunction
            do {
                lifted = try LiftedFunction(core, type: type, options: options, instance: state, name: name)
            } catch {
                throw ComponentError(error, context: "canon lift of \(name)")
            }
            context.functions.append(ComponentFunction(name: name, type: type) { arguments, caller in
                try lifted.call(arguments, caller: caller)
            })
        case .lower(let functionIndex, let definition):
            let function = try context.function(functionIndex)
            let options = try options(definition, context, function.name)
            do {
                let lowered = try LoweredFunction(
                    store: store, type: function.type, options: options, instance: state, name: function.name,
                    lowering: function.reading.map { .reading($0) } ?? .values { arguments in try function.body(arguments, state) })
                context.coreFunctions.append(lowered.function)
                self.lowered.append(lowered)
            } catch {
                throw ComponentError(error, context: "canon lower of \(function.name)")
            }
        case .resourceNew(let typeIndex):
            context.coreFunctions.append(state.makeResourceNew(store: store, type: try localResource(typeIndex, context, "resource.new")))
        case .resourceRep(let typeIndex):
            context.coreFunctions.append(state.makeResourceRep(store: store, type: try localResource(typeIndex, context, "resource.rep")))
        case .resourceDrop(let typeIndex):
            context.coreFunctions.append(state.makeResourceDrop(store: store, type: try context.types.resource(typeIndex)))
        }
    }

    private func localResource(_ index: UInt32, _ context: InstanceContext, _ builtin: String) throws(ComponentError) -> ResourceType {
        let type = try context.types.resource(index)
        guard registry.isImplemented(type, by: context.state) else {
            throw ComponentError(.invalid, "\(builtin) needs a resource defined by the same component, but \(type) is not")
        }
        return type
    }

    private func options(_ definition: CanonOptionsDefinition, _ context: InstanceContext, _ name: String) throws(ComponentError) -> CanonicalOptions {
        let encoding: CanonicalOptions.StringEncoding =
            switch definition.stringEncoding {
            case .utf8: .utf8
            case .utf16: .utf16
            case .latin1UTF16: .latin1UTF16
            }
        let memory = try definition.memory.map { index throws(ComponentError) in try context.coreMemory(index) }
        let realloc = try definition.realloc.map { index throws(ComponentError) in try context.coreFunction(index) }
        let postReturn = try definition.postReturn.map { index throws(ComponentError) in try context.coreFunction(index) }
        do {
            return try CanonicalOptions(memory: memory, realloc: realloc, postReturn: postReturn, stringEncoding: encoding)
        } catch {
            throw ComponentError(error, context: "the canonical options of \(name)")
        }
    }

    // MARK: Imports

    private func resolveImport(_ definition: ImportDefinition, _ context: InstanceContext, _ source: ImportSource) throws(ComponentError) -> Item {
        let name = definition.name
        if case .type(.equal(let index)) = definition.type {
            let expected = try context.types.entry(index)
            // A nested component's `eq` type import must be given exactly that type.
            if case .arguments(let arguments) = source {
                guard case .type(let given)? = arguments[name] else {
                    throw ComponentError(.missingImport, "a nested component imports type \"\(name)\", but its instantiation does not supply it")
                }
                guard Self.sameType(given, expected) else {
                    throw ComponentError(.typeMismatch, "\"\(name)\" should be \(Self.describe(expected)), but was given \(Self.describe(given))")
                }
            }
            return .type(expected)
        }
        switch source {
        case .host(let linker):
            switch definition.type {
            case .function(let typeIndex):
                return .function(try linker.hostFunction(nil, name, type: try context.types.function(typeIndex)))
            case .instance(let typeIndex):
                let shape = try context.types.instanceType(typeIndex).instanceShape(path: name) { path, resource throws(ComponentError) in
                    try linker.hostResource(path, resource)
                }
                return .instance(try linker.hostInstance(name, shape))
            case .type:
                return .type(.resource(try linker.hostResource(nil, name)))
            case .component, .coreModule:
                throw ComponentError(.unsupported, "importing a \(definition.type.sort) (\"\(name)\") from the host is not supported")
            }
        case .arguments(let arguments):
            guard let argument = arguments[name] else {
                throw ComponentError(.missingImport, "a nested component imports \"\(name)\", but its instantiation does not supply it")
            }
            guard argument.sort == definition.type.sort else {
                throw ComponentError(.typeMismatch, "a nested component imports \"\(name)\" as a \(definition.type.sort), but was given a \(argument.sort)")
            }
            try check(argument, against: definition.type, name, context)
            return argument
        }
    }

    /// Checks an export's ascribed type, `(export "a" (func $f) (func (type $t)))`, against the item.
    private func checkAscription(_ item: Item, _ type: ExternType, _ name: String, _ context: InstanceContext) throws(ComponentError) {
        guard item.sort == type.sort else {
            throw ComponentError(.typeMismatch, "export \"\(name)\" is a \(item.sort), but its ascribed type is a \(type.sort)")
        }
        if case .function(let index) = type {
            let expected = try context.types.function(index)
            guard case .function(let function) = item, function.type == expected else {
                throw ComponentError(.typeMismatch, "export \"\(name)\" does not have its ascribed type \(expected)")
            }
        }
        if case .instance(let index) = type { _ = try context.types.instanceType(index) }
    }

    /// Checks an argument of a nested instantiation against the import's declared type.
    private func check(_ argument: Item, against type: ExternType, _ name: String, _ context: InstanceContext) throws(ComponentError) {
        switch (argument, type) {
        case (.function(let function), .function(let typeIndex)):
            let expected = try context.types.function(typeIndex)
            guard function.type == expected else {
                throw ComponentError(.typeMismatch, "\"\(name)\" should be \(expected), but \(function.name) is \(function.type)")
            }
        case (.instance(let instance), .instance(let typeIndex)):
            let shape = try context.types.instanceType(typeIndex).instanceShape(path: name) { _, resource throws(ComponentError) in
                guard case .type(.resource(let type))? = instance[resource] else {
                    throw ComponentError(.typeMismatch, "instance \"\(name)\" has no resource type \"\(resource)\"")
                }
                return type
            }
            for (resourceName, expected) in shape.resources {
                guard case .type(.resource(let given))? = instance[resourceName], given === expected else {
                    throw ComponentError(.typeMismatch, "instance \"\(name)\": resource types are not the same for \"\(resourceName)\"")
                }
            }
            for (functionName, expected) in shape.functions {
                guard case .function(let function)? = instance[functionName] else {
                    throw ComponentError(.typeMismatch, "instance \"\(name)\" has no function \"\(functionName)\"")
                }
                guard function.type == expected else {
                    throw ComponentError(.typeMismatch, "\"\(name)#\(functionName)\" should be \(expected), but is \(function.type)")
                }
            }
        case (.type(let entry), .type(.subResource)):
            guard case .resource = entry else {
                throw ComponentError(.typeMismatch, "\"\(name)\" should be a resource type, but is \(entry.kind)")
            }
        case (.component, .component), (.function, _), (.instance, _):
            break
        default:
            break
        }
    }
}

extension Instantiator {
    /// Checks, where a nested component is defined (whether or not it is ever instantiated),
    /// that none of its outer type aliases takes a type referring to resources from outside
    /// it. `levels` is how many scopes lie between the aliases checked and the nested component.
    static func checkOuterAliases(_ ast: ComponentAST, levels: UInt32, _ context: InstanceContext) throws(ComponentError) {
        for definition in ast.definitions {
            switch definition {
            case .alias(let alias): try checkOuterAlias(alias, levels: levels, context)
            case .component(let nested): try checkOuterAliases(nested, levels: levels + 1, context)
            case .type(.instance(let declarations)), .type(.component(let declarations)):
                try checkOuterAliases(declarations, levels: levels + 1, context)
            default: break
            }
        }
    }

    private static func checkOuterAliases(_ declarations: [TypeDeclaration], levels: UInt32, _ context: InstanceContext) throws(ComponentError) {
        for declaration in declarations {
            switch declaration {
            case .alias(let alias): try checkOuterAlias(alias, levels: levels, context)
            case .type(.instance(let nested)), .type(.component(let nested)):
                try checkOuterAliases(nested, levels: levels + 1, context)
            default: break
            }
        }
    }

    private static func checkOuterAlias(_ alias: Alias, levels: UInt32, _ context: InstanceContext) throws(ComponentError) {
        guard alias.sort == .type, case .outer(let count, let index) = alias.target, count > levels else { return }
        guard try context.outer(count - levels - 1).types.entry(index).refersToResources else { return }
        throw ComponentError(.invalid, "an outer alias of type \(index) transitively refers to resources across a component boundary")
    }

    /// Whether two type-index entries are the same type: value and function types structurally,
    /// resources by identity.
    static func sameType(_ a: TypeEntry, _ b: TypeEntry) -> Bool {
        switch (a, b) {
        case (.value(let x), .value(let y)): x == y
        case (.function(let x), .function(let y)): x == y
        case (.resource(let x), .resource(let y)): x === y
        default: false
        }
    }

    static func describe(_ entry: TypeEntry) -> String {
        switch entry {
        case .value(let type): "\(type)"
        case .function(let type): "\(type)"
        case .resource(let type): "resource \(type)"
        default: entry.kind
        }
    }
}

/// The names a component exports its functions and types under, by index, so that lifted
/// functions and defined resources carry them in messages.
private struct ExportNames {
    var functions: [UInt32: String] = [:]
    var types: [UInt32: String] = [:]

    init(_ ast: ComponentAST) {
        for case .export(let export) in ast.definitions {
            switch export.item.sort {
            case .function where functions[export.item.index] == nil: functions[export.item.index] = export.name
            case .type where types[export.item.index] == nil: types[export.item.index] = export.name
            default: break
            }
        }
    }
}
