// A directory as a guest holds it, and every path operation on it, once for every WASI version.
import CapStd
import SystemPackage

/// A directory a guest holds, through a preopen or one it opened beneath one, and the path
/// operations every WASI version's host performs on it: the semantics of the guest filesystem,
/// written once.
///
/// Each operation is one CapStd call beneath ``dir`` (so nothing leads outside it), with the
/// rules the versions share: new entries counted against the write quota
/// (``InstancePolicy/createEntry(_:guestPath:preopen:_:)``), escapes, read-only refusals and
/// absolute link targets reported as denials under the guest's own name for the path, a failed
/// link or rename blamed on the side whose path failed, and a directory opened without asking
/// for one still opened as a directory. The hosts keep what their interface alone defines:
/// reading arguments, rights (preview 1) and descriptor flags (0.2), descriptor tables, and
/// how a failure is told (``FilesystemFailure``, from which each takes its own code).
///
/// `operation` names the call in the version's own terms (`path_open`,
/// `descriptor.open-at`), for denial reports.
///
/// Not a descriptor: the hosts' descriptors hold ``dir`` and the names, and make a
/// `GuestDirectory` for each operation. Confined, with its policy, to the thread running the
/// instance.
struct GuestDirectory {
    /// The directory, read-only or read-write.
    let dir: Dir
    /// How the guest names it, such as `/output/logs`.
    let guestPath: String
    /// The preopen it was reached through, such as `/output`.
    let preopen: String
    /// The instance's denial reports and write quota.
    let policy: InstancePolicy

    /// How the guest names `path` beneath this directory (`/config/a`, and `/a` under `/`),
    /// escaped (``RawPath/description``) for reports.
    func guestPath(of path: RawPath) -> String {
        Self.guestPath(of: path, beneath: guestPath)
    }

    /// How the guest names `path` beneath the directory it names `base`.
    static func guestPath(of path: RawPath, beneath base: String) -> String {
        (base.hasSuffix("/") ? base : base + "/") + path.description
    }

    /// Runs one CapStd call on `path`, a failure told as ``FilesystemFailure`` and reported if
    /// it is a denial.
    func capStd<Result>(
        _ operation: String, _ path: RawPath, _ body: () throws(CapStdError) -> Result
    ) throws(FilesystemFailure) -> Result {
        do { return try body() } catch {
            throw policy.fail(operation, guestPath: guestPath(of: path), preopen: preopen, error)
        }
    }

    /// Runs `create` on `path` as one new entry of the write quota.
    private func createEntry(_ operation: String, _ path: RawPath, _ create: () throws(CapStdError) -> Void) throws(FilesystemFailure) {
        try policy.createEntry(operation, guestPath: guestPath(of: path), preopen: preopen) { () throws(FilesystemFailure) in
            try capStd(operation, path, create)
        }
    }

    // MARK: Entries

    func createDirectory(_ path: RawPath, _ operation: String) throws(FilesystemFailure) {
        try createEntry(operation, path) { () throws(CapStdError) in try dir.createDir(path) }
    }

    func removeDirectory(_ path: RawPath, _ operation: String) throws(FilesystemFailure) {
        try capStd(operation, path) { () throws(CapStdError) in try dir.removeDir(path) }
    }

    func removeFile(_ path: RawPath, _ operation: String) throws(FilesystemFailure) {
        try capStd(operation, path) { () throws(CapStdError) in try dir.removeFile(path) }
    }

    /// A symbolic link at `path` whose text is `target`, which may name nothing yet but may not
    /// be absolute (CapStd's policy).
    func symlink(target: RawPath, at path: RawPath, _ operation: String) throws(FilesystemFailure) {
        try createEntry(operation, path) { () throws(CapStdError) in try dir.symlink(target: target, at: path) }
    }

    /// The text of the symbolic link at `path`. An absolute target is refused (reported, and
    /// `not-permitted`, which is what cap-std's `read_link` gives Wasmtime): its text would tell
    /// the guest where other trees live on the host.
    func readLink(_ path: RawPath, _ operation: String) throws(FilesystemFailure) -> RawPath {
        let target = try capStd(operation, path) { () throws(CapStdError) in try dir.readLinkContents(path) }
        guard !target.isAbsolute else {
            let failure = FilesystemFailure(.notPermitted, "the link's target is absolute, outside every preopen")
            policy.deny(operation, guestPath: guestPath(of: path), preopen: preopen, reason: failure.description, failure)
            throw failure
        }
        return target
    }

    /// A hard link to `path` at `targetPath` beneath `target`. Linking what a symlink at
    /// `path` points to is `invalid`: it would need resolving the link first, and Linux's
    /// `linkat` without `AT_SYMLINK_FOLLOW` is what wasi-libc's `link()` asks for.
    func link(
        _ path: RawPath, followSymlinks: Bool, to targetPath: RawPath, in target: GuestDirectory, _ operation: String
    ) throws(FilesystemFailure) {
        guard !followSymlinks else { throw FilesystemFailure(.invalid) }
        try policy.createEntry(operation, guestPath: target.guestPath(of: targetPath), preopen: target.preopen) {
            () throws(FilesystemFailure) in
            do throws(CapStdError) {
                try dir.hardLink(path, to: targetPath, in: target.dir)
            } catch {
                throw blame(error, path, target, targetPath, operation)
            }
        }
    }

    /// Moves `path` to `targetPath` beneath `target`.
    func rename(_ path: RawPath, to targetPath: RawPath, in target: GuestDirectory, _ operation: String) throws(FilesystemFailure) {
        do throws(CapStdError) {
            try dir.rename(path, to: targetPath, in: target.dir)
        } catch {
            throw blame(error, path, target, targetPath, operation)
        }
    }

    /// A two-path operation's failure, reported under the path CapStd names in it: the source
    /// (`path` beneath this directory) if it is that one, the target otherwise.
    private func blame(
        _ error: CapStdError, _ path: RawPath, _ target: GuestDirectory, _ targetPath: RawPath, _ operation: String
    ) -> FilesystemFailure {
        let (blamed, blamedPath) = error.path == path ? (self, path) : (target, targetPath)
        return policy.fail(operation, guestPath: blamed.guestPath(of: blamedPath), preopen: blamed.preopen, error)
    }

    // MARK: Metadata

    /// The metadata of `path`, or of the link itself when `followSymlinks` is off.
    func metadata(of path: RawPath, followSymlinks: Bool, _ operation: String) throws(FilesystemFailure) -> Metadata {
        try capStd(operation, path) { () throws(CapStdError) in
            followSymlinks ? try dir.metadata(path) : try dir.symlinkMetadata(path)
        }
    }

    func setTimes(
        of path: RawPath, accessed: TimestampUpdate, modified: TimestampUpdate, followSymlinks: Bool, _ operation: String
    ) throws(FilesystemFailure) {
        try capStd(operation, path) { () throws(CapStdError) in
            try dir.setTimes(path, accessed: accessed, modified: modified, followSymlinks: followSymlinks)
        }
    }

    // MARK: Opening

    /// What ``open(_:_:_:)`` opened.
    enum Opened {
        case directory(Dir)
        /// A file and its type, taken when it was opened.
        case file(File, FileType)
    }

    /// What a guest asks of an open, in the terms every WASI version shares (preview 1's
    /// `oflags`, rights and `fdflags`, 0.2's `open-flags` and `descriptor-flags`).
    struct OpenRequest {
        /// Only a directory may be opened (`O_DIRECTORY`, `open-flags.directory`).
        var directory = false
        var create = false
        var exclusive = false
        /// Truncated to length 0 (`O_TRUNC`, `open-flags.truncate`).
        var truncating = false
        /// What the new descriptor is to do with a file.
        var read = false
        var write = false
        /// The guest asked to write, whatever the directory passes on: a directory is then
        /// `is-directory`, as open(2) says.
        var forWriting = false
        var followSymlinks = true
        var synchronization: OpenOptions.Synchronization = .none

        /// Whether the file is opened writable: asked for, or needed to create or truncate it.
        var writes: Bool { write || create || truncating }
        /// Whether the file is opened readable: asked for, or nothing else was asked.
        var reads: Bool { read || !writes }

        /// The open(2) options. A directory cannot be created, made exclusively or truncated
        /// by an open: `invalid`, as in Wasmtime for both versions.
        func options() throws(FilesystemFailure) -> OpenOptions {
            guard !directory || !(create || exclusive || truncating) else { throw FilesystemFailure(.invalid) }
            return OpenOptions(
                read: reads, write: writes, truncate: truncating, create: create, createNew: create && exclusive,
                followSymlinks: followSymlinks, synchronization: synchronization)
        }
    }

    /// Opens `path` as `request` asks. With `directory`, only a directory is opened. Without
    /// it, a file is opened, and if `path` is a directory, open(2) allows that and the guest
    /// gets the directory. A directory asked for `forWriting` is `is-directory`, as open(2)
    /// says. An open that creates the file counts as one new entry of the write quota (asked
    /// first, so that a full quota creates nothing).
    func open(_ path: RawPath, _ request: OpenRequest, _ operation: String) throws(FilesystemFailure) -> Opened {
        let options = try request.options()
        let (directory, forWriting) = (request.directory, request.forWriting)
        func openDirectory() throws(FilesystemFailure) -> Opened {
            let subdirectory = try capStd(operation, path) { () throws(CapStdError) in
                try dir.openDir(path, followSymlinks: options.followSymlinks)
            }
            guard !forWriting else {
                subdirectory.close()
                throw FilesystemFailure(.isDirectory)
            }
            return .directory(subdirectory)
        }
        if directory { return try openDirectory() }
        let openFile = { () throws(FilesystemFailure) -> File in
            try capStd(operation, path) { () throws(CapStdError) in try dir.open(path, options: options) }
        }
        // Whether this open creates is asked only where the answer counts.
        let creates =
            options.create && policy.configuration.writeQuota != nil && dir.access == .readWrite
            && !((try? dir.exists(path)) ?? true)
        let file =
            creates
            ? try policy.createEntry(operation, guestPath: guestPath(of: path), preopen: preopen, openFile) : try openFile()
        let type: FileType
        do { type = try file.metadata().type } catch {
            file.close()
            throw policy.fail(operation, guestPath: guestPath(of: path), preopen: preopen, error)
        }
        guard type == .directory else { return .file(file, type) }
        file.close()
        return try openDirectory()
    }
}
