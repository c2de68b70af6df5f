// A resource type: an abstract type whose values are handles, equal only to itself.

/// A resource type. Resource types are generative: each definition (and each instantiation of
/// a component that defines one) makes a new type, equal only to itself, whatever its name.
///
/// The name is for messages only. Whoever implements the resource (the host, or a component
/// instance through `canon resource.new`) keeps its representations and its destructor; a
/// ``ResourceType`` only says which kind of handle a value is.
public final class ResourceType: Sendable, Hashable, CustomStringConvertible {
    public let name: String

    public init(name: String) {
        self.name = name
    }

    public static func == (lhs: ResourceType, rhs: ResourceType) -> Bool { lhs === rhs }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(self))
    }

    public var description: String { name }
}
