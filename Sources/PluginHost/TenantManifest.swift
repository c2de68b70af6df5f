// The tenants file of `capsule tenants`: each tenant's directories and limits, in TOML.
import CapStd
import CapWASI
import TOMLKit

/// A description of many tenants, read from TOML:
///
/// ```toml
/// [defaults]            # optional; every key optional
/// fuel = 10000000000    # 0 for none
/// max_memory = 268435456
/// max_descriptors = 128
/// timeout = 60          # wall-clock seconds (an integer or a float, up to a day); 0 for none
/// quota_bytes = 1048576 # with quota_entries: the tenant's write quota
/// quota_entries = 100
///
/// [[tenant]]
/// name = "alpha"
/// config = "alpha/config"   # relative to the tenants file's directory, or absolute
/// output = "alpha/output"
/// args = ["--verbose"]      # optional
/// env = { MODE = "fast" }   # optional
/// fuel = 1000000            # optional: any defaults key, for this tenant only
/// ```
///
/// The format fails closed: a key it does not have (a misspelt limit would otherwise leave the
/// tenant without that limit) and a value out of range (limits below 1, quotas below 0, a
/// timeout that is not 0 to a day) are errors naming the key and the table it is in.
public struct TenantManifest: Sendable, Equatable {
    public struct Tenant: Sendable, Equatable {
        public var name: String
        public var config: String
        public var output: String
        public var arguments: [String]
        public var environment: [String: String]
        public var limits: WASILimits
        public var writeQuota: WriteQuota?
    }

    public var tenants: [Tenant]

    /// The format, every key with its type, default and meaning, as `capsule tenants --help`
    /// prints it; the defaults are those of ``CapWASI/WASILimits/init(maxDescriptors:fuel:maxMemoryBytes:timeout:)``.
    public static var format: String {
        let defaults = WASILimits()
        let seconds = defaults.timeout.map { "\($0.components.seconds)" } ?? "0"
        // Lines within 80 columns: help texts are wrapped there, and a wrapped table is unreadable.
        return """
            The tenants file, in TOML:

              [defaults]               optional; each key may also be given in a
                                       [[tenant]] table, for that tenant alone
              fuel = <integer>         fuel per run, a deterministic bound on
                                       work; 0 for none (default \(defaults.fuel.map(String.init) ?? "0"))
              max_memory = <bytes>     largest linear memory, at least 1
                                       (default \(defaults.maxMemoryBytes))
              max_descriptors = <integer>
                                       most descriptors open at once, at least 1
                                       (default \(defaults.maxDescriptors))
              timeout = <seconds>      wall-clock limit per run, an integer or a
                                       float from 0 to 86400; 0 for none
                                       (default \(seconds))
              quota_bytes = <bytes>    bytes the tenant may write, 0 or more
                                       (default: no quota)
              quota_entries = <count>  files and directories the tenant may
                                       create, 0 or more (default: no quota)

              [[tenant]]               one table per tenant
              name = "<text>"          required and unique; no control
                                       character, \\ or "
              config = "<path>"        required: what the guest reads as /config
              output = "<path>"        required: what the guest writes as /output
              args = ["<text>", ...]   optional: arguments after the program name
              env = { KEY = "<text>" } optional: the guest's environment (the
                                       host's is not passed on)

            Relative paths are taken from the tenants file's directory. A key the format does not have, a value of the wrong type or out of range, and a name that appears twice are errors naming the key and the table it is in.
            """
    }

    /// Parses the manifest; errors name the tenant and key that is wrong.
    public init(toml: String) throws(TenantManifestError) {
        let file: File
        do { file = try TOMLDecoder().decode(File.self, from: toml) } catch let error as TenantManifestError {
            throw error
        } catch {
            throw TenantManifestError(message: "not a valid tenants file: \(Untrusted.printable("\(error)"))")
        }
        guard !file.tenant.isEmpty else { throw TenantManifestError(message: "no [[tenant]] entries") }
        var seen: Set<String> = []
        tenants = []
        for entry in file.tenant {
            guard seen.insert(entry.name).inserted else { throw TenantManifestError(message: "tenant \"\(entry.name)\" appears twice") }
            let settings = Settings.merged(file.defaults, entry.settings)
            tenants.append(
                Tenant(
                    name: entry.name, config: entry.config, output: entry.output, arguments: entry.args ?? [],
                    environment: entry.env ?? [:], limits: settings.limits, writeQuota: settings.quota))
        }
    }

    private struct File: Decodable {
        var defaults: Settings?
        var tenant: [Entry] = []

        enum CodingKeys: CodingKey { case defaults, tenant }

        init(from decoder: any Decoder) throws {
            try AnyKey.refuseUnknown(in: decoder.container(keyedBy: AnyKey.self), known: ["defaults", "tenant"], place: "the file")
            let container = try decoder.container(keyedBy: CodingKeys.self)
            if container.contains(.defaults) {
                try AnyKey.refuseUnknown(
                    in: container.nestedContainer(keyedBy: AnyKey.self, forKey: .defaults), known: Settings.keys, place: "[defaults]")
            }
            defaults = try container.decodeIfPresent(Settings.self, forKey: .defaults)
            try defaults?.validate(place: "[defaults]")
            tenant = try container.decodeIfPresent([Entry].self, forKey: .tenant) ?? []
        }
    }

    /// Any key of a table, to find those the format does not have: a misspelt limit must not
    /// leave a tenant without it.
    private struct AnyKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }

        static func refuseUnknown(in container: KeyedDecodingContainer<AnyKey>, known: Set<String>, place: String) throws {
            let unknown = container.allKeys.map(\.stringValue).filter { !known.contains($0) }.sorted().map { Untrusted.printable($0) }
            guard !unknown.isEmpty else { return }
            throw TenantManifestError(
                message: "unknown \(unknown.count == 1 ? "key" : "keys") in \(place): \(unknown.joined(separator: ", "))"
                    + " (known: \(known.sorted().joined(separator: ", ")))")
        }
    }

    private struct Entry: Decodable {
        var name: String
        var config: String
        var output: String
        var args: [String]?
        var env: [String: String]?
        /// The limit keys of `[defaults]`, given for this tenant alone.
        var settings: Settings

        enum CodingKeys: CodingKey { case name, config, output, args, env }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            // The name is shown in tables, denials, logs and metrics: it must show as it is.
            guard !name.isEmpty, Untrusted.printable(name) == name else {
                throw TenantManifestError(
                    message: "the tenant name \"\(Untrusted.printable(name))\" is empty or has a control character, \\ or \"")
            }
            let place = "tenant \"\(name)\""
            try AnyKey.refuseUnknown(
                in: decoder.container(keyedBy: AnyKey.self), known: Settings.keys.union(["name", "config", "output", "args", "env"]),
                place: place)
            config = try container.decode(String.self, forKey: .config)
            output = try container.decode(String.self, forKey: .output)
            args = try container.decodeIfPresent([String].self, forKey: .args)
            env = try container.decodeIfPresent([String: String].self, forKey: .env)
            settings = try Settings(from: decoder)
            try settings.validate(place: place)
        }
    }

    private struct Settings: Decodable {
        var fuel: UInt64?
        var max_memory: Int?
        var max_descriptors: Int?
        var timeout: Seconds?
        var quota_bytes: Int64?
        var quota_entries: Int?

        /// The keys of `[defaults]`, which a tenant may also give.
        static let keys: Set<String> = ["fuel", "max_memory", "max_descriptors", "timeout", "quota_bytes", "quota_entries"]

        /// Refuses values out of range: limits that are not positive, quotas below zero.
        func validate(place: String) throws {
            for (key, value, least) in [
                ("max_memory", max_memory.map(Int64.init), Int64(1)), ("max_descriptors", max_descriptors.map(Int64.init), 1),
                ("quota_bytes", quota_bytes, 0), ("quota_entries", quota_entries.map(Int64.init), 0),
            ] {
                if let value, value < least {
                    throw TenantManifestError(message: "\(key) in \(place) must be at least \(least), not \(value)")
                }
            }
        }

        static func merged(_ defaults: Settings?, _ own: Settings) -> Settings {
            Settings(
                fuel: own.fuel ?? defaults?.fuel, max_memory: own.max_memory ?? defaults?.max_memory,
                max_descriptors: own.max_descriptors ?? defaults?.max_descriptors, timeout: own.timeout ?? defaults?.timeout,
                quota_bytes: own.quota_bytes ?? defaults?.quota_bytes, quota_entries: own.quota_entries ?? defaults?.quota_entries)
        }

        var limits: WASILimits {
            var limits = WASILimits()
            if let fuel { limits.fuel = fuel == 0 ? nil : fuel }
            if let max_memory { limits.maxMemoryBytes = max_memory }
            if let max_descriptors { limits.maxDescriptors = max_descriptors }
            if let timeout { limits.timeout = timeout.value > 0 ? .milliseconds(Int64((timeout.value * 1000).rounded(.up))) : nil }
            return limits
        }

        /// A number of seconds, written as an integer or a float: finite, from 0 to a day.
        struct Seconds: Decodable {
            static let maximum = 86_400.0
            let value: Double

            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                value = if let whole = try? container.decode(Int64.self) { Double(whole) } else { try container.decode(Double.self) }
                guard value.isFinite, value >= 0, value <= Self.maximum else {
                    throw DecodingError.dataCorruptedError(
                        in: container, debugDescription: "timeout must be a number of seconds from 0 to \(Int(Self.maximum)), not \(value)")
                }
            }
        }

        var quota: WriteQuota? {
            guard quota_bytes != nil || quota_entries != nil else { return nil }
            return WriteQuota(maxBytes: quota_bytes ?? .max, maxEntries: quota_entries ?? .max)
        }
    }
}

/// A tenants file that cannot be used, and why.
public struct TenantManifestError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public var description: String { message }

    public init(message: String) {
        self.message = message
    }
}
