// One ambient access found in a source file, and what the policy said about it.

/// An ambient file system access at one place in the sources.
public struct AuditFinding: Sendable, Hashable, Codable {
    /// The file, relative to the package root.
    public let file: String
    /// 1-based line and column of the access.
    public let line: Int
    public let column: Int
    /// The rule's identifier (see ``AuditRule``).
    public let rule: String
    /// The API as written, with argument labels: `FileManager.default.removeItem(atPath:)`.
    public let api: String
    /// Why the access is ambient, in one line.
    public let reason: String
    /// The allowance that approves it, or nil for a violation.
    public var approval: Allowance?

    /// Whether no allowance covers this access.
    public var isViolation: Bool { approval == nil }
}

/// An allowance: a path in the configuration file, or a marker comment on a declaration.
/// A finding carries the one that approved it; a report lists those that approved nothing (stale,
/// and a place a future ambient call could hide).
public struct Allowance: Sendable, Hashable, Codable {
    /// `config` (a path in the configuration file) or `marker` (a comment on a declaration).
    public let kind: String
    /// The configured path, or `file:line` of the marker comment.
    public let source: String
    /// The reason given for the allowance.
    public let reason: String

    public init(kind: String, source: String, reason: String) {
        self.kind = kind
        self.source = source
        self.reason = reason
    }
}

/// A source file the audit could not analyse, which therefore fails the audit.
public struct ParseFailure: Sendable, Hashable, Codable {
    public let file: String
    public let line: Int
    public let column: Int
    public let message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }
}
