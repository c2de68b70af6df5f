// A trap as the embedder and the CLI show it: the reason and the first frames, never thousands, escaped.
import CapStd
import WasmKit

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

    /// Whether WasmKit's `trap` is the fuel running out. WasmKit 0.4.2 keeps a trap's reason
    /// internal; its description begins with it (`Trap: out of fuel`), and only the frames
    /// after that line hold the guest's own names.
    static func isOutOfFuel(_ trap: Trap) -> Bool {
        "\(trap)".prefix(while: { $0 != "\n" }) == "Trap: out of fuel"
    }
}
