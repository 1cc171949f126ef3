// swift-tools-version: 6.1
import PackageDescription

// libFuzzer targets for Sift's parsers: a separate package so the library's users and CI's
// `swift test` never build them. Build and run with Fuzz/run.sh (it passes
// -sanitize=fuzzer,address on the command line; no target here sets compiler flags). Each
// target's main.swift hands its test function to libFuzzer's driver.
let package = Package(
    name: "SiftFuzz",
    dependencies: [.package(name: "Sift", path: "..")],
    targets: [
        .target(name: "FuzzDriver"),
        .executableTarget(name: "fuzz-gguf", dependencies: ["FuzzDriver", .product(name: "Sift", package: "Sift")]),
        .executableTarget(name: "fuzz-safetensors", dependencies: ["FuzzDriver", .product(name: "Sift", package: "Sift")]),
        .executableTarget(name: "fuzz-tokenizer-json", dependencies: ["FuzzDriver", .product(name: "SiftTokenizers", package: "Sift")]),
        .executableTarget(name: "fuzz-tokenize", dependencies: ["FuzzDriver", .product(name: "SiftTokenizers", package: "Sift")]),
    ]
)
