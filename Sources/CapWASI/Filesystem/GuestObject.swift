// What a guest descriptor holds open, and the operations on it, once for every WASI version.
import CapStd

/// A directory or file a guest holds open through a descriptor, and the operations every WASI
/// version's host performs on the open object itself rather than on a path beneath it: its
/// metadata, its timestamps, syncing, and resizing a file against the write quota. A failure is
/// told as ``FilesystemFailure`` and, when it is a denial, reported under the guest's name for
/// the descriptor (``guestPath``), as ``GuestDirectory`` reports paths beneath it.
///
/// The hosts' descriptors hold the object and the names and make a `GuestObject` for each
/// operation. Confined, with its policy, to the thread running the instance.
struct GuestObject {
    enum Kind {
        case directory(Dir)
        case file(File)
    }

    let kind: Kind
    /// How the guest names the object, such as `/output/log.txt`.
    let guestPath: String
    /// The preopen it was reached through, such as `/output`.
    let preopen: String
    /// The instance's denial reports and write quota.
    let policy: InstancePolicy

    /// Runs one CapStd call on the object, a failure told as ``FilesystemFailure`` and reported
    /// if it is a denial.
    func capStd<Result>(_ operation: String, _ body: () throws(CapStdError) -> Result) throws(FilesystemFailure) -> Result {
        do { return try body() } catch {
            throw policy.fail(operation, guestPath: guestPath, preopen: preopen, error)
        }
    }

    func metadata(_ operation: String) throws(FilesystemFailure) -> Metadata {
        try capStd(operation) { () throws(CapStdError) in
            switch kind {
            case .directory(let dir): try dir.metadata()
            case .file(let file): try file.metadata()
            }
        }
    }

    func setTimes(accessed: TimestampUpdate, modified: TimestampUpdate, _ operation: String) throws(FilesystemFailure) {
        try capStd(operation) { () throws(CapStdError) in
            switch kind {
            case .directory(let dir): try dir.setTimes(".", accessed: accessed, modified: modified)
            case .file(let file): try file.setTimes(accessed: accessed, modified: modified)
            }
        }
    }

    /// Flushes a file's data (and, unless `dataOnly`, its metadata) to storage. A directory
    /// has nothing the guest wrote to flush: nothing is done, as in Wasmtime.
    func sync(dataOnly: Bool, _ operation: String) throws(FilesystemFailure) {
        guard case .file(let file) = kind else { return }
        try capStd(operation) { () throws(CapStdError) in dataOnly ? try file.syncData() : try file.sync() }
    }

    /// Sets a file's length, growth counted against the write quota; `shrink` allows a
    /// shorter length (a set-size), otherwise only growth is done (an allocate). A directory is
    /// `bad-descriptor`.
    func resize(to length: Int64, shrink: Bool, _ operation: String) throws(FilesystemFailure) {
        guard case .file(let file) = kind else { throw FilesystemFailure(.badDescriptor) }
        try policy.resize(file, to: length, shrink: shrink, operation, guestPath: guestPath, preopen: preopen)
    }
}
