// swift-tools-version:6.2
// A Hummingbird 2 JSON API over the blog of Docs/Guide.md, built on Tusk.
// A package of its own, so Tusk itself never depends on a web framework.
import PackageDescription

let package = Package(
    name: "BlogAPI",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "blog-api", targets: ["BlogAPI"]),
    ],
    dependencies: [
        // Named, because a path dependency is otherwise known by its folder name (the clone's).
        .package(name: "Tusk", path: "../.."),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
    ],
    targets: [
        .executableTarget(
            name: "BlogAPI",
            dependencies: [
                .product(name: "Tusk", package: "Tusk"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            // Tusk's own settings, less NonisolatedNonsendingByDefault: Hummingbird's protocols
            // (RouterMiddleware.handle) are written for the default, and a conformance compiled
            // with it would need @concurrent spelled out.
            swiftSettings: [
                .swiftLanguageMode(.v6),
                .enableUpcomingFeature("ExistentialAny"),
                .enableUpcomingFeature("MemberImportVisibility"),
            ]
        ),
    ]
)
