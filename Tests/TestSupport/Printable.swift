// What a log line or a terminal shows as it is: the check behind every log-forging test.

/// Whether `text` holds only scalars a terminal prints: no C0 or C1 control, no DEL, no format
/// character (bidirectional overrides, zero-width ones), no line or paragraph separator.
public func isPrintable(_ text: some StringProtocol) -> Bool {
    text.unicodeScalars.allSatisfy { scalar in
        scalar.value >= 0x20 && scalar.value != 0x7F
            && ![.control, .format, .lineSeparator, .paragraphSeparator].contains(scalar.properties.generalCategory)
    }
}
