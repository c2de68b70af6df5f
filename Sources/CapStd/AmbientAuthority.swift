// The token that marks every use of the process's ambient file system authority.

/// Proof that the caller deliberately uses the process's ambient authority over the file system.
///
/// Only ``ambientAuthority()`` makes one, so searching a code base for `ambientAuthority()` finds
/// every place that can reach beyond the `Dir` handles it was given. Call it once, at start-up, in
/// one audited place, to open the top-level directories; pass `Dir` values everywhere else.
public struct AmbientAuthority: Sendable {
    fileprivate init() {}
}

/// Returns the token that lets ``Dir/openAmbient(_:_:resolver:)`` open a directory by absolute or
/// working-directory-relative path.
public func ambientAuthority() -> AmbientAuthority {
    AmbientAuthority()
}
