// The tenants file: defaults, per-tenant overrides, and clear errors.
import CapWASI
import PluginHost
import TestSupport
import Testing

@Suite("Tenants file")
struct TenantManifestTests {
    @Test("defaults apply, tenants override them, optional keys may be left out")
    func parses() throws {
        let manifest = try TenantManifest(toml: """
            [defaults]
            fuel = 5000
            max_descriptors = 32
            quota_bytes = 1024

            [[tenant]]
            name = "alpha"
            config = "alpha/config"
            output = "alpha/output"
            args = ["--fast"]
            env = { MODE = "fast" }

            [[tenant]]
            name = "beta"
            config = "/srv/beta/config"
            output = "/srv/beta/output"
            fuel = 0
            timeout = 1.5
            """)
        #expect(manifest.tenants.map(\.name) == ["alpha", "beta"])
        let alpha = manifest.tenants[0]
        #expect(alpha.arguments == ["--fast"])
        #expect(alpha.environment == ["MODE": "fast"])
        #expect(alpha.limits.fuel == 5000)
        #expect(alpha.limits.maxDescriptors == 32)
        #expect(alpha.writeQuota == WriteQuota(maxBytes: 1024, maxEntries: .max))
        let beta = manifest.tenants[1]
        #expect(beta.limits.fuel == nil)
        #expect(beta.limits.timeout == .milliseconds(1500))
        #expect(beta.config == "/srv/beta/config")
    }

    @Test("mistakes are errors that say what is wrong", arguments: [
        ("", "no [[tenant]] entries"),
        ("[[tenant]]\nname = \"a\"\nconfig = \"c\"\noutput = \"o\"\n[[tenant]]\nname = \"a\"\nconfig = \"c\"\noutput = \"o\"\n", "tenant \"a\" appears twice"),
    ])
    func errors(_ toml: String, _ message: String) {
        #expect(throws: TenantManifestError(message: message)) { _ = try TenantManifest(toml: toml) }
    }

    @Test("a missing key or wrong type is reported, not guessed")
    func malformed() {
        #expect { _ = try TenantManifest(toml: "[[tenant]]\nname = \"a\"\nconfig = 3\noutput = \"o\"\n") } throws: { error in
            "\(error)".hasPrefix("not a valid tenants file")
        }
    }

    @Test("a timeout is wall-clock seconds, an integer or a float", arguments: [("2", 2000), ("2.5", 2500), ("0", nil), ("0.0001", 1)] as [(String, Int?)])
    func timeout(_ value: String, _ milliseconds: Int?) throws {
        let manifest = try TenantManifest(toml: "[[tenant]]\nname = \"a\"\nconfig = \"c\"\noutput = \"o\"\ntimeout = \(value)\n")
        #expect(manifest.tenants[0].limits.timeout == milliseconds.map { .milliseconds($0) })
    }

    @Test("a timeout that is negative, not a number or over a day is an error naming it", arguments: ["-1", "nan", "inf", "86401", "\"10\""])
    func badTimeout(_ value: String) {
        #expect { _ = try TenantManifest(toml: "[[tenant]]\nname = \"a\"\nconfig = \"c\"\noutput = \"o\"\ntimeout = \(value)\n") } throws: { error in
            "\(error)".contains("timeout")
        }
    }

    @Test(
        "unknown keys are errors naming them and their table, not ignored",
        arguments: [
            (
                "[defaults]\nquota_byte = 10\nmax_fd = 3\n[[tenant]]\nname = \"a\"\nconfig = \"c\"\noutput = \"o\"\n",
                "unknown keys in [defaults]: max_fd, quota_byte"
            ),
            ("[[tenant]]\nname = \"a\"\nconfig = \"c\"\noutput = \"o\"\nquota_bytez = 5\n", "unknown key in tenant \"a\": quota_bytez"),
            ("tenants = 1\n[[tenant]]\nname = \"a\"\nconfig = \"c\"\noutput = \"o\"\n", "unknown key in the file: tenants"),
        ])
    func unknownKeys(_ toml: String, _ message: String) {
        #expect { _ = try TenantManifest(toml: toml) } throws: { error in
            "\(error)".hasPrefix(message)
        }
    }

    @Test(
        "a tenant name or key with control characters is refused, and shown escaped",
        arguments: [
            (#"name = "a\u001B[31m""#, #"the tenant name "a\x1B[31m" is empty or has a control character"#),
            (#"name = "a\nFORGED""#, #"the tenant name "a\nFORGED" is empty"#),
            (#"name = "a\u202Eb""#, #"the tenant name "a\u{202E}b" is empty"#),
            (#"name = "a\"b""#, #"the tenant name "a\"b" is empty"#),
            (#"name = """#, #"the tenant name "" is empty"#),
            ("name = \"a\"\n\"bad\\u001B\\nkey\" = 1", #"unknown key in tenant "a": bad\x1B\nkey"#),
        ])
    func unprintable(_ line: String, _ message: String) {
        let toml = "[[tenant]]\n\(line)\nconfig = \"c\"\noutput = \"o\"\n"
        #expect { _ = try TenantManifest(toml: toml) } throws: { error in
            "\(error)".hasPrefix(message) && isPrintable("\(error)")
        }
    }

    @Test(
        "limits below 1 and quotas below 0 are errors naming the key",
        arguments: [("max_descriptors = 0", "max_descriptors"), ("max_memory = -1", "max_memory"), ("quota_bytes = -5", "quota_bytes"), ("quota_entries = -1", "quota_entries")])
    func outOfRange(_ line: String, _ key: String) {
        for toml in [
            "[defaults]\n\(line)\n[[tenant]]\nname = \"a\"\nconfig = \"c\"\noutput = \"o\"\n",
            "[[tenant]]\nname = \"a\"\nconfig = \"c\"\noutput = \"o\"\n\(line)\n",
        ] {
            #expect { _ = try TenantManifest(toml: toml) } throws: { error in
                "\(error)".hasPrefix("\(key) in ") && "\(error)".contains("must be at least")
            }
        }
    }
}
