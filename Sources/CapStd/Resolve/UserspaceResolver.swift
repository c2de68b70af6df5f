// Resolution beneath a directory without openat2: one component at a time, `..` on our own stack.
import SystemPackage

/// The fallback resolver, for kernels without `openat2(2)` (before Linux 5.6) or where a seccomp
/// filter blocks it. It gives the same answers as `openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)`:
///
/// - every component is opened with `O_NOFOLLOW` relative to the directory held for its parent;
///   a symlink is read with `readlinkat` and its target spliced into the remaining path;
/// - `..` closes the innermost held directory and is never sent to the kernel, so resolution can
///   never climb above the base; popping the base itself is an escape (`EXDEV`);
/// - an absolute path or symlink target is an escape (`EXDEV`); a procfs magic link is `ELOOP`;
/// - a trailing slash makes the final component follow symlinks and demand a directory, as the
///   kernel does (passing `name/` with `O_NOFOLLOW` to the kernel would follow it unconfined).
///
/// Residual race: a directory already entered stays usable if someone with authority outside the
/// base moves it out of the tree mid-walk; only what lies beneath it can then be reached, as with
/// the kernel's own downward walk. Nothing above a held directory is ever looked up.
enum UserspaceResolver {
    /// Linux's MAXSYMLINKS: the kernel's own limit, so both resolvers fail on the same path.
    static let maxSymlinkExpansions = 40

    private static let slash = UInt8(ascii: "/")
    private static let dot = UInt8(ascii: ".")

    /// Opens `path` beneath `base` with `flags` (`O_NOFOLLOW` means: do not follow a final symlink).
    /// - Returns: a new descriptor the caller owns.
    static func open(_ base: Int32, _ path: UnsafeBufferPointer<UInt8>, flags: Int32, mode: Syscalls.Mode) throws(Errno) -> Int32 {
        if path.isEmpty { throw .noSuchFileOrDirectory }
        if path[0] == slash { throw .improperLink }

        var walk = Walk(base: base, path: path)
        defer { walk.releaseAll() }
        return try walk.run(flags: flags, mode: mode)
    }

    private struct Walk {
        let base: Int32
        /// The path still to resolve, NUL-terminated, starting at `position`.
        var remaining: [UInt8]
        var position = 0
        /// Directories entered below `base`, innermost last; each is owned and closed here.
        var held: [Int32] = []
        var expansions = 0

        init(base: Int32, path: UnsafeBufferPointer<UInt8>) {
            self.base = base
            remaining = Array(path)
            remaining.append(0)
            held.reserveCapacity(8)
        }

        var current: Int32 { held.last ?? base }

        mutating func releaseAll() {
            for fd in held { Syscalls.close(fd) }
            held.removeAll()
        }

        mutating func run(flags: Int32, mode: Syscalls.Mode) throws(Errno) -> Int32 {
            while true {
                let end = remaining.count - 1
                while position < end && remaining[position] == slash { position += 1 }
                let start = position
                while position < end && remaining[position] != slash { position += 1 }
                let stop = position
                while position < end && remaining[position] == slash { position += 1 }
                let isLast = position == end
                let hasTrailingSlash = isLast && stop < end

                let length = stop - start
                if length == 1 && remaining[start] == dot {
                    if isLast { return try openCurrent(flags: flags, mode: mode) }
                    continue
                }
                if length == 2 && remaining[start] == dot && remaining[start + 1] == dot {
                    guard let innermost = held.popLast() else { throw .improperLink }
                    Syscalls.close(innermost)
                    if isLast { return try openCurrent(flags: flags, mode: mode) }
                    continue
                }

                let parent = current
                if !isLast {
                    do {
                        let fd = try withName(start, stop) { name throws(Errno) in
                            try Syscalls.openat(parent, name, flags: Syscalls.openPath | Syscalls.openDirectory | Syscalls.openNoFollow)
                        }
                        held.append(fd)
                    } catch .notDirectory {
                        guard let target = try symlinkTarget(start, stop) else { throw .notDirectory }
                        try splice(target, rest: position, demandDirectory: true)
                    }
                    continue
                }

                let follow = flags & Syscalls.openNoFollow == 0 || hasTrailingSlash
                var finalFlags = flags | Syscalls.openNoFollow
                if hasTrailingSlash {
                    if flags & Syscalls.openCreate != 0 { throw .isDirectory }
                    finalFlags |= Syscalls.openDirectory
                }
                if !follow {
                    return try withName(start, stop) { name throws(Errno) in
                        try Syscalls.openat(parent, name, flags: finalFlags, mode: mode)
                    }
                }
                do throws(Errno) {
                    let fd = try withName(start, stop) { name throws(Errno) in
                        try Syscalls.openat(parent, name, flags: finalFlags, mode: mode)
                    }
                    // O_PATH | O_NOFOLLOW opens a symlink itself rather than failing on it.
                    if finalFlags & Syscalls.openPath != 0 && finalFlags & Syscalls.openDirectory == 0 {
                        let isSymlink: Bool
                        do throws(Errno) { isSymlink = try Syscalls.fstat(fd).st_mode & Syscalls.fileTypeMask == Syscalls.typeSymlink } catch {
                            Syscalls.close(fd)
                            throw error
                        }
                        if isSymlink {
                            Syscalls.close(fd)
                            guard let target = try symlinkTarget(start, stop) else { throw .tooManySymbolicLinkLevels }
                            try splice(target, rest: end, demandDirectory: hasTrailingSlash)
                            continue
                        }
                    }
                    return fd
                } catch .tooManySymbolicLinkLevels {
                    guard let target = try symlinkTarget(start, stop) else { throw .tooManySymbolicLinkLevels }
                    try splice(target, rest: end, demandDirectory: hasTrailingSlash)
                } catch .notDirectory where finalFlags & Syscalls.openDirectory != 0 {
                    guard let target = try symlinkTarget(start, stop) else { throw .notDirectory }
                    try splice(target, rest: end, demandDirectory: hasTrailingSlash)
                }
            }
        }

        /// Opens the directory reached so far; the kernel then gives its own answer for `.` with
        /// these flags (`EISDIR` for a write or create), exactly as for `dir/.` through openat2.
        private func openCurrent(flags: Int32, mode: Syscalls.Mode) throws(Errno) -> Int32 {
            try Syscalls.openat(current, ".", flags: flags, mode: mode)
        }

        /// Calls `body` with the component `remaining[start..<stop]` as a C string, in place.
        private mutating func withName<R>(
            _ start: Int, _ stop: Int, _ body: (UnsafePointer<CChar>) throws(Errno) -> R
        ) throws(Errno) -> R {
            let saved = remaining[stop]
            remaining[stop] = 0
            defer { remaining[stop] = saved }
            return try remaining.withUnsafeBufferPointer { (buffer) throws(Errno) -> R in
                try body(UnsafeRawPointer(buffer.baseAddress! + start).assumingMemoryBound(to: CChar.self))
            }
        }

        /// The target of the component if it is a symlink, or nil if it is not one.
        private mutating func symlinkTarget(_ start: Int, _ stop: Int) throws(Errno) -> [UInt8]? {
            let parent = current
            do {
                return try withName(start, stop) { name throws(Errno) in try Syscalls.readlinkat(parent, name) }
            } catch .invalidArgument {
                return nil
            }
        }

        /// Replaces the component just read by the symlink's target, followed by what was left
        /// from `rest` (a trailing slash is kept when the final component had to be a directory).
        private mutating func splice(_ target: [UInt8], rest: Int, demandDirectory: Bool) throws(Errno) {
            expansions += 1
            if expansions > UserspaceResolver.maxSymlinkExpansions { throw .tooManySymbolicLinkLevels }
            if target.isEmpty { throw .noSuchFileOrDirectory }
            if target[0] == slash || target.contains(UInt8(ascii: ":")) {
                // procfs magic links (fd/N, exe, cwd, root, ns/*) have absolute or "type:[id]"
                // targets; RESOLVE_NO_MAGICLINKS refuses them with ELOOP, and so do we.
                if try Syscalls.fileSystemType(current) == Syscalls.procSuperMagic { throw .tooManySymbolicLinkLevels }
                if target[0] == slash { throw .improperLink }
            }
            var next = target
            let end = remaining.count - 1
            if rest < end {
                next.append(slash)
                next.append(contentsOf: remaining[rest..<end])
            } else if demandDirectory {
                next.append(slash)
            }
            next.append(0)
            remaining = next
            position = 0
        }
    }
}
