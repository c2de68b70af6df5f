// Checks that a host-supplied ComponentValue has a type before any of it is lowered.

extension CanonicalLayout {
    /// Checks that `value` is a value of this type, all the way down.
    ///
    /// - Throws: ``ComponentTrap/Code/typeMismatch`` naming the first part that does not fit.
    func check(_ value: ComponentValue) throws(ComponentTrap) {
        switch (shape, value) {
        case (.bool, .bool), (.s8, .s8), (.u8, .u8), (.s16, .s16), (.u16, .u16), (.s32, .s32), (.u32, .u32),
            (.s64, .s64), (.u64, .u64), (.f32, .f32), (.f64, .f64), (.char, .char), (.string, .string):
            return
        case (.list(let element), .list(let elements)):
            for element_ in elements {
                try element.check(element_)
            }
        case (.list(let element), .bytes) where element.shape.isU8:
            return
        case (.record(let fields, _, let style), _):
            let values = try CanonicalCall.fields(of: value, style, count: fields.count, self)
            for (field, fieldValue) in zip(fields, values) {
                try field.check(fieldValue)
            }
        case (.variant(let variant), _):
            let (index, payload) = try CanonicalCall.variantCase(of: value, variant, self)
            if let caseLayout = variant.cases[index], let payload {
                try caseLayout.check(payload)
            }
        case (.flags(let labels, _), .flags(let names)):
            _ = try CanonicalCall.flagWords(names, labels, self)
        case (.own(let resource), .own(let handle)), (.borrow(let resource), .borrow(let handle)):
            guard handle.type === resource else {
                throw ComponentTrap(.typeMismatch, "expected a value of type \(type), got a handle of \(handle.type)")
            }
        default:
            throw CanonicalCall.mismatch(value, self)
        }
    }
}
