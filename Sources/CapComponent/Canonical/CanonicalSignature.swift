// `flatten_functype` and the option checks of `canon lift` / `canon lower`, computed once per function.
import WasmKit

/// Which way a function crosses the boundary, as `flatten_functype`'s `context` argument.
public enum CanonicalDirection: Sendable, Hashable {
    /// `canon lift`: a core function becomes a component function.
    case lift
    /// `canon lower`: a component function becomes a core function.
    case lower
}

/// `MAX_FLAT_PARAMS` of the synchronous ABI.
let maxFlatParams = 16
/// `MAX_FLAT_RESULTS` of the synchronous ABI.
let maxFlatResults = 1

/// A component function type resolved into layouts and its flattened core signature.
struct CanonicalSignature: Sendable {
    let type: FunctionType
    let direction: CanonicalDirection
    let parameters: [CanonicalLayout]
    let result: CanonicalLayout?
    /// The parameters as one tuple, the layout of spilled parameters.
    let parameterTuple: CanonicalLayout?
    /// The flat core parameters before spilling.
    let flatParameterCount: Int
    /// Whether the parameters travel through memory behind one `i32` pointer.
    let spillsParameters: Bool
    /// Whether the result travels through memory (returned pointer on lift, `retptr` on lower).
    let spillsResult: Bool
    /// `flatten_functype(opts, type, direction)`.
    let coreType: WasmTypes.FunctionType
    let containsBorrowParameter: Bool

    init(_ type: FunctionType, direction: CanonicalDirection) throws(ComponentTrap) {
        self.type = type
        self.direction = direction
        var parameters: [CanonicalLayout] = []
        for parameter in type.parameters {
            parameters.append(try CanonicalLayout(parameter.type))
        }
        self.parameters = parameters
        result = try type.result.map { result throws(ComponentTrap) in try CanonicalLayout(result) }
        if let result, result.containsBorrow {
            throw ComponentTrap(.invalidType, "\(type) returns a borrow handle, which cannot outlive the call")
        }
        let flatParameters = parameters.flatMap(\.flat)
        flatParameterCount = flatParameters.count
        spillsParameters = flatParameters.count > maxFlatParams
        spillsResult = (result?.flat.count ?? 0) > maxFlatResults
        parameterTuple = spillsParameters ? try CanonicalLayout(.tuple(type.parameters.map(\.type))) : nil
        var coreParameters = spillsParameters ? [.i32] : flatParameters
        var coreResults = result?.flat ?? []
        if spillsResult {
            switch direction {
            case .lift:
                coreResults = [.i32]
            case .lower:
                coreParameters.append(.i32)
                coreResults = []
            }
        }
        coreType = WasmTypes.FunctionType(parameters: coreParameters, results: coreResults)
        containsBorrowParameter = parameters.contains { $0.containsBorrow }
    }

    /// The option checks of `canon lift` / `canon lower` for this type (`canonopt` validation).
    func validate(_ options: CanonicalOptions) throws(ComponentTrap) {
        let parametersNeedRealloc = parameters.contains { $0.needsRealloc }
        let resultNeedsRealloc = result?.needsRealloc ?? false
        // Values written into this side's memory need realloc: parameters of a lifted function
        // (and spilled ones, which are allocated), results of a lowered one.
        let writesNeedRealloc: Bool
        let readsNeedMemory: Bool
        switch direction {
        case .lift:
            writesNeedRealloc = parametersNeedRealloc || spillsParameters
            readsNeedMemory = resultNeedsRealloc || spillsResult
            if options.postReturn != nil {
                let expected = WasmTypes.FunctionType(parameters: coreType.results, results: [])
                guard options.postReturn?.type == expected else {
                    throw ComponentTrap(
                        .typeMismatch,
                        "post-return of \(type) has core type \(options.postReturn!.type), expected \(expected)")
                }
            }
        case .lower:
            writesNeedRealloc = resultNeedsRealloc
            readsNeedMemory = parametersNeedRealloc || spillsParameters || spillsResult
            guard options.postReturn == nil else {
                throw ComponentTrap(.invalidOptions, "post-return is only allowed on canon lift")
            }
        }
        if writesNeedRealloc && options.realloc == nil {
            throw ComponentTrap(.invalidOptions, "\(type) needs the realloc option to be \(direction == .lift ? "lifted" : "lowered")")
        }
        if (writesNeedRealloc || readsNeedMemory) && options.memory == nil {
            throw ComponentTrap(.invalidOptions, "\(type) needs the memory option to be \(direction == .lift ? "lifted" : "lowered")")
        }
    }
}

extension FunctionType {
    /// `flatten_functype`: the core function type a `canon lift` callee must have, or the one a
    /// `canon lower` produces.
    ///
    /// - Throws: ``ComponentTrap/Code/invalidType`` if a parameter or the result cannot cross
    ///   a component boundary (an empty record, variant or flags; a `borrow` in the result).
    public func coreType(for direction: CanonicalDirection) throws(ComponentTrap) -> WasmTypes.FunctionType {
        try CanonicalSignature(self, direction: direction).coreType
    }
}

extension ValueType {
    /// `flatten_type`: the core values this type becomes when passed in registers.
    public func flatTypes() throws(ComponentTrap) -> [WasmKit.ValueType] { try CanonicalLayout(self).flat }

    /// `elem_size`: the bytes a value of this type occupies in a 32-bit memory.
    public func byteSize() throws(ComponentTrap) -> UInt32 { try CanonicalLayout(self).size }

    /// `alignment`: the alignment of this type in a 32-bit memory.
    public func byteAlignment() throws(ComponentTrap) -> UInt32 { try CanonicalLayout(self).alignment }
}
