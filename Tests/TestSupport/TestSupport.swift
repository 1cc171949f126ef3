import Foundation

/// The repository's Tests/ folder, found from this file's location (tests run from the
/// package root in CI, but not necessarily elsewhere).
public let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

/// The repository root.
public let repositoryRoot = testsDirectory.deletingLastPathComponent()

/// models/assets/<relative>, which `models/fetch_assets.sh` fills; nil when absent, so that
/// tests needing real weights can skip and say so.
public func assetURL(_ relative: String) -> URL? {
    let url = repositoryRoot.appendingPathComponent("models/assets").appendingPathComponent(relative)
    return FileManager.default.fileExists(atPath: url.path) ? url : nil
}

/// Reads raw little-endian fp32 values.
public func readFloats(_ url: URL) throws -> [Float] {
    let data = try Data(contentsOf: url)
    return data.withUnsafeBytes { raw in
        (0 ..< data.count / 4).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
    }
}

/// Largest |a - b| / max(|b|, floor) over the elements.
public func maxRelativeError(_ a: [Float], _ b: [Float], floor: Float = 1e-6) -> Float {
    precondition(a.count == b.count, "compared arrays differ in length")
    var worst: Float = 0
    for (x, y) in zip(a, b) { worst = max(worst, abs(x - y) / max(abs(y), floor)) }
    return worst
}

/// A deterministic generator for test data (SplitMix64).
public struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Normally distributed floats (Box–Muller), deterministic for a seed.
public func randomNormal(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
    var g = SeededGenerator(seed: seed)
    return (0 ..< count).map { _ in
        let u1 = Float.random(in: Float.ulpOfOne ..< 1, using: &g)
        let u2 = Float.random(in: 0 ..< 1, using: &g)
        return scale * (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}
