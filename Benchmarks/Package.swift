// swift-tools-version: 6.1
import PackageDescription

// Sift's benchmarks: a separate package so that the library's users never build them.

/// What both benchmark executables time.
let sift: [Target.Dependency] = [
    .product(name: "Sift", package: "Sift"),
    .product(name: "SiftTokenizers", package: "Sift"),
]

let package = Package(
    name: "SiftBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Sift", path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "sift-bench",
            dependencies: sift + [.product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Micro-benchmarks of the kernels and tokenizers with ordo-one/benchmark:
        // `swift package benchmark` (see README.md).
        .executableTarget(
            name: "SiftMicro",
            dependencies: sift + [.product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/SiftMicro",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
