// Rename and symlink race stress: the tree is rearranged continuously while confined operations
// run through it with paths built to escape if any check were skipped.
import CCapStdShims
import CapStd
import Foundation
import Glibc
import Synchronization
import SystemPackage
import Testing

/// Seconds each resolver is stressed: 2 in the normal test run; set `CAPSULE_STRESS_SECONDS`
/// for longer runs (see README, "Security testing").
let stressSeconds = Double(ProcessInfo.processInfo.environment["CAPSULE_STRESS_SECONDS"] ?? "") ?? 2

@Suite("Race stress")
struct RaceStressTests {
    /// The tree (beside the sandbox's canaries `<tmp>/canary` and `<tmp>/outside/secret`):
    ///
    ///     root/a/b/secret        "inside"
    ///     root/a/b/deeper/f      "deep"
    ///     root/a/esc  -> ../../outside          swapped with a/b by RENAME_EXCHANGE
    ///     root/esc    -> ../outside
    ///     root/abs    -> <tmp>/outside
    ///     root/m/inner/file      "m-inner"      a sub-Dir, moved in and out of <tmp>/park
    ///     root/beside            "BESIDE"       above m: m's Dir must never reach it
    ///
    /// Mutators: one thread exchanges `a/b` (a directory) with `a/esc` (a symlink to the outside);
    /// one renames `a` to `a2` and back, and out to `<tmp>/park/a` and back; one moves `m` (the
    /// sub-Dir's own directory) to `<tmp>/park/m` and back. Workers open, read, stat, open directories, create and remove
    /// files and directories through `root` and through `m`'s Dir. An inotify watch on `<tmp>`,
    /// `outside` and `outside/dir` records any access there while the stress runs; every success
    /// is checked (contents, and the inode against everything outside the Dir's tree).
    @Test("concurrent renames and symlink swaps never let an operation out", arguments: bothResolvers)
    func stress(_ resolver: Resolver) throws {
        let sandbox = try Sandbox(resolver: resolver, tree: [
            "a/b/deeper/", "a/b/secret=inside", "a/b/deeper/f=deep", "a/esc -> ../../outside", "esc -> ../outside",
            "abs -> $OUT", "m/inner/", "m/inner/file=m-inner", "beside=BESIDE",
        ])
        try sandbox.top.createDir("park")
        defer { try? sandbox.top.removeDirAll("park") }
        let m = try sandbox.root.openDir("m")
        #expect(m.resolver == resolver)
        let rootOutside = try Self.inodes(in: sandbox, except: "root")
        let mOutside = try Self.inodes(in: sandbox, except: "root/m")
        let rawRoot = open(sandbox.path + "/root", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        let rawTop = open(sandbox.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer {
            close(rawRoot)
            close(rawTop)
        }
        // Started last: from here on, nothing may touch the watched directories.
        let watch = try OutsideWatch(paths: [sandbox.path, sandbox.path + "/outside", sandbox.path + "/outside/dir"])

        let tally = StressTally()
        let deadline = ContinuousClock.now + .milliseconds(Int(stressSeconds * 1000))
        let group = DispatchGroup()
        func spawn(_ body: @escaping @Sendable () -> Void) {
            group.enter()
            Thread.detachNewThread {
                body()
                group.leave()
            }
        }
        let root = sandbox.root
        spawn {
            while ContinuousClock.now < deadline {
                if capsule_renameat2(rawRoot, "a/b", rawRoot, "a/esc", CAPSULE_RENAME_EXCHANGE) == 0 { tally.mutations.add(1, ordering: .relaxed) }
            }
            // Leave a/b a directory again if it ended swapped.
            if (try? root.symlinkMetadata("a/b").isSymlink) == true { _ = capsule_renameat2(rawRoot, "a/b", rawRoot, "a/esc", CAPSULE_RENAME_EXCHANGE) }
        }
        spawn {
            while ContinuousClock.now < deadline {
                if renameat(rawRoot, "a", rawRoot, "a2") == 0, renameat(rawRoot, "a2", rawRoot, "a") == 0 { tally.mutations.add(2, ordering: .relaxed) }
                // Out of the tree and back: the window a userspace walk cannot close (README).
                if renameat(rawTop, "root/a", rawTop, "park/a") == 0, renameat(rawTop, "park/a", rawTop, "root/a") == 0 { tally.mutations.add(2, ordering: .relaxed) }
            }
        }
        spawn {
            while ContinuousClock.now < deadline {
                if renameat(rawTop, "root/m", rawTop, "park/m") == 0, renameat(rawTop, "park/m", rawTop, "root/m") == 0 { tally.mutations.add(2, ordering: .relaxed) }
            }
        }
        for worker in 0..<3 {
            spawn {
                var round = 0
                while ContinuousClock.now < deadline {
                    Self.rootOperations(root, worker: worker, round: round, outside: rootOutside, tally: tally)
                    round += 1
                }
            }
        }
        spawn {
            while ContinuousClock.now < deadline { Self.subDirOperations(m, outside: mOutside, tally: tally) }
        }
        group.wait()
        let watched = watch.drain()
        m.close()

        let operations = tally.operations.load(ordering: .relaxed)
        let escapes = tally.escapes.load(ordering: .relaxed)
        print("""
            race stress (\(resolver), \(stressSeconds) s): \(operations) operations, \
            \(tally.successes.load(ordering: .relaxed)) succeeded, \(tally.refusals.load(ordering: .relaxed)) refused as escapes, \
            \(tally.mutations.load(ordering: .relaxed)) renames/exchanges, \(escapes) escapes, \(watched.count) accesses outside
            """)
        for escape in tally.escapeLog.withLock({ $0 }) { Issue.record("escape: \(escape)") }
        #expect(escapes == 0)
        #expect(watched.isEmpty, "accessed outside the tree: \(watched.prefix(10))")
        #expect(operations > 1000, "the stress did too little to mean anything")
        #expect(tally.mutations.load(ordering: .relaxed) > 1000)
        #expect(tally.refusals.load(ordering: .relaxed) > 0, "no escape attempt was refused: the paths are not hostile")
        try sandbox.top.removeDirAll("park")
        try sandbox.expectOutsideUntouched()
    }

    /// The control: the same swaps with unconfined `openat` relative to the root's descriptor.
    /// The detectors (contents and the inotify watch) must see the escapes this makes.
    @Test("without confinement the same stress escapes, and the detectors see it")
    func unconfinedControl() throws {
        let sandbox = try Sandbox(resolver: .kernel, tree: ["a/b/", "a/b/secret=inside", "a/esc -> ../../outside"])
        let rawRoot = open(sandbox.path + "/root", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { close(rawRoot) }
        let watch = try OutsideWatch(paths: [sandbox.path + "/outside"])
        let deadline = ContinuousClock.now + .milliseconds(300)
        let escapes = Atomic<Int>(0)
        let group = DispatchGroup()
        group.enter()
        Thread.detachNewThread {
            while ContinuousClock.now < deadline { _ = capsule_renameat2(rawRoot, "a/b", rawRoot, "a/esc", CAPSULE_RENAME_EXCHANGE) }
            group.leave()
        }
        while ContinuousClock.now < deadline {
            let fd = openat(rawRoot, "a/b/secret", O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 16)
            let count = read(fd, &buffer, buffer.count)
            close(fd)
            if Array(buffer.prefix(max(0, count))) != Array("inside".utf8) { escapes.add(1, ordering: .relaxed) }
        }
        group.wait()
        #expect(escapes.load(ordering: .relaxed) > 0, "the swap never exposed the outside: the stress cannot find escapes")
        #expect(!watch.drain().isEmpty, "the inotify watch saw nothing although the outside was read")
    }

    /// One round of operations through the root Dir; each success is checked.
    static func rootOperations(_ root: Dir, worker: Int, round: Int, outside: Set<Identity>, tally: StressTally) {
        let name = "t\(worker)-\(round)"
        tally.check("read a/b/secret") { () throws(CapStdError) -> Bool in try root.readString("a/b/secret") == "inside" }
        tally.check("read a/b/deeper/../secret") { () throws(CapStdError) -> Bool in try root.readString("a/b/deeper/../secret") == "inside" }
        tally.check("metadata a/b") { () throws(CapStdError) -> Bool in !outside.contains(Identity(try root.metadata("a/b"))) }
        tally.check("metadata a/b/secret") { () throws(CapStdError) -> Bool in !outside.contains(Identity(try root.metadata("a/b/secret"))) }
        tally.check("openDir a/b") { () throws(CapStdError) -> Bool in
            let dir = try root.openDir("a/b")
            defer { dir.close() }
            return !outside.contains(Identity(try dir.metadata()))
        }
        tally.check("create a/b/\(name)") { () throws(CapStdError) -> Bool in
            let file = try root.open(RawPath("a/b/\(name)"), options: OpenOptions(write: true, createNew: true))
            defer { file.close() }
            try file.writeAll(Array("inside".utf8))
            return !outside.contains(Identity(try file.metadata()))
        }
        tally.check("remove a/b/\(name)") { () throws(CapStdError) -> Bool in
            try root.removeFile(RawPath("a/b/\(name)"))
            return true
        }
        tally.check("createDir a/b/\(name).d") { () throws(CapStdError) -> Bool in
            try root.createDir(RawPath("a/b/\(name).d"))
            try root.removeDir(RawPath("a/b/\(name).d"))
            return true
        }
        for hostile in ["a/b/../../../outside/secret", "a/b/../../../canary", "esc/secret", "abs/secret", "a/esc/secret", "a/b/deeper/../../../../canary"] {
            tally.check("read \(hostile)") { () throws(CapStdError) -> Bool in try root.readString(RawPath(hostile)) == "inside" }
            tally.check("metadata \(hostile)") { () throws(CapStdError) -> Bool in !outside.contains(Identity(try root.metadata(RawPath(hostile)))) }
        }
    }

    /// One round through the sub-Dir whose own directory is being moved in and out of the tree.
    static func subDirOperations(_ m: Dir, outside: Set<Identity>, tally: StressTally) {
        tally.check("m: read inner/file") { () throws(CapStdError) -> Bool in try m.readString("inner/file") == "m-inner" }
        for hostile in ["../beside", "inner/../../beside", "../m/../beside", "../../canary", "../../park/m/inner/file"] {
            tally.check("m: read \(hostile)") { () throws(CapStdError) -> Bool in try m.readString(RawPath(hostile)) == "m-inner" }
            tally.check("m: metadata \(hostile)") { () throws(CapStdError) -> Bool in !outside.contains(Identity(try m.metadata(RawPath(hostile)))) }
        }
    }

    /// Every file and directory under the sandbox (and `/`, `/tmp`) except those under `kept`.
    static func inodes(in sandbox: Sandbox, except kept: String) throws -> Set<Identity> {
        var result: Set<Identity> = [Identity(try sandbox.top.metadata("."))]
        for ambient in ["/", "/tmp"] {
            result.insert(Identity(try Dir.openAmbient(FilePath(ambient), ambientAuthority()).metadata()))
        }
        func walk(_ path: String) throws {
            for entry in try sandbox.top.entries(RawPath(path)) {
                let child = path == "." ? entry.name.description : path + "/" + entry.name.description
                if child == kept { continue }
                result.insert(Identity(try sandbox.top.symlinkMetadata(RawPath(child))))
                if entry.type == .directory { try walk(child) }
            }
        }
        try walk(".")
        return result
    }
}

/// A file's identity: device and inode.
struct Identity: Hashable {
    let device: UInt64
    let inode: UInt64

    init(_ metadata: Metadata) {
        device = metadata.device
        inode = metadata.inode
    }
}

/// Counters shared by the stress threads.
final class StressTally: Sendable {
    let operations = Atomic<Int>(0)
    let successes = Atomic<Int>(0)
    let refusals = Atomic<Int>(0)
    let escapes = Atomic<Int>(0)
    let mutations = Atomic<Int>(0)
    let escapeLog = Mutex<[String]>([])

    /// Runs one operation: a success must pass its own check (false is an escape); a refusal as
    /// an escape is counted; other errors (ENOENT while a rename is in flight) are expected.
    func check(_ label: String, _ body: () throws(CapStdError) -> Bool) {
        operations.add(1, ordering: .relaxed)
        do throws(CapStdError) {
            if try body() {
                successes.add(1, ordering: .relaxed)
            } else {
                escapes.add(1, ordering: .relaxed)
                escapeLog.withLock { $0.append(label) }
            }
        } catch {
            if error.isEscape { refusals.add(1, ordering: .relaxed) }
        }
    }
}

/// inotify watches on directories outside the tree; any event in them is an access from outside.
final class OutsideWatch {
    private let descriptor: Int32
    private var watched: [Int32: String] = [:]

    init(paths: [String]) throws {
        descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard descriptor >= 0 else { throw Errno(rawValue: errno) }
        // IN_ACCESS | IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE | IN_OPEN |
        // IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE (IN_ALL_EVENTS without the self events).
        let mask: UInt32 = 0x3FF
        for path in paths {
            let watch = inotify_add_watch(descriptor, path, mask)
            guard watch >= 0 else { throw Errno(rawValue: errno) }
            watched[watch] = path
        }
    }

    deinit { close(descriptor) }

    /// The events seen since the watch began, as "path/name mask".
    func drain() -> [String] {
        var events: [String] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { return events }
            var offset = 0
            buffer.withUnsafeBytes { bytes in
                while offset + MemoryLayout<inotify_event>.size <= count {
                    let event = bytes.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    let nameStart = offset + MemoryLayout<inotify_event>.size
                    let name = String(decoding: bytes[nameStart..<nameStart + Int(event.len)].prefix { $0 != 0 }, as: UTF8.self)
                    events.append("\(watched[event.wd] ?? "?")/\(name) mask 0x\(String(event.mask, radix: 16))")
                    offset = nameStart + Int(event.len)
                }
            }
        }
    }
}
