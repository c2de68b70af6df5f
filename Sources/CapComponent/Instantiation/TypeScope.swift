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
    /// Weak: the scope keeps the descriptors of the types it defines, and a descriptor is
    /// resolved only while its scope is in use. Held strongly, every scope that defined an
    /// instance or component type kept itself alive after instantiation.
    weak var enclosing: TypeScope?

    init(declarations: [TypeDeclaration], enclosing: TypeScope?) {
        self.declarations = declarations
        self.enclosing = enclosing
    }
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
            let result = try function.result.map(valueType)
            if let result, result.containsBorrow {
                throw ComponentError(.invalid, "function result cannot contain a `borrow` type (\(result))")
            }
            return .function(FunctionType(parameters: parameters, result: result))
        case .instance(let declarations):
            try DeclarationKinds.validate(declarations, enclosing: self)
            return .instance(TypeDescriptor(declarations: declarations, enclosing: self))
        case .component(let declarations):
            try DeclarationKinds.validate(declarations, enclosing: self)
            return .component(TypeDescriptor(declarations: declarations, enclosing: self))
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

extension ValueType {
    /// Whether the type, or any type inside it, satisfies `predicate`.
    func mentions(_ predicate: (ValueType) -> Bool) -> Bool {
        if predicate(self) { return true }
        switch self {
        case .list(let element), .option(let element): return element.mentions(predicate)
        case .record(let fields): return fields.contains { $0.type.mentions(predicate) }
        case .tuple(let elements): return elements.contains { $0.mentions(predicate) }
        case .variant(let cases): return cases.contains { $0.type?.mentions(predicate) ?? false }
        case .result(let ok, let error): return (ok?.mentions(predicate) ?? false) || (error?.mentions(predicate) ?? false)
        default: return false
        }
    }

    /// Whether a `borrow` handle appears anywhere in the type.
    var containsBorrow: Bool {
        mentions { if case .borrow = $0 { true } else { false } }
    }

    /// Whether an `own` or `borrow` handle appears anywhere in the type.
    var containsHandle: Bool {
        mentions {
            switch $0 {
            case .own, .borrow: true
            default: false
            }
        }
    }
}

extension TypeEntry {
    /// Whether the type is a resource type or mentions one, directly or through an outer alias
    /// of its declarations. Such a type is generative, so it may not be aliased across a
    /// component boundary.
    var refersToResources: Bool {
        switch self {
        case .resource: true
        case .value(let type): type.containsHandle
        case .function(let type): type.parameters.contains { $0.type.containsHandle } || (type.result?.containsHandle ?? false)
        case .instance(let descriptor), .component(let descriptor): descriptor.refersToResources(depth: 0)
        }
    }
}

extension TypeDescriptor {
    /// Whether an outer alias in these declarations (nested `depth` type declarations deep)
    /// reaches an enclosing type that refers to resources.
    func refersToResources(depth: UInt32) -> Bool {
        for declaration in declarations {
            switch declaration {
            case .alias(let alias) where alias.sort == .type:
                guard case .outer(let count, let index) = alias.target, count > depth else { continue }
                // A scope that is gone cannot say: assume the worst.
                guard let enclosing else { return true }
                if let entry = try? enclosing.outer(count - depth - 1).entry(index), entry.refersToResources { return true }
            case .type(.instance(let nested)), .type(.component(let nested)):
                if TypeDescriptor(declarations: nested, enclosing: enclosing).refersToResources(depth: depth + 1) { return true }
            default:
                continue
            }
        }
        return false
    }
}

/// The kinds of the entries of an instance or component type's own type index space, checked
/// when the type is defined, so that a declaration naming the wrong kind of type is invalid even
/// if nothing ever imports the type.
final class DeclarationKinds {
    enum Kind: Equatable {
        case value, function, resource, instance, component

        init(_ entry: TypeEntry) {
            switch entry {
            case .value: self = .value
            case .function: self = .function
            case .resource: self = .resource
            case .instance: self = .instance
            case .component: self = .component
            }
        }

        var name: String {
            switch self {
            case .value: "a value type"
            case .function: "a function type"
            case .resource: "a resource type"
            case .instance: "an instance type"
            case .component: "a component type"
            }
        }
    }

    private let parent: DeclarationKinds?
    private let enclosing: TypeScope
    private var kinds: [Kind] = []

    private init(parent: DeclarationKinds?, enclosing: TypeScope) {
        self.parent = parent
        self.enclosing = enclosing
    }

    static func validate(_ declarations: [TypeDeclaration], enclosing: TypeScope) throws(ComponentError) {
        try DeclarationKinds(parent: nil, enclosing: enclosing).check(declarations)
    }

    /// The kind of type `index`, `count` scopes out (0 is this declaration list's own).
    private func kind(_ index: UInt32, outer count: UInt32 = 0) throws(ComponentError) -> Kind {
        if count == 0 {
            guard Int(index) < kinds.count else {
                throw ComponentError(.invalid, "type index \(index) is out of range (there are \(kinds.count))")
            }
            return kinds[Int(index)]
        }
        if let parent { return try parent.kind(index, outer: count - 1) }
        return Kind(try enclosing.outer(count - 1).entry(index))
    }

    /// The entry an outer alias names when it leaves the enclosing component (not just these
    /// type declarations), or nil when it stays inside.
    private func crossingEntry(_ index: UInt32, outer count: UInt32) throws(ComponentError) -> TypeEntry? {
        guard count > 0 else { return nil }
        if let parent { return try parent.crossingEntry(index, outer: count - 1) }
        guard count >= 2 else { return nil }
        return try enclosing.outer(count - 1).entry(index)
    }

    private func expect(_ index: UInt32, _ kind: Kind) throws(ComponentError) {
        guard try self.kind(index) == kind else {
            throw ComponentError(.invalid, "type index \(index) is not \(kind.name)")
        }
    }

    private func check(_ declarations: [TypeDeclaration]) throws(ComponentError) {
        for declaration in declarations {
            switch declaration {
            case .type(let definition):
                switch definition {
                case .value: kinds.append(.value)
                case .function: kinds.append(.function)
                case .resource: kinds.append(.resource)
                case .instance(let nested):
                    try DeclarationKinds(parent: self, enclosing: enclosing).check(nested)
                    kinds.append(.instance)
                case .component(let nested):
                    try DeclarationKinds(parent: self, enclosing: enclosing).check(nested)
                    kinds.append(.component)
                }
            case .alias(let alias):
                guard alias.sort == .type || alias.sort == .instance else {
                    throw ComponentError(.invalid, "an alias in a type declaration may only refer to types or instances, not a \(alias.sort)")
                }
                guard alias.sort == .type else { continue }
                switch alias.target {
                case .outer(let count, let index):
                    if let entry = try crossingEntry(index, outer: count), entry.refersToResources {
                        throw ComponentError(.invalid, "an outer alias of type \(index) transitively refers to resources across a component boundary")
                    }
                    kinds.append(try kind(index, outer: count))
                default: kinds.append(.resource)
                }
            case .export(_, let type), .import(_, let type):
                switch type {
                case .function(let index): try expect(index, .function)
                case .instance(let index): try expect(index, .instance)
                case .component(let index): try expect(index, .component)
                case .type(.equal(let index)): kinds.append(try kind(index))
                case .type(.subResource): kinds.append(.resource)
                case .coreModule: break
                }
            }
        }
    }
}
