// A served folder full of ways out, beside files outside it whose access times tell if they were read.
import CapStd
import Glibc
import SystemPackage
import TestSupport

/// `<tmp>/public`, the folder a server is given, with in-tree files and links that must keep
/// working and hostile entries (symlinks out, a directory link to `..`, chains, a loop, a FIFO);
/// and, beside it in `<tmp>`, the files no request may read. Their access times are set far in
/// the past, so any read moves them (relatime updates an atime older than the mtime).
public final class HostileSite: Sendable {
    public let base: String
    public var publicPath: String { base + "/public" }
    /// What every file outside `public` contains, so a leak shows in any body.
    public static let secretMarker = "SECRET-OUTSIDE"
    public static let bigFileSize = 600_000
    static let outsideFiles = ["secret.txt", "index.html", "outside/page.html"]

    public init() throws {
        base = try makeTemporaryDirectory(prefix: "capserve-site")
        let top = try Dir.openAmbient(FilePath(base), ambientAuthority())
        defer { top.close() }
        try top.createDir("outside")
        for name in Self.outsideFiles { try top.write(RawPath(name), contents: "\(Self.secretMarker) \(name)\n") }
        try top.createDir("public")
        let site = try top.openDir("public")
        defer { site.close() }
        try site.createDir("docs")
        let files: [(String, String)] = [
            ("index.html", "<h1>home</h1>"), ("note.txt", "hello"), ("docs/index.html", "docs index"), ("docs/guide.txt", "guide"),
            ("swap.txt", "before the swap"), ("empty.txt", ""), ("café.txt", "accented"), ("with space.txt", "spaced"),
            ("style.css", "body{}"),
        ]
        for (name, contents) in files { try site.write(RawPath(name), contents: contents) }
        try site.write("big.bin", contents: Self.bigFileContents)
        let links: [(String, String)] = [
            ("link-in.txt", "note.txt"), ("docs-link", "docs"), ("docs/up-in.txt", "../note.txt"), ("out-rel.txt", "../secret.txt"),
            ("out-abs.txt", base + "/secret.txt"), ("out_dir", ".."), ("out-page", "../outside/page.html"), ("chain-a", "chain-b"),
            ("chain-b", "docs/../../secret.txt"), ("loop-a", "loop-b"), ("loop-b", "loop-a"), ("docs/deep-out", "../../outside"),
        ]
        for (name, target) in links { try Self.check(symlink(target, publicPath + "/" + name), "symlink \(name)") }
        try Self.check(mkfifo(publicPath + "/fifo", 0o644), "mkfifo")
        try makeOutsideUnread()
    }

    deinit {
        if let top = try? Dir.openAmbient(FilePath("/tmp"), ambientAuthority()) {
            try? top.removeDirAll(RawPath(String(base.dropFirst("/tmp/".count))))
            top.close()
        }
    }

    /// The bytes of `big.bin`: longer than one read chunk, and different at every offset a
    /// misplaced chunk could land on.
    public static let bigFileContents: [UInt8] = (0..<bigFileSize).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }

    /// Sets the access time of every outside file to 2000-01-01, older than its modification time.
    public func makeOutsideUnread() throws {
        for name in Self.outsideFiles {
            // The second time is UTIME_OMIT ((1 << 30) - 2), which Glibc does not import: keep the mtime.
            var times = [timespec(tv_sec: 946_684_800, tv_nsec: 0), timespec(tv_sec: 0, tv_nsec: (1 << 30) - 2)]
            try Self.check(utimensat(AT_FDCWD, base + "/" + name, &times, 0), "utimensat \(name)")
        }
    }

    /// The outside files whose access time moved since ``makeOutsideUnread()``: each was read.
    public func outsideFilesRead() throws -> [String] {
        try Self.outsideFiles.filter { name in
            var info = stat()
            try Self.check(stat(base + "/" + name, &info), "stat \(name)")
            return info.st_atim.tv_sec != 946_684_800
        }
    }

    /// Replaces `swap.txt` with a symlink to `../secret.txt`, as an attacker with write access to
    /// the folder might between two requests.
    public func swapFileForSymlinkOut() throws {
        try Self.check(unlink(publicPath + "/swap.txt"), "unlink swap.txt")
        try Self.check(symlink("../secret.txt", publicPath + "/swap.txt"), "symlink swap.txt")
    }

    /// `latin-é.txt` with the é in Latin-1 (0xE9): a name that is not UTF-8, asked for as `/latin-%E9.txt`.
    public static let latin1Name = RawPath(bytes: Array("latin-".utf8) + [0xE9] + Array(".txt".utf8))

    /// Writes `contents` to `name` in the served folder, as its owner would while the server runs.
    public func addFile(_ name: RawPath, contents: String) throws {
        let site = try Dir.openAmbient(FilePath(publicPath), ambientAuthority())
        defer { site.close() }
        try site.write(name, contents: contents)
    }

    private static func check(_ result: Int32, _ what: String) throws {
        if result != 0 { throw SiteSetupError(what: what, errno: Errno(rawValue: errno)) }
    }
}

struct SiteSetupError: Error, CustomStringConvertible {
    let what: String
    let errno: Errno
    var description: String { "\(what): \(errno)" }
}
