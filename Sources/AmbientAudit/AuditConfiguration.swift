// The policy file at a package's root: what is allowed, what is not scanned, and extra APIs.
import CapStd

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The audit's policy, read from `capsule-audit.json` at the package root:
///
/// ```json
/// {
///   "exclude": ["Tests/Fixtures"],
///   "allow": [{ "path": "Sources/App/Startup.swift", "reason": "opens the data directory once" }],
///   "ambientFunctions": ["myOpenWrapper"]
/// }
/// ```
///
/// - `exclude`: paths (files, or directories with a trailing `/` or without) that are not scanned.
///   Hidden directories (`.build`, `.git`) are never scanned.
/// - `allow`: files, or directories ending in `/`, where ambient access is approved, each with the
///   reason. An allowance that approves nothing is reported.
/// - `ambientFunctions`: more function names to treat as ambient (your own wrappers).
public struct AuditConfiguration: Sendable, Codable, Equatable {
    public struct PathAllowance: Sendable, Codable, Equatable {
        public var path: String
        public var reason: String

        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }

        /// Whether `file` (relative to the package root) is covered.
        func covers(_ file: String) -> Bool {
            path.hasSuffix("/") ? file.hasPrefix(path) : file == path
        }
    }

    public static let fileName = "capsule-audit.json"

    public var exclude: [String]
    public var allow: [PathAllowance]
    public var ambientFunctions: [String]

    public init(exclude: [String] = [], allow: [PathAllowance] = [], ambientFunctions: [String] = []) {
        self.exclude = exclude
        self.allow = allow
        self.ambientFunctions = ambientFunctions
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        exclude = try container.decodeIfPresent([String].self, forKey: .exclude) ?? []
        allow = try container.decodeIfPresent([PathAllowance].self, forKey: .allow) ?? []
        ambientFunctions = try container.decodeIfPresent([String].self, forKey: .ambientFunctions) ?? []
    }

    /// Reads `capsule-audit.json` from the package root, or the empty policy if there is none.
    ///
    /// - Throws: ``AuditError/configuration(_:)`` when the file exists but is not a valid policy.
    public static func load(from packageRoot: Dir) throws(AuditError) -> AuditConfiguration {
        let bytes: [UInt8]
        do {
            bytes = try packageRoot.read(RawPath(fileName))
        } catch where error.errno == .noSuchFileOrDirectory {
            return AuditConfiguration()
        } catch {
            throw .configuration("\(error)")
        }
        do {
            return try JSONDecoder().decode(AuditConfiguration.self, from: Data(bytes))
        } catch {
            throw .configuration("\(fileName) is not a valid audit policy: \(error)")
        }
    }

    func isExcluded(_ file: String) -> Bool {
        exclude.contains { excluded in
            let directory = excluded.hasSuffix("/") ? excluded : excluded + "/"
            return file == excluded || file.hasPrefix(directory)
        }
    }
}

/// Why an audit could not run at all.
public enum AuditError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The policy file is unreadable or malformed.
    case configuration(String)
    /// The package directory could not be listed.
    case unreadable(String)

    public var description: String {
        switch self {
        case .configuration(let message): "audit configuration: \(message)"
        case .unreadable(let message): "cannot read the package: \(message)"
        }
    }
}
