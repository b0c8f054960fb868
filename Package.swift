// swift-tools-version:6.2
import CompilerPluginSupport
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Tusk",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Tusk", targets: ["Tusk"]),
        // A product of its own, so an app whose models are plain Codable never builds swift-syntax.
        .library(name: "TuskModel", targets: ["TuskModel"]),
        .executable(name: "tusk-bench", targets: ["tusk-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        // 1.7 for `withTracer`, which scopes a tracer to a task (the tests use it).
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.0"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin.git", from: "1.5.0"),
        // The @Model macro; only TuskModel depends on it, never the core Tusk target.
        .package(url: "https://github.com/swiftlang/swift-syntax.git", from: "603.0.0"),
        .package(url: "https://github.com/pointfreeco/swift-macro-testing.git", from: "0.7.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        .target(
            name: "Tusk",
            dependencies: [
                "CLibPQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSettings
        ),
        .macro(
            name: "TuskMacros",
            dependencies: [
                .product(name: "SwiftSyntax", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacros", package: "swift-syntax"),
                .product(name: "SwiftCompilerPlugin", package: "swift-syntax"),
                .product(name: "SwiftDiagnostics", package: "swift-syntax"),
                .product(name: "SwiftParser", package: "swift-syntax"),
                .product(name: "SwiftSyntaxBuilder", package: "swift-syntax"),
            ],
            swiftSettings: strictSettings
        ),
        // `@Model` and its property markers, with Tusk re-exported: the one import a macro model needs.
        .target(
            name: "TuskModel",
            dependencies: ["Tusk", "TuskMacros"],
            swiftSettings: strictSettings
        ),
        // The benchmark itself, a library so the test targets can import it (an executable that
        // depends on a macro cannot be); tusk-bench is its entry point.
        .target(
            name: "TuskBenchKit",
            dependencies: [
                "TuskModel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "tusk-bench",
            dependencies: ["TuskBenchKit", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strictSettings
        ),
        // Helpers both database test suites use: a lock box, a barrier, polling, a loopback listener.
        .target(
            name: "TuskTestSupport",
            dependencies: ["Tusk", .product(name: "Logging", package: "swift-log")],
            path: "Tests/TuskTestSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "TuskTests",
            dependencies: ["Tusk", "TuskTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "TuskMacrosTests",
            dependencies: [
                "TuskMacros",
                "TuskModel",
                .product(name: "MacroTesting", package: "swift-macro-testing"),
                .product(name: "SwiftSyntax", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacroExpansion", package: "swift-syntax"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "TuskBenchTests",
            dependencies: ["TuskBenchKit", "Tusk", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "TuskFaultTests",
            dependencies: [
                "Tusk",
                "TuskTestSupport",
                "TuskBenchKit",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "TuskIntegrationTests",
            dependencies: [
                "Tusk",
                "TuskModel",
                "TuskTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
