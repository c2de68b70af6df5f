// The typed WASI 0.2 boundary: each host function's parameters decoded once, by the Swift types that mirror their WIT types.
import CapComponent

/// A Swift type mirroring a WIT type a WASI 0.2 host function takes: `u64` is `UInt64`,
/// `string` is `String`, `list<u8>` is `[UInt8]`, flags are ``WITFlags`` option sets, a borrowed
/// or owned resource is the host object behind it (``FilesystemDescriptor``, ``InputStream``,
/// ...). ``Preview2Host/define(_:_:_:_:)`` decodes every argument of a call by its
/// parameter's type before the body runs, so a body never reads a `ComponentValue` or an
/// argument by position; a value of another type traps, naming the argument.
protocol HostArgument {
    /// `value` as this type, resources looked up in `host`; `nil` if it is not one.
    static func decode(_ value: ComponentValue, in host: Preview2Host) -> Self?
    /// The next argument of a call as this type, read straight from the guest where the type
    /// allows (numbers, strings, bytes, flags, enums, handles); by default lifted to a value and
    /// decoded. `nil` if it is not one; a trap where the declared type is another.
    static func read(from arguments: inout ComponentArguments, in host: Preview2Host) throws -> Self?
    /// What the WIT calls this type, for the trap of an argument that is not one.
    static var witName: String { get }
}

extension HostArgument {
    static func read(from arguments: inout ComponentArguments, in host: Preview2Host) throws -> Self? {
        decode(try arguments.next(), in: host)
    }
}

extension UInt64: HostArgument {
    static func decode(_ value: ComponentValue, in host: Preview2Host) -> UInt64? {
        guard case .u64(let number) = value else { return nil }
        return number
    }
    static func read(from arguments: inout ComponentArguments, in host: Preview2Host) throws -> UInt64? {
        try arguments.u64()
    }
    static var witName: String { "a u64" }
}

extension UInt8: HostArgument {
    static func decode(_ value: ComponentValue, in host: Preview2Host) -> UInt8? {
        guard case .u8(let number) = value else { return nil }
        return number
    }
    static func read(from arguments: inout ComponentArguments, in host: Preview2Host) throws -> UInt8? {
        try arguments.u8()
    }
    static var witName: String { "a u8" }
}

extension String: HostArgument {
    static func decode(_ value: ComponentValue, in host: Preview2Host) -> String? {
        guard case .string(let text) = value else { return nil }
        return text
    }
    static func read(from arguments: inout ComponentArguments, in host: Preview2Host) throws -> String? {
        try arguments.string()
    }
    static var witName: String { "a string" }
}

extension Array: HostArgument where Element: HostArgument {
    /// A `list<T>`; a `list<u8>` arrives as bytes, taken as they are.
    static func decode(_ value: ComponentValue, in host: Preview2Host) -> [Element]? {
        switch value {
        case .bytes(let bytes):
            // The same type, taken as it is: an `as?` cast of an array would test every element.
            guard Element.self == UInt8.self else { return nil }
            return unsafeBitCast(bytes, to: [Element].self)
        case .list(let elements):
            var decoded: [Element] = []
            decoded.reserveCapacity(elements.count)
            for element in elements {
                guard let one = Element.decode(element, in: host) else { return nil }
                decoded.append(one)
            }
            return decoded
        default: return nil
        }
    }
    static func read(from arguments: inout ComponentArguments, in host: Preview2Host) throws -> [Element]? {
        guard Element.self == UInt8.self else { return decode(try arguments.next(), in: host) }
        return unsafeBitCast(try arguments.bytes(), to: [Element].self)
    }
    static var witName: String { "a list of \(Element.witName)" }
}

/// A `list<u8>` argument where it lies, in guest memory for a lowered call: nothing copied.
/// Valid only while the host function runs.
struct GuestBytes: HostArgument {
    let buffer: UnsafeRawBufferPointer

    static func decode(_ value: ComponentValue, in host: Preview2Host) -> GuestBytes? { nil }
    static func read(from arguments: inout ComponentArguments, in host: Preview2Host) throws -> GuestBytes? {
        GuestBytes(buffer: try arguments.bytesInPlace())
    }
    static var witName: String { "a list of a u8" }
}

/// A WIT `flags` type as a Swift option set: bit `n` is the `n`th flag the WIT declares.
protocol WITFlags: OptionSet, HostArgument where RawValue == UInt32, Element == Self {
    /// The flags' names, in the WIT's order.
    static var names: [String] { get }
}

extension WITFlags {
    static func decode(_ value: ComponentValue, in host: Preview2Host) -> Self? {
        guard case .flags(let set) = value else { return nil }
        var flags = Self()
        for name in set {
            guard let bit = names.firstIndex(of: name) else { return nil }
            flags.insert(Self(rawValue: 1 << UInt32(bit)))
        }
        return flags
    }

    static func read(from arguments: inout ComponentArguments, in host: Preview2Host) throws -> Self? {
        Self(rawValue: try arguments.flags())
    }

    /// The flags as a component value, for a result.
    var value: ComponentValue {
        .flags(Set(Self.names.indices.filter { contains(Self(rawValue: 1 << UInt32($0))) }.map { Self.names[$0] }))
    }
}

/// A WIT `enum` as a Swift enum whose raw values are the cases' positions in the WIT.
protocol WITEnum: RawRepresentable, HostArgument where RawValue == Int {}

extension WITEnum {
    static func decode(_ value: ComponentValue, in host: Preview2Host) -> Self? {
        guard case .enum(let index) = value else { return nil }
        return Self(rawValue: index)
    }

    static func read(from arguments: inout ComponentArguments, in host: Preview2Host) throws -> Self? {
        Self(rawValue: try arguments.enumCase())
    }

    /// The case as a component value, for a result.
    var value: ComponentValue { .enum(case: rawValue) }
}

/// A host object behind a resource handle, found in the instance's ``HostResourceTable``.
protocol HostResourceArgument: HostArgument {
    /// The object, if `resource` is one of this kind.
    static func extract(_ resource: HostResource) -> Self?
}

extension HostResourceArgument {
    static func decode(_ value: ComponentValue, in host: Preview2Host) -> Self? {
        switch value {
        case .own(let handle), .borrow(let handle): host.resources.get(handle.representation).flatMap(extract)
        default: nil
        }
    }

    static func read(from arguments: inout ComponentArguments, in host: Preview2Host) throws -> Self? {
        host.resources.get(try arguments.handle().representation).flatMap(extract)
    }
}

extension Preview2Host {
    /// How a function returning `result<T, E>` turns what its body threw into `err(E)`: the
    /// error value, or a rethrow for what is a trap.
    typealias ErrorResult = (_ host: Preview2Host, _ error: any Error, _ first: Any?) throws -> ComponentValue

    /// Defines `interface#name`, whose body takes the call's arguments read by the types of
    /// its parameters (``HostArgument``), straight from the guest: too few or too many, or one
    /// not of its type, traps, naming the function and the argument. The deadline and
    /// cancellation are checked before and after the body (which may have slept). A
    /// ``Preview2Trap`` the body throws is named after the function. With `errorResult`, the
    /// function returns a `result`: what the body returns is `ok`, and what it throws goes
    /// through `errorResult`, given the first argument.
    func define<each Argument: HostArgument>(
        _ linker: ComponentLinker, _ interface: String, _ name: String, errorResult: ErrorResult? = nil,
        _ body: @escaping (Preview2Host, repeat each Argument) throws -> ComponentValue?
    ) {
        let function = "\(interface)#\(name)"
        linker.defineReading(Self.interface(interface), name) { [unowned self] arguments in
            try self.policy.interrupter.check()
            var first: Any?
            func next<Read: HostArgument>(_ type: Read.Type) throws -> Read {
                let index = arguments.position
                guard index < arguments.count else {
                    throw Preview2Trap("\(function): \(arguments.count) arguments, more expected")
                }
                guard let read = try Read.read(from: &arguments, in: self) else {
                    throw Preview2Trap("\(function): argument \(index) should be \(Read.witName)")
                }
                if index == 0, errorResult != nil { first = read }
                return read
            }
            let values = (repeat try next((each Argument).self))
            guard arguments.position == arguments.count else {
                throw Preview2Trap("\(function): \(arguments.count) arguments, \(arguments.position) expected")
            }
            var result: ComponentValue?
            do {
                result = try body(self, repeat each values)
                if errorResult != nil { result = .ok(result) }
            } catch let trap as Preview2Trap {
                throw Preview2Trap("\(function): \(trap.description)")
            } catch {
                guard let errorResult else { throw error }
                result = .err(try errorResult(self, error, first))
            }
            try self.policy.interrupter.check()
            return result
        }
    }
}
