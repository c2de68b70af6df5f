// Both resolvers, side by side, over every path built from a small alphabet of hostile components.
import CapStd
import SystemPackage
import TestSupport
import Testing

@Suite("Resolvers agree")
struct DifferentialTests {
    /// Components that exercise every rule: plain names, files, `.`, `..`, empty (a `//`), and
    /// symlinks inside, outside, to `..`, looping and dangling.
    static let alphabet = [
        "d", "sub", "f", "g", ".", "..", "", "link-d", "link-f", "esc-rel", "esc-dir", "to-dotdot", "self-dot",
        "loop1", "dangling", "nope", "d/to-parent",
    ]

    /// Every path of one to three components from the alphabet, with and without a trailing slash.
    static var paths: [String] {
        var result: [String] = []
        for a in alphabet {
            result.append(a)
            for b in alphabet {
                result.append(a + "/" + b)
                for c in alphabet { result.append(a + "/" + b + "/" + c) }
            }
        }
        return result + result.map { $0 + "/" }
    }

    enum Probe: String, CaseIterable, Sendable {
        case follow, noFollow, read, directory
    }

    /// Same success with the same file (device and inode), or the same errno — for every path.
    @Test("kernel and userspace resolvers give identical results", arguments: Probe.allCases)
    func resolversAgree(_ probe: Probe) throws {
        let sandbox = try Sandbox(resolver: .kernel, tree: standardTree)
        let userspace = try sandbox.openRoot(resolver: .userspace)
        #expect(userspace.resolver == .userspace)
        var compared = 0
        var escapes = 0
        for path in Self.paths {
            let kernel = askingAgainWhileRenamesRace({ $0 == .failure(.resourceTemporarilyUnavailable) }) {
                Self.outcome(probe, RawPath(path), in: sandbox.root)
            }
            let manual = Self.outcome(probe, RawPath(path), in: userspace)
            #expect(kernel == manual, "\(probe) \"\(path)\": kernel \(kernel), userspace \(manual)")
            if case .failure(.improperLink) = kernel { escapes += 1 }
            compared += 1
        }
        #expect(compared == Self.paths.count)
        #expect(escapes > 1000, "the alphabet should produce many escape attempts, got \(escapes)")
        try sandbox.expectOutsideUntouched()
    }

    enum Outcome: Equatable, CustomStringConvertible {
        case file(device: UInt64, inode: UInt64)
        case failure(Errno)

        var description: String {
            switch self {
            case .file(let device, let inode): "file \(device):\(inode)"
            case .failure(let errno): "error \(errno.rawValue) (\(errno))"
            }
        }
    }

    static func outcome(_ probe: Probe, _ path: RawPath, in dir: Dir) -> Outcome {
        do {
            let metadata: Metadata
            switch probe {
            case .follow: metadata = try dir.metadata(path)
            case .noFollow: metadata = try dir.symlinkMetadata(path)
            case .read: metadata = try dir.open(path).metadata()
            case .directory: metadata = try dir.openDir(path).metadata()
            }
            return .file(device: metadata.device, inode: metadata.inode)
        } catch {
            return .failure(error.errno)
        }
    }
}
