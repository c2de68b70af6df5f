// A trap as the embedder and the CLI show it: the reason and the first frames, never thousands.

/// Shortens a trap's description: WasmKit appends one line per frame of the guest's stack,
/// 8,190 of them after a deep recursion.
enum TrapDescription {
    /// Frames kept from the top of the guest's stack.
    static let maxFrames = 4

    /// The first line of `description` (the trap) and at most ``maxFrames`` of the frame lines
    /// after it, then one line counting the rest.
    static func bounded(_ description: String) -> String {
        let lines = description.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count > 1 + maxFrames + 1 else { return description }
        let hidden = lines.count - 1 - maxFrames
        return (lines.prefix(1 + maxFrames) + ["  ... \(hidden) more frames"]).joined(separator: "\n")
    }
}
