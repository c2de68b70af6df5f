// The decoded form of a component binary: definitions in section order, every index unresolved.

import WasmKit

/// A component's definitions in the order its sections give them. Each definition appends to
/// one index space; indices in later definitions refer to those spaces as they stand then.
struct ComponentAST: Sendable {
    var definitions: [Definition] = []
}

/// One definition of a component, in the order the binary gives it.
enum Definition: Sendable {
    /// An embedded core module, parsed and validated by WasmKit when the component is read.
    case coreModule(CoreModule)
    case coreInstance(CoreInstanceExpression)
    case component(ComponentAST)
    case instance(InstanceExpression)
    case alias(Alias)
    case type(TypeDefinition)
    case canon(Canon)
    case `import`(ImportDefinition)
    case export(ExportDefinition)
}

/// An embedded core module: instrumented with interrupt points (``InterruptPoints``), parsed,
/// and, in a component made reusable (``Component/reusable()``), rewritten to export all of its
/// mutable state (``StateExports``).
struct CoreModule: Sendable {
    let module: Module
    /// The instrumented binary `module` was parsed from.
    let bytes: [UInt8]
    /// The exports that reach the module's state; nil until the component is made reusable.
    let state: StateExports?
}

/// The sorts of the core index spaces.
enum CoreSort: UInt8, Sendable, CustomStringConvertible {
    case function = 0x00
    case table = 0x01
    case memory = 0x02
    case global = 0x03
    case tag = 0x04
    case type = 0x10
    case module = 0x11
    case instance = 0x12

    var description: String {
        switch self {
        case .function: "core func"
        case .table: "core table"
        case .memory: "core memory"
        case .global: "core global"
        case .tag: "core tag"
        case .type: "core type"
        case .module: "core module"
        case .instance: "core instance"
        }
    }
}

/// The sorts of a component's index spaces, core ones included.
enum Sort: Sendable, Hashable, CustomStringConvertible {
    case core(CoreSort)
    case function
    case value
    case type
    case component
    case instance

    var description: String {
        switch self {
        case .core(let sort): sort.description
        case .function: "func"
        case .value: "value"
        case .type: "type"
        case .component: "component"
        case .instance: "instance"
        }
    }
}

/// A sort and an index into that sort's index space.
struct SortIndex: Sendable {
    let sort: Sort
    let index: UInt32
}

/// `(core instance ...)`: instantiate a module with named instances, or bundle exports.
enum CoreInstanceExpression: Sendable {
    case instantiate(module: UInt32, arguments: [(name: String, instance: UInt32)])
    case exports([(name: String, sort: CoreSort, index: UInt32)])
}

/// `(instance ...)`: instantiate a component with named arguments, or bundle exports.
enum InstanceExpression: Sendable {
    case instantiate(component: UInt32, arguments: [(name: String, item: SortIndex)])
    case exports([(name: String, item: SortIndex)])
}

/// `(alias ...)`: a new index for an export of an instance or for an enclosing scope's item.
struct Alias: Sendable {
    enum Target: Sendable {
        case export(instance: UInt32, name: String)
        case coreExport(instance: UInt32, name: String)
        case outer(count: UInt32, index: UInt32)
    }

    let sort: Sort
    let target: Target
}

/// A primitive value type.
enum PrimitiveType: UInt8, Sendable {
    case bool = 0x7f, s8 = 0x7e, u8 = 0x7d, s16 = 0x7c, u16 = 0x7b, s32 = 0x7a, u32 = 0x79
    case s64 = 0x78, u64 = 0x77, f32 = 0x76, f64 = 0x75, char = 0x74, string = 0x73

    var valueType: ValueType {
        switch self {
        case .bool: .bool
        case .s8: .s8
        case .u8: .u8
        case .s16: .s16
        case .u16: .u16
        case .s32: .s32
        case .u32: .u32
        case .s64: .s64
        case .u64: .u64
        case .f32: .f32
        case .f64: .f64
        case .char: .char
        case .string: .string
        }
    }
}

/// A value type as written: a primitive or an index into the type index space.
enum ValueTypeReference: Sendable {
    case primitive(PrimitiveType)
    case index(UInt32)
}

/// A defined value type, its component types still unresolved.
enum DefinedValueType: Sendable {
    case primitive(PrimitiveType)
    case record([(name: String, type: ValueTypeReference)])
    case variant([(name: String, type: ValueTypeReference?)])
    case list(ValueTypeReference)
    case tuple([ValueTypeReference])
    case flags([String])
    case `enum`([String])
    case option(ValueTypeReference)
    case result(ok: ValueTypeReference?, error: ValueTypeReference?)
    case own(UInt32)
    case borrow(UInt32)
}

/// A component function type, as written.
struct FunctionTypeDefinition: Sendable {
    let parameters: [(name: String, type: ValueTypeReference)]
    let result: ValueTypeReference?
}

/// `(type ...)`: one entry of the type index space.
indirect enum TypeDefinition: Sendable {
    case value(DefinedValueType)
    case function(FunctionTypeDefinition)
    case component([TypeDeclaration])
    case instance([TypeDeclaration])
    /// A resource defined by this component: its representation is always `i32`.
    case resource(destructor: UInt32?)
}

/// A declaration inside a component or instance type.
enum TypeDeclaration: Sendable {
    case type(TypeDefinition)
    case alias(Alias)
    case export(name: String, type: ExternType)
    case `import`(name: String, type: ExternType)
}

/// The type bound of an imported or exported type.
enum TypeBound: Sendable {
    case equal(UInt32)
    case subResource
}

/// The type of an import or an export.
enum ExternType: Sendable {
    case coreModule(UInt32)
    case function(UInt32)
    case type(TypeBound)
    case component(UInt32)
    case instance(UInt32)

    var sort: Sort {
        switch self {
        case .coreModule: .core(.module)
        case .function: .function
        case .type: .type
        case .component: .component
        case .instance: .instance
        }
    }
}

/// How strings cross the boundary of a lifted or lowered function.
enum StringEncodingOption: Sendable {
    case utf8, utf16, latin1UTF16
}

/// The options of `canon lift` and `canon lower`, as indices into the core index spaces.
struct CanonOptionsDefinition: Sendable {
    var stringEncoding: StringEncodingOption = .utf8
    var memory: UInt32?
    var realloc: UInt32?
    var postReturn: UInt32?
}

/// `(canon ...)`: the synchronous canonical definitions.
enum Canon: Sendable {
    case lift(coreFunction: UInt32, options: CanonOptionsDefinition, type: UInt32)
    case lower(function: UInt32, options: CanonOptionsDefinition)
    case resourceNew(type: UInt32)
    case resourceDrop(type: UInt32)
    case resourceRep(type: UInt32)
}

/// `(import "name" type)`.
struct ImportDefinition: Sendable {
    let name: String
    let type: ExternType
}

/// `(export "name" item type?)`.
struct ExportDefinition: Sendable {
    let name: String
    let item: SortIndex
    let type: ExternType?
}
