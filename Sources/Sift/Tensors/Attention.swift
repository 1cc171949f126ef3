import CSiftKernels
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

/// Keys and values of the same rows.
typealias KeyValues = (keys: Matrix, values: Matrix)

/// Scaled dot-product attention for one sequence: out = softmax(q·kᵀ·scale + mask)·v per
/// head, with grouped-query heads sharing K/V (`heads / kvHeads` queries per K/V head).
///
/// Keys in one piece (no `prefix` or `context`) go to `sk_attention_head` where it is the
/// faster path (`sk_attention_head_preferred`: AVX-512, and AVX2 for causal masks), one call
/// a run of heads that share keys. Each query row's result then depends on that row alone,
/// so callers may split a sequence's rows between threads (`attendHeads` on row ranges)
/// without changing a bit. Per head, against the BLAS path
/// below (one thread, C harness, µs a head, bidirectional, d = 64): 16 keys 1.24 vs 1.16,
/// 64 keys 13.6 vs 13.8, 128 keys 50.3 vs 54.9, 512 keys 806 vs 851; d = 32:
/// 0.83/8.3/30.0/481 vs 0.86/8.4/30.3/519; d = 128 at 16 keys 2.14 vs 1.83.
///
/// Keys in pieces, and the other cases (AVX2's kernel is slower than OpenBLAS on a
/// bidirectional mask from 64 keys, NEON's is not measured, the scalar reference took 5.4 ms
/// a head at 128 keys, d = 64, against 0.40 for this path): per head and block of query
/// rows (`attentionBlock` for a causal or windowed mask, up to `bidirectionalBlock` for a
/// bidirectional one), two BLAS products and a vectorized softmax: S = q·kᵀ over the keys
/// the block's mask can reach (a causal block stops at its last query; a sliding window
/// starts at its first query's window), then each row's softmax over the keys its own mask
/// allows (zeros elsewhere), then out = S·v over the same keys. A causal prefill so computes
/// about half the scores of the full square.
///
/// Each of the pool's threads takes a range of adjacent heads (grouped-query heads that
/// share keys then mostly stay together), with its own slice of `scratch`.
///
/// q: [queries, heads·headDim]; k, v: [keys, kvHeads·headDim]; out: [queries, heads·headDim].
/// `prefix` and `context`, when given, hold keys and values that come before k and v (a
/// cached prompt that several packed sequences share; the prompt a label continuation
/// follows): the keys are then prefix.keys, context.keys and k in that order, with no copy.
/// `queryOffset` is the position of q's first row among all the keys (for computing only
/// the last rows of a layer). `scratch`: `attentionScratch(queries:keys:headDim:pool:)` floats, for
/// all the keys.
func attention(q: Matrix, k: Matrix, v: Matrix, prefix: KeyValues? = nil, context: KeyValues? = nil, out: Matrix,
               heads: Int, kvHeads: Int, headDim: Int, scale: Float, mask: AttentionMask, queryOffset: Int = 0,
               softcap: Float? = nil, scratch: UnsafeMutablePointer<Float>, pool: ThreadPool) {
    StageProfiler.measure(\.attention) {
        let keys = (prefix?.keys.rows ?? 0) + (context?.keys.rows ?? 0) + k.rows
        let threads = min(pool.threadCount, heads)
        pool.parallel(threads) { t in
            attendHeads(heads * t / threads ..< heads * (t + 1) / threads, q: q, k: k, v: v, prefix: prefix, context: context, out: out,
                        heads: heads, kvHeads: kvHeads, headDim: headDim, scale: scale, mask: mask, queryOffset: queryOffset,
                        softcap: softcap, scores: scratch + t * attentionScratchPerThread(queries: q.rows, keys: keys, headDim: headDim))
        }
    }
}

/// `attention` for the heads `selected` only, on the calling thread; `scores` holds
/// `attentionScratchPerThread(queries: q.rows, keys: (all keys), headDim:)` floats.
func attendHeads(_ selected: Range<Int>, q: Matrix, k: Matrix, v: Matrix, prefix: KeyValues? = nil, context: KeyValues? = nil,
                 out: Matrix, heads: Int, kvHeads: Int, headDim: Int, scale: Float, mask: AttentionMask, queryOffset: Int = 0,
                 softcap: Float? = nil, scores: UnsafeMutablePointer<Float>) {
    let prefixRows = prefix?.keys.rows ?? 0, before = prefixRows + (context?.keys.rows ?? 0)
    let queries = q.rows, keys = before + k.rows, group = heads / kvHeads
    if prefix == nil, context == nil, sk_attention_head_preferred(mask.causal ? 1 : 0) != 0 {
        // One call for each run of the selected heads that share keys and values.
        var h = selected.lowerBound
        while h < selected.upperBound {
            let kvh = h / group, end = min(selected.upperBound, (kvh + 1) * group)
            sk_attention_head(q.data + h * headDim, Int64(q.stride), k.data + kvh * headDim, Int64(k.stride),
                              v.data + kvh * headDim, Int64(v.stride), out.data + h * headDim, Int64(out.stride),
                              Int64(end - h), Int64(queries), Int64(keys), Int64(headDim), Int64(queryOffset), mask.causal ? 1 : 0,
                              Int64(mask.window ?? 0), scale, softcap ?? 0, scores)
            h = end
        }
        return
    }
    // A mask that is the same for every query (bidirectional, no window) gains nothing
    // from small blocks: larger ones are fewer products.
    let block = mask.causal || mask.window != nil ? attentionBlock : bidirectionalBlock
    for h in selected {
        let kvh = h / group
        for b0 in stride(from: 0, to: queries, by: block) {
            let rows = min(block, queries - b0)
            let first = mask.range(query: queryOffset + b0, keys: keys)
            let last = mask.range(query: queryOffset + b0 + rows - 1, keys: keys)
            let lo = first.lowerBound, hi = max(lo, last.upperBound), span = hi - lo
            let qBlock = q.data + b0 * q.stride + h * headDim, outBlock = out.data + b0 * out.stride + h * headDim
            guard span > 0 else {
                for i in 0 ..< rows { (outBlock + i * out.stride).update(repeating: 0, count: headDim) }
                continue
            }
            // The keys are stored in up to three pieces: the prefix's rows, the
            // context's, then k/v's. A piece's keys within [lo, hi), as rows of its
            // matrices, and `at`, their first column in the scores.
            func piece(_ i: Int) -> (keys: Matrix, values: Matrix, rows: Range<Int>, at: Int)? {
                let first = i == 0 ? 0 : i == 1 ? prefixRows : before
                guard let stored = i == 0 ? prefix : i == 1 ? context : (k, v) else { return nil }
                let g0 = max(lo, first), g1 = min(hi, first + stored.keys.rows)
                return g1 > g0 ? (stored.keys, stored.values, g0 - first ..< g1 - first, g0 - lo) : nil
            }
            for i in 0 ..< 3 {
                guard let p = piece(i) else { continue }
                BLAS.sgemm(transposeB: true, m: rows, n: p.rows.count, k: headDim, alpha: scale,
                           a: qBlock, lda: q.stride, b: p.keys.data + p.rows.lowerBound * p.keys.stride + kvh * headDim,
                           ldb: p.keys.stride, c: scores + p.at, ldc: span)
            }
            for i in 0 ..< rows {
                let row = scores + i * span
                let range = mask.range(query: queryOffset + b0 + i, keys: keys)
                let a = max(range.lowerBound, lo) - lo, b = min(range.upperBound, hi) - lo
                if let softcap {
                    for j in a ..< b { row[j] = softcap * Foundation.tanh(row[j] / softcap) }
                }
                for j in 0 ..< a { row[j] = 0 }
                for j in max(a, b) ..< span { row[j] = 0 }
                if b > a { softmax(row + a, b - a) }
            }
            var accumulate = false
            for i in 0 ..< 3 {
                guard let p = piece(i) else { continue }
                BLAS.sgemm(m: rows, n: headDim, k: p.rows.count, a: scores + p.at, lda: span,
                           b: p.values.data + p.rows.lowerBound * p.values.stride + kvh * headDim,
                           ldb: p.values.stride, beta: accumulate ? 1 : 0, c: outBlock, ldc: out.stride)
                accumulate = true
            }
        }
    }
}

/// Query rows per attention block: small enough that a causal prefill skips most of the
/// masked scores, large enough to keep the products efficient.
let attentionBlock = 32

/// Query rows per block under a bidirectional mask: 128 rows of scores over 512 keys are
/// 256 KiB, which stays in L2 (a whole 512-token head would be 1 MiB).
let bidirectionalBlock = 128

/// Floats of scratch `attendHeads` needs on one thread.
func attentionScratchPerThread(queries: Int, keys: Int, headDim: Int) -> Int {
    max(queries * keys, Int(sk_attention_scratch(Int64(keys), Int64(headDim))))
}

/// Floats of scratch `attention` needs.
func attentionScratch(queries: Int, keys: Int, headDim: Int, pool: ThreadPool) -> Int {
    pool.threadCount * attentionScratchPerThread(queries: queries, keys: keys, headDim: headDim)
}
