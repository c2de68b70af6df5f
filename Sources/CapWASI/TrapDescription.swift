// A trap as the embedder and the CLI show it: the reason and the first frames, never thousands, escaped.
import CapStd

/// Shortens and escapes a trap's description. WasmKit appends one line per frame of the guest's
/// stack (8,190 of them after a deep recursion), each `    N: (0xADDRESS) name` with the name
/// from the guest's own name section, which may hold any byte.
enum TrapDescription {
    /// Frames kept from the top of the guest's stack.
    static let maxFrames = 4

    /// The first line of `description` (the trap) and at most ``maxFrames`` of the frames after
    /// it, then one line counting the rest. A line that does not begin the next frame
    /// (`    N: (0x`, N counting from 0) belongs to the name before it: it is joined to it as
    /// `\n`, so a name cannot start a line of its own, and every line is escaped
    /// (``Untrusted/printable(_:)``).
    static func bounded(_ description: String) -> String {
        var entries: [Substring] = []
        for line in description.split(separator: "\n", omittingEmptySubsequences: false) {
            if entries.isEmpty || line.hasPrefix("    \(entries.count - 1): (0x") {
                entries.append(line)
            } else {
                entries[entries.count - 1] += "\n" + line
            }
        }
        var lines = entries.prefix(1 + maxFrames).map { Untrusted.printable($0) }
        if entries.count > 1 + maxFrames { lines.append("  ... \(entries.count - 1 - maxFrames) more frames") }
        return lines.joined(separator: "\n")
    }

    /// Whether `description` (a trap's, or an error wrapping one, such as `calling f: ...`) says
    /// the fuel ran out. Only its first line is read: it ends with WasmKit's reason, and the
    /// frames after it hold the guest's own names, which may say anything.
    static func isOutOfFuel(_ description: String) -> Bool {
        description.prefix(while: { $0 != "\n" }).hasSuffix("Trap: out of fuel")
    }
}
