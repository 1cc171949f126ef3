import Foundation

/// Where a classification's time went, in seconds. Filled when `ClassifierOptions.profile`
/// is set (the benchmark's per-stage table); `other` is what the named stages do not cover
/// (norms, activations, residual adds, RoPE, quantizing activations outside GEMMs, …).
public struct StageTimings: Sendable, Codable, Equatable {
    public var tokenize = 0.0
    public var embeddings = 0.0
    /// Every Linear layer's matrix product (int8 or BLAS), activation quantization included.
    public var matmul = 0.0
    public var attention = 0.0
    public var head = 0.0
    public var total = 0.0

    public var other: Double { max(0, total - tokenize - embeddings - matmul - attention - head) }

    public init() {}

    public static func + (a: StageTimings, b: StageTimings) -> StageTimings {
        var c = a
        c.tokenize += b.tokenize
        c.embeddings += b.embeddings
        c.matmul += b.matmul
        c.attention += b.attention
        c.head += b.head
        c.total += b.total
        return c
    }
}

/// Collects `StageTimings` for the calls made while it is `current`. A stage inside another
/// (the head's Linear layers) counts for the outer one only.
final class StageProfiler: @unchecked Sendable {
    @TaskLocal static var current: StageProfiler?

    var timings = StageTimings()
    private var depth = 0

    @inline(__always)
    static func measure<T>(_ stage: WritableKeyPath<StageTimings, Double>, _ body: () throws -> T) rethrows -> T {
        guard let p = current else { return try body() }
        p.depth += 1
        let start = DispatchTime.now().uptimeNanoseconds
        defer {
            p.depth -= 1
            if p.depth == 0 { p.timings[keyPath: stage] += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        }
        return try body()
    }
}
