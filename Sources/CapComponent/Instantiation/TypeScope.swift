// The component type index space of one instance or type declaration, and type resolution into ValueType.

/// One entry of a component type index space, with every index it mentions resolved.
enum TypeEntry {
    case value(ValueType)
    case function(FunctionType)
    case resource(ResourceType)
    /// An instance type: its declarations are resolved when something is checked against it,
    /// since each `(sub resource)` export is bound to whatever provides the instance.
    case instance(TypeDescriptor)
    case component(TypeDescriptor)

    var kind: String {
        switch self {
        case .value: "a value type"
        case .function: "a function type"
        case .resource: "a resource type"
        case .instance: "an instance type"
        case .component: "a component type"
        }
    }
}

/// The declarations of an instance or component type with the scope its outer aliases see.
struct TypeDescriptor {
    let declarations: [TypeDeclaration]
    let enclosing: TypeScope
}

/// The shape of an instance as an instance type describes it, resources bound.
final class InstanceShape {
    var functions: [(name: String, type: FunctionType)] = []
    var resources: [(name: String, type: ResourceType)] = []
    /// The other exported types, such as `(export "datetime" (type (eq 5)))`.
    var types: [(name: String, type: TypeEntry)] = []
    var instances: [(name: String, shape: InstanceShape)] = []
}

/// A type index space. Outer aliases walk `parent`: an instance type's scope sits inside the
/// component (or type) that declares it, and a nested component's inside its enclosing one.
final class TypeScope {
    let parent: TypeScope?
    private(set) var entries: [TypeEntry] = []

    init(parent: TypeScope?) {
        self.parent = parent
    }

    func append(_ entry: TypeEntry) { entries.append(entry) }

    func entry(_ index: UInt32) throws(ComponentError) -> TypeEntry {
        guard Int(index) < entries.count else {
            throw ComponentError(.invalid, "type index \(index) is out of range (there are \(entries.count))")
        }
        return entries[Int(index)]
    }

    func outer(_ count: UInt32) throws(ComponentError) -> TypeScope {
        var scope = self
        for _ in 0..<count {
            guard let parent = scope.parent else {
                throw ComponentError(.invalid, "outer alias count \(count) exceeds the enclosing scopes")
            }
            scope = parent
        }
        return scope
    }

    // MARK: Resolution

    func valueType(_ reference: ValueTypeReference) throws(ComponentError) -> ValueType {
        switch reference {
        case .primitive(let primitive): return primitive.valueType
        case .index(let index):
            guard case .value(let type) = try entry(index) else {
                throw ComponentError(.invalid, "type \(index) is \(try entry(index).kind), not a value type")
            }
            return type
        }
    }

    func resource(_ index: UInt32) throws(ComponentError) -> ResourceType {
        guard case .resource(let type) = try entry(index) else {
            throw ComponentError(.invalid, "type \(index) is \(try entry(index).kind), not a resource type")
        }
        return type
    }

    func function(_ index: UInt32) throws(ComponentError) -> FunctionType {
        guard case .function(let type) = try entry(index) else {
            throw ComponentError(.invalid, "type \(index) is \(try entry(index).kind), not a function type")
        }
        return type
    }

    func instanceType(_ index: UInt32) throws(ComponentError) -> TypeDescriptor {
        guard case .instance(let descriptor) = try entry(index) else {
            throw ComponentError(.invalid, "type \(index) is \(try entry(index).kind), not an instance type")
        }
        return descriptor
    }

    /// Resolves a type definition in this scope. Resource definitions are the caller's: each
    /// instantiation makes a fresh ``ResourceType``.
    func resolve(_ definition: TypeDefinition) throws(ComponentError) -> TypeEntry {
        switch definition {
        case .value(let value): return .value(try resolve(value))
        case .function(let function):
            var parameters: [ValueType.Field] = []
            for parameter in function.parameters {
                parameters.append(ValueType.Field(parameter.name, try valueType(parameter.type)))
            }
            return .function(FunctionType(parameters: parameters, result: try function.result.map(valueType)))
        case .instance(let declarations): return .instance(TypeDescriptor(declarations: declarations, enclosing: self))
        case .component(let declarations): return .component(TypeDescriptor(declarations: declarations, enclosing: self))
        case .resource:
            throw ComponentError(.invalid, "a resource can only be defined by a component")
        }
    }

    private func resolve(_ value: DefinedValueType) throws(ComponentError) -> ValueType {
        switch value {
        case .primitive(let primitive): return primitive.valueType
        case .record(let fields):
            var result: [ValueType.Field] = []
            for field in fields { result.append(ValueType.Field(field.name, try valueType(field.type))) }
            return .record(result)
        case .variant(let cases):
            var result: [ValueType.Case] = []
            for item in cases { result.append(ValueType.Case(item.name, try item.type.map(valueType))) }
            return .variant(result)
        case .list(let element): return .list(try valueType(element))
        case .tuple(let elements):
            var result: [ValueType] = []
            for element in elements { result.append(try valueType(element)) }
            return .tuple(result)
        case .flags(let names): return .flags(names)
        case .enum(let names): return .enum(names)
        case .option(let inner): return .option(try valueType(inner))
        case .result(let ok, let error): return .result(ok: try ok.map(valueType), error: try error.map(valueType))
        case .own(let index): return .own(try resource(index))
        case .borrow(let index): return .borrow(try resource(index))
        }
    }
}

extension TypeDescriptor {
    /// Resolves an instance type's declarations, asking `bind` for the resource type of each
    /// `(export "name" (type (sub resource)))`.
    func instanceShape(
        path: String, bind: (_ path: String, _ name: String) throws(ComponentError) -> ResourceType
    ) throws(ComponentError) -> InstanceShape {
        let scope = TypeScope(parent: enclosing)
        let shape = InstanceShape()
        var instances: [InstanceShape] = []
        for declaration in declarations {
            switch declaration {
            case .type(let definition):
                scope.append(try scope.resolve(definition))
            case .alias(let alias):
                switch (alias.sort, alias.target) {
                case (.type, .outer(let count, let index)):
                    scope.append(try scope.outer(count).entry(index))
                case (.type, .export(let instance, let name)):
                    guard Int(instance) < instances.count,
                        let resource = instances[Int(instance)].resources.first(where: { $0.name == name })
                    else {
                        throw ComponentError(.invalid, "an instance type aliases \(name), which no declared instance exports as a type")
                    }
                    scope.append(.resource(resource.type))
                default:
                    throw ComponentError(.unsupported, "a \(alias.sort) alias in an instance type is not supported")
                }
            case .export(let name, let type), .import(let name, let type):
                switch type {
                case .function(let index):
                    shape.functions.append((name: name, type: try scope.function(index)))
                case .type(.subResource):
                    let resource = try bind(path, name)
                    scope.append(.resource(resource))
                    shape.resources.append((name: name, type: resource))
                case .type(.equal(let index)):
                    let entry = try scope.entry(index)
                    scope.append(entry)
                    if case .resource(let resource) = entry {
                        shape.resources.append((name: name, type: resource))
                    } else {
                        shape.types.append((name: name, type: entry))
                    }
                case .instance(let index):
                    let nested = try scope.instanceType(index).instanceShape(path: name, bind: bind)
                    instances.append(nested)
                    shape.instances.append((name: name, shape: nested))
                case .component, .coreModule:
                    throw ComponentError(.unsupported, "instance types exporting \(type.sort)s are not supported")
                }
            }
        }
        return shape
    }
}
