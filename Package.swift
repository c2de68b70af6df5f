// swift-tools-version:6.1
import PackageDescription

let strictSwift: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
]

let package = Package(
    name: "Capsule",
    products: [
        .library(name: "CapStd", targets: ["CapStd"]),
        .library(name: "CapWASI", targets: ["CapWASI"]),
        .library(name: "CapServe", targets: ["CapServe"]),
        .library(name: "CapServeHummingbird", targets: ["CapServeHummingbird"]),
        .library(name: "CapServeVapor", targets: ["CapServeVapor"]),
        .library(name: "CapComponent", targets: ["CapComponent"]),
        .library(name: "PluginHost", targets: ["PluginHost"]),
        .library(name: "AmbientAudit", targets: ["AmbientAudit"]),
        .plugin(name: "AuditAmbient", targets: ["AuditAmbient"]),
        .executable(name: "capsule", targets: ["capsule"]),
    ],
    // Each framework adapter sits behind a trait, off by default, so a package that depends on
    // Capsule for CapStd or CapWASI fetches and builds neither framework nor NIO.
    traits: [
        .trait(name: "Hummingbird", description: "CapServeHummingbird: a static-file middleware over a Dir for Hummingbird, and a FileProvider for its FileMiddleware"),
        .trait(name: "Vapor", description: "CapServeVapor: a static-file middleware over a Dir for Vapor"),
        .default(enabledTraits: []),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-system", exact: "1.8.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swiftlang/swift-syntax", exact: "603.0.1"),
        .package(url: "https://github.com/swiftwasm/WasmKit", exact: "0.4.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/LebJe/TOMLKit", exact: "0.6.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", exact: "2.0.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/vapor/vapor", from: "4.122.3"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .target(name: "CCapStdShims"),
        .target(
            name: "CapStd",
            dependencies: [
                "CCapStdShims",
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "CapWASI",
            dependencies: [
                "CapStd",
                "CapComponent",
                .product(name: "WasmKit", package: "WasmKit"),
                .product(name: "WasmParser", package: "WasmKit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: strictSwift
        ),
        .target(name: "CapServe", dependencies: ["CapStd"], swiftSettings: strictSwift),
        .testTarget(name: "CapServeTests", dependencies: ["CapServe", "CapStd", "TestSupport"], swiftSettings: strictSwift),
        .target(
            name: "CapServeNIO",
            dependencies: [
                "CapServe", "CapStd",
                .product(name: "NIOCore", package: "swift-nio", condition: .when(traits: ["Hummingbird", "Vapor"])),
                .product(name: "NIOPosix", package: "swift-nio", condition: .when(traits: ["Hummingbird", "Vapor"])),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "CapServeHummingbird",
            dependencies: [
                "CapServeNIO", "CapServe", "CapStd",
                .product(name: "Hummingbird", package: "hummingbird", condition: .when(traits: ["Hummingbird"])),
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "CapServeVapor",
            dependencies: [
                "CapServeNIO", "CapServe", "CapStd",
                .product(name: "Vapor", package: "vapor", condition: .when(traits: ["Vapor"])),
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "ServeTestSupport",
            dependencies: [
                "CapStd", "TestSupport", .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client", condition: .when(traits: ["Hummingbird", "Vapor"])),
                .product(name: "NIOCore", package: "swift-nio", condition: .when(traits: ["Hummingbird", "Vapor"])),
                .product(name: "NIOHTTP1", package: "swift-nio", condition: .when(traits: ["Hummingbird", "Vapor"])),
                .product(name: "NIOPosix", package: "swift-nio", condition: .when(traits: ["Hummingbird", "Vapor"])),
            ],
            path: "Tests/ServeTestSupport",
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "CapServeHummingbirdTests",
            dependencies: [
                "CapServeHummingbird", "ServeTestSupport", "TestSupport", "CapStd", "CapWASI", "PluginHost",
                .product(name: "SystemPackage", package: "swift-system"), .product(name: "WAT", package: "WasmKit"),
                .product(name: "Hummingbird", package: "hummingbird", condition: .when(traits: ["Hummingbird"])),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle", condition: .when(traits: ["Hummingbird"])),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "CapServeVaporTests",
            dependencies: [
                "CapServeVapor", "ServeTestSupport", "TestSupport", "CapStd", .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Vapor", package: "vapor", condition: .when(traits: ["Vapor"])),
            ],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "static-site-hummingbird",
            dependencies: [
                "CapServeHummingbird", "CapStd", .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Hummingbird", package: "hummingbird", condition: .when(traits: ["Hummingbird"])),
            ],
            path: "Examples/StaticSite/Hummingbird",
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "static-site-vapor",
            dependencies: [
                "CapServeVapor", "CapStd", .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Vapor", package: "vapor", condition: .when(traits: ["Vapor"])),
            ],
            path: "Examples/StaticSite/Vapor",
            swiftSettings: strictSwift
        ),
        .target(
            name: "CapComponent",
            dependencies: [.product(name: "WasmKit", package: "WasmKit"), .product(name: "WasmParser", package: "WasmKit")],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "CapComponentTests",
            dependencies: [
                "CapComponent", "TestSupport",
                .product(name: "WasmKit", package: "WasmKit"),
                .product(name: "WasmParser", package: "WasmKit"),
                .product(name: "WAT", package: "WasmKit"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            exclude: ["Components", "Spec"],
            swiftSettings: strictSwift
        ),
        .target(
            name: "PluginHost",
            dependencies: [
                "CapStd", "CapWASI", "CapComponent", .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Metrics", package: "swift-metrics"), .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "PluginHostTests",
            dependencies: [
                "PluginHost", "CapWASI", "CapStd", "TestSupport", "leak-probe", "pool-probe", .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "WAT", package: "WasmKit"), .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "AmbientAudit",
            dependencies: [
                "CapStd",
                .product(name: "SwiftSyntax", package: "swift-syntax"),
                .product(name: "SwiftParser", package: "swift-syntax"),
            ],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "capsule",
            dependencies: [
                "PluginHost",
                "CapWASI",
                .product(name: "Logging", package: "swift-log"),
                "AmbientAudit",
                "CapStd",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: strictSwift
        ),
        .target(name: "CBenchFloor", path: "Benchmarks/CBenchFloor"),
        .executableTarget(
            name: "capsule-bench",
            dependencies: [
                "CapStd", "CapWASI", "CapComponent", "PluginHost", "AmbientAudit", "CCapStdShims", "CBenchFloor",
                .product(name: "WasmKit", package: "WasmKit"),
                .product(name: "WasmKitWASI", package: "WasmKit"),
                .product(name: "WAT", package: "WasmKit"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            path: "Benchmarks/CapsuleBench",
            exclude: ["wasmtime_runner.py"],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "capsule-serve-bench",
            dependencies: [
                "CapServeHummingbird", "CapServeVapor", "CapStd", "TestSupport", .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Hummingbird", package: "hummingbird", condition: .when(traits: ["Hummingbird"])),
                .product(name: "Vapor", package: "vapor", condition: .when(traits: ["Vapor"])),
            ],
            path: "Benchmarks/ServeBench",
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "resolver-fuzz",
            dependencies: ["CapStd", "TestSupport", .product(name: "SystemPackage", package: "swift-system")],
            path: "Fuzz/ResolverFuzz",
            swiftSettings: strictSwift
        ),
        .plugin(
            name: "AuditAmbient",
            capability: .command(
                intent: .custom(verb: "audit-ambient", description: "List ambient file system calls in this package's Swift sources")
            ),
            dependencies: ["capsule"]
        ),
        .testTarget(
            name: "CapsuleCLITests",
            dependencies: ["capsule", "TestSupport", "CapStd", "CapWASI", .product(name: "WAT", package: "WasmKit")],
            exclude: ["Components"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "AmbientAuditTests",
            dependencies: ["AmbientAudit", "CapStd", "TestSupport", .product(name: "SystemPackage", package: "swift-system")],
            exclude: ["Fixtures"],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "leak-probe",
            dependencies: [
                "PluginHost", "CapWASI", "CapStd", "TestSupport",
                .product(name: "WAT", package: "WasmKit"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            path: "Tests/LeakProbe",
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "pool-probe",
            dependencies: ["PluginHost", "CapWASI", "CapStd", "TestSupport", .product(name: "WAT", package: "WasmKit")],
            path: "Tests/PoolProbe",
            swiftSettings: strictSwift
        ),
        .target(
            name: "TestSupport",
            dependencies: ["CapStd", .product(name: "SystemPackage", package: "swift-system"), .product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport",
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "CapWASITests",
            dependencies: [
                "CapWASI", "CapStd", "TestSupport",
                .product(name: "WAT", package: "WasmKit"),
                .product(name: "WasmKit", package: "WasmKit"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Guests", "Components"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "CapStdTests",
            dependencies: [
                "CapStd", "CCapStdShims", "TestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: strictSwift
        ),
    ]
)
