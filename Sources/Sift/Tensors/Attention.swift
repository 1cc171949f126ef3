import Foundation

/// Rotary position embedding (RoFormer), for the two layouts checkpoints use:
/// `halfSplit` (HF: dimension i pairs with i + d/2, `rotate_half`) and `adjacentPairs`
/// (GGUF/llama.cpp "normal" RoPE: 2i pairs with 2i + 1; GGUF stores Llama Q/K permuted for it).
public struct RoPE: Sendable {
    public enum Layout: Sendable { case halfSplit, adjacentPairs }

    public let dimensions: Int
    public let layout: Layout
    /// θ_i for i < dimensions / 2, after any frequency scaling.
    let inverseFrequencies: [Float]

    /// `frequencyFactors` divide θ_i (llama.cpp stores Llama 3.1 scaling as a
    /// `rope_freqs.weight` tensor of these factors instead of `rope_scaling` keys).
    public init(dimensions: Int, base: Double, layout: Layout, scaling: RoPEScaling? = nil, frequencyFactors: [Float]? = nil) {
        self.dimensions = dimensions
        self.layout = layout
        var freqs = (0 ..< dimensions / 2).map { 1 / pow(base, Double(2 * $0) / Double(dimensions)) }
        if let scaling {
            switch scaling.kind {
            case .linear:
                freqs = freqs.map { $0 / scaling.factor }
            case .llama3(let low, let high, let original):
                // Llama 3.1: long wavelengths are slowed by `factor`, short ones kept, and the
                // band between is interpolated.
                let lowWavelength = Double(original) / low
                let highWavelength = Double(original) / high
                freqs = freqs.map { f in
                    let wavelength = 2 * Double.pi / f
                    if wavelength < highWavelength { return f }
                    if wavelength > lowWavelength { return f / scaling.factor }
                    let smooth = (Double(original) / wavelength - low) / (high - low)
                    return (1 - smooth) * f / scaling.factor + smooth * f
                }
            }
        }
        if let factors = frequencyFactors, factors.count == freqs.count {
            freqs = zip(freqs, factors).map { $0 / Double($1) }
        }
        inverseFrequencies = freqs.map { Float($0) }
    }

    /// Rotates the first `dimensions` values of each head of each row, for positions
    /// `positions[row]`. x is [tokens, heads · headDim].
    func apply(_ x: Matrix, heads: Int, headDim: Int, positions: [Int]) {
        let half = dimensions / 2
        var cosines = [Float](repeating: 0, count: half), sines = cosines
        for t in 0 ..< x.rows {
            // fp32 angle = position · θ_i, as transformers computes it.
            let p = Float(positions[t])
            for i in 0 ..< half {
                let angle = p * inverseFrequencies[i]
                cosines[i] = cos(angle)
                sines[i] = sin(angle)
            }
            let row = x.row(t)
            for h in 0 ..< heads {
                let v = row + h * headDim
                switch layout {
                case .halfSplit:
                    for i in 0 ..< half {
                        let a = v[i], b = v[i + half]
                        v[i] = a * cosines[i] - b * sines[i]
                        v[i + half] = b * cosines[i] + a * sines[i]
                    }
                case .adjacentPairs:
                    for i in 0 ..< half {
                        let a = v[2 * i], b = v[2 * i + 1]
                        v[2 * i] = a * cosines[i] - b * sines[i]
                        v[2 * i + 1] = b * cosines[i] + a * sines[i]
                    }
                }
            }
        }
    }
}

/// `rope_scaling` of a config.
public struct RoPEScaling: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case linear
        case llama3(lowFrequencyFactor: Double, highFrequencyFactor: Double, originalContext: Int)
    }

    public let kind: Kind
    public let factor: Double
}

/// Which key positions a query may attend to.
public struct AttentionMask: Sendable {
    /// Decoders: only positions ≤ the query's.
    public var causal: Bool
    /// Sliding-window layers: only the last `window` positions up to and including the
    /// query's (nil: unlimited).
    public var window: Int?

    @inline(__always) func range(query: Int, keys: Int) -> Range<Int> {
        let end = causal ? query + 1 : keys
        let start = window.map { max(0, query - $0 + 1) } ?? 0
        return start ..< end
    }
}

/// Scaled dot-product attention for one sequence: out = softmax(q·kᵀ·scale + mask)·v per
/// head, with grouped-query heads sharing K/V (`heads / kvHeads` queries per K/V head).
///
/// Per head, two BLAS products and a vectorized softmax: S = q_h·k_hᵀ (one head's
/// [queries, keys] scores, the only score matrix that exists), then each row's softmax over
/// the keys its mask allows (zeros elsewhere), then out_h = S·v_h. Heads are dealt to the
/// pool's threads round-robin, each thread with its own slice of `scratch`.
///
/// q: [queries, heads·headDim]; k, v: [keys, kvHeads·headDim]; out: [queries, heads·headDim].
/// `prefix`, when given, holds keys and values that come before k and v (a cached prompt
/// that several packed sequences share): the keys are then prefix.keys followed by k, with
/// no copy. `queryOffset` is the position of q's first row among all the keys (for
/// computing only the last rows of a layer). `scratch`: `attentionScratch(queries:keys:pool:)`
/// floats, for all the keys.
func attention(q: Matrix, k: Matrix, v: Matrix, prefix: (keys: Matrix, values: Matrix)? = nil, out: Matrix,
               heads: Int, kvHeads: Int, headDim: Int, scale: Float, mask: AttentionMask, queryOffset: Int = 0,
               softcap: Float? = nil, scratch: UnsafeMutablePointer<Float>, pool: ThreadPool) {
    StageProfiler.measure(\.attention) {
        let before = prefix?.keys.rows ?? 0
        let queries = q.rows, keys = before + k.rows, group = heads / kvHeads
        let threads = min(pool.threadCount, heads)
        pool.parallel(threads) { t in
            let scores = scratch + t * queries * keys
            for h in stride(from: t, to: heads, by: threads) {
                let kvh = h / group
                if let prefix {
                    BLAS.sgemm(transposeB: true, m: queries, n: before, k: headDim, alpha: scale,
                               a: q.data + h * headDim, lda: q.stride, b: prefix.keys.data + kvh * headDim, ldb: prefix.keys.stride,
                               c: scores, ldc: keys)
                }
                BLAS.sgemm(transposeB: true, m: queries, n: k.rows, k: headDim, alpha: scale,
                           a: q.data + h * headDim, lda: q.stride, b: k.data + kvh * headDim, ldb: k.stride,
                           c: scores + before, ldc: keys)
                for i in 0 ..< queries {
                    let row = scores + i * keys
                    let range = mask.range(query: i + queryOffset, keys: keys)
                    if let softcap {
                        for j in range { row[j] = softcap * Foundation.tanh(row[j] / softcap) }
                    }
                    for j in 0 ..< range.lowerBound { row[j] = 0 }
                    for j in range.upperBound ..< keys { row[j] = 0 }
                    softmax(row + range.lowerBound, range.count)
                }
                if let prefix {
                    BLAS.sgemm(m: queries, n: headDim, k: before, a: scores, lda: keys, b: prefix.values.data + kvh * headDim,
                               ldb: prefix.values.stride, c: out.data + h * headDim, ldc: out.stride)
                }
                BLAS.sgemm(m: queries, n: headDim, k: k.rows, a: scores + before, lda: keys, b: v.data + kvh * headDim, ldb: v.stride,
                           beta: prefix == nil ? 0 : 1, c: out.data + h * headDim, ldc: out.stride)
            }
        }
    }
}

/// Floats of scratch `attention` needs.
func attentionScratch(queries: Int, keys: Int, pool: ThreadPool) -> Int { pool.threadCount * queries * keys }
