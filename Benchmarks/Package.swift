// swift-tools-version: 6.1
import PackageDescription

// Sift's benchmarks: a separate package so that the library's users never build them.
let package = Package(
    name: "SiftBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Sift", path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .executableTarget(
            name: "sift-bench",
            dependencies: [
                .product(name: "Sift", package: "Sift"),
                .product(name: "SiftTokenizers", package: "Sift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
    ]
)
