// AmbientAudit: finds ambient file system calls in Swift sources (issue #6).

/// The ambient-I/O analyzer. Its rules and policy arrive with issue #6.
public enum AmbientAudit {
    /// The calls that hand out ambient authority on purpose, which every audit lists.
    public static let ambientAuthorityCall = "ambientAuthority()"
}
