import Benchmark
import CSiftKernels
import Foundation
import Sift
import SiftTokenizers

// Micro-benchmarks: the int8 GEMM (through Linear, activation quantization included), the
// row kernels, and tokenizing a ticket with each tokenizer family. `swift package benchmark`
// runs them; `swift package benchmark baseline update` / `baseline compare` track changes.
// Model-level timings and peers are `sift-bench` (Sources/sift-bench).

/// Deterministic values in [-1, 1).
private func values(_ count: Int, seed: UInt64) -> [Float] {
    var state = seed
    return (0 ..< count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(state >> 40) / Float(1 << 24) * 2 - 1
    }
}

private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Tests/SiftTokenizersTests/Fixtures/tokenizers")

private let ticket = "Hi, I was charged twice for my order #48213 on 12 March and the app keeps crashing when I "
    + "open the invoice page. Could you refund the duplicate charge? Merci — I've tried reinstalling 🙁"

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(2), maxIterations: 100_000)

    // int8 GEMM and, for comparison, the fp32 path (BLAS sgemm on dequantized weights), one
    // thread, the prefill shapes of MiniLM/BERT and Qwen2.5-0.5B.
    let shapes = WeightType.allCases.flatMap { type in
        [(768, 768), (3072, 768), (4864, 896)].flatMap { nk in [16, 64].map { (type, nk.0, nk.1, $0) } }
    }
    for (type, n, k, m) in shapes {
        do {
            guard let layer = try? Linear(weights: values(n * k, seed: 1), out: n, in: k, bias: nil, as: type) else { continue }
            let pool = ThreadPool(threads: 1)
            let x = UnsafeMutablePointer<Float>.allocate(capacity: m * k)
            x.initialize(from: values(m * k, seed: 2), count: m * k)
            let y = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
            let scratch = UnsafeMutablePointer<sk_block_q8_a>.allocate(capacity: layer.quantizedBlocks(rows: m))
            Benchmark("gemm \(type.rawValue) \(m)x\(k) · \(n)x\(k)", configuration: .init(scalingFactor: .one)) { benchmark in
                for _ in benchmark.scaledIterations {
                    layer(Matrix(x, rows: m, cols: k), into: Matrix(y, rows: m, cols: n), scratch: scratch, pool: pool)
                    blackHole(y[0])
                }
            }
        }
    }

    // Row kernels at the active instruction-set level on 4096 values (each run first copies
    // the input back into the work row, 16 KB, as the in-place kernels overwrite it).
    let count = 4096
    let row = UnsafeMutablePointer<Float>.allocate(capacity: count), work = UnsafeMutablePointer<Float>.allocate(capacity: count)
    row.initialize(from: values(count, seed: 3), count: count)
    let gamma = [Float](repeating: 1, count: count), beta = [Float](repeating: 0, count: count)
    let blocks = UnsafeMutablePointer<sk_block_q8_a>.allocate(capacity: count / 32)
    let kernels: [(String, () -> Void)] = [
        ("quantize q8_a", { sk_quantize_row_q8_a(row, blocks, Int64(count), SK_SCALES_POW2) }),
        ("quantize q8_a exact scales", { sk_quantize_row_q8_a(row, blocks, Int64(count), SK_SCALES_EXACT) }),
        ("softmax", { work.update(from: row, count: count); sk_softmax(work, Int64(count)) }),
        ("gelu", { work.update(from: row, count: count); sk_gelu(work, Int64(count)) }),
        ("layer norm", { work.update(from: row, count: count); sk_layer_norm(work, gamma, beta, Int64(count), 1e-12) }),
        ("rms norm", { work.update(from: row, count: count); sk_rms_norm(work, gamma, Int64(count), 1e-6) }),
        ("bias + gelu epilogue", { work.update(from: row, count: count); sk_bias_activation(work, Int64(count), 1, Int64(count), beta, SK_ACT_GELU) }),
        ("log-sum-exp", { work[0] = sk_log_sum_exp(row, Int64(count)) }),
    ]
    for (name, body) in kernels {
        Benchmark("\(name) \(count)") { benchmark in
            for _ in benchmark.scaledIterations { body() }
            blackHole(work[0])
        }
    }

    // A 200-character ticket through one tokenizer of each family.
    for name in ["minilm", "roberta", "qwen2.5", "llama2", "xlm-roberta"] {
        guard let tokenizer = try? Tokenizer(contentsOf: fixtures.appendingPathComponent("\(name)/tokenizer.json")) else { continue }
        Benchmark("tokenize ticket \(name)") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(tokenizer.encode(ticket, maxLength: 128).ids.count) }
        }
    }
}
