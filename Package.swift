// swift-tools-version: 6.1
import PackageDescription

// Sift: CPU inference for small fine-tuned transformer classifiers.
//
// No target sets unsafe compiler flags: SIMD code in CSiftKernels is compiled per function with
// __attribute__((target(...))) and chosen at run time, so the package can be depended on
// by version.

let package = Package(
    name: "Sift",
    platforms: [.macOS(.v14), .iOS(.v17)],
    // MARK: - Public API
    products: [
        .library(name: "Sift", targets: ["Sift"]),
        .library(name: "SiftTokenizers", targets: ["SiftTokenizers"]),
        .executable(name: "sift", targets: ["sift"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // MARK: - Implementation
        .target(
            name: "CSiftKernels",
            cSettings: [.define("_GNU_SOURCE", .when(platforms: [.linux]))],
            linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux]))]
        ),
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(name: "SiftTokenizers"),
        .target(
            name: "Sift",
            dependencies: [
                "CSiftKernels",
                "SiftTokenizers",
                .target(name: "CBLAS", condition: .when(platforms: [.linux, .android, .windows, .openbsd])),
            ],
            linkerSettings: [.linkedFramework("Accelerate", .when(platforms: [.macOS, .iOS, .visionOS, .tvOS]))]
        ),

        // MARK: - Tools
        .executableTarget(
            name: "sift",
            dependencies: [
                "Sift",
                "SiftTokenizers",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: - Tests
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "CSiftKernelsTests", dependencies: ["CSiftKernels", "TestSupport"]),
        .testTarget(name: "SiftTests", dependencies: ["Sift", "CSiftKernels", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "SiftTokenizersTests", dependencies: ["SiftTokenizers", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "siftTests", dependencies: ["sift", "TestSupport"]),
    ]
)
