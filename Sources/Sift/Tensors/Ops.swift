import CSiftKernels
import Foundation

// Row-wise operations of the forward pass. Shapes: x is [tokens, features] row-major.

/// The activation functions configs name (`hidden_act`, `hidden_activation`).
public enum Activation: String, Sendable {
    /// 0.5·x·(1 + erf(x/√2)): BERT's "gelu".
    case gelu
    /// 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))): "gelu_new", "gelu_pytorch_tanh", "gelu_fast".
    case geluTanh
    case relu
    case silu
    case tanh

    /// The HF name, or nil if Sift does not implement it.
    public init?(huggingFace name: String) {
        switch name {
        case "gelu", "gelu_python": self = .gelu
        case "gelu_new", "gelu_pytorch_tanh", "gelu_fast", "gelu_tanh": self = .geluTanh
        case "relu": self = .relu
        case "silu", "swish": self = .silu
        case "tanh": self = .tanh
        default: return nil
        }
    }

    @inline(__always) func apply(_ x: Float) -> Float {
        switch self {
        case .gelu: return 0.5 * x * (1 + erf(x * 0.70710678118654752))
        case .geluTanh:
            let inner: Float = 0.79788456080286536 * (x + 0.044715 * x * x * x)
            return 0.5 * x * (1 + Foundation.tanh(inner))
        case .relu: return max(x, 0)
        case .silu: return x / (1 + exp(-x))
        case .tanh: return Foundation.tanh(x)
        }
    }

    /// The GEMM epilogue's version of this activation, if it has one.
    var epilogue: sk_activation? {
        switch self {
        case .gelu: return SK_ACT_GELU
        case .geluTanh: return SK_ACT_GELU_TANH
        case .relu, .silu, .tanh: return nil
        }
    }

    /// Applies the activation in place (GELU through the vectorized kernels), rows split
    /// over the pool's threads when there are enough of them.
    func apply(_ m: Matrix, pool: ThreadPool) {
        pool.forRows(m.rows, elementsPerRow: m.cols) { rows in apply(rowsOf: m.rows(rows)) }
    }

    /// Applies the activation in place to every row of `m`, on the calling thread.
    func apply(rowsOf m: Matrix) {
        for i in 0 ..< m.rows {
            let r = m.row(i)
            switch self {
            case .gelu: sk_gelu(r, Int64(m.cols))
            case .geluTanh: sk_gelu_tanh(r, Int64(m.cols))
            default: for j in 0 ..< m.cols { r[j] = apply(r[j]) }
            }
        }
    }
}

/// Gated MLP input: a[i][j] = act(a[i][j]) · b[i][j] (SwiGLU, GeGLU), rows split over the
/// pool's threads when there are enough of them.
func gatedActivation(_ a: Matrix, _ b: Matrix, _ act: Activation, pool: ThreadPool) {
    pool.forRows(a.rows, elementsPerRow: a.cols) { rows in gatedActivation(rowsOf: a.rows(rows), b.rows(rows), act) }
}

/// `gatedActivation` on every row of `a` and `b`, on the calling thread.
func gatedActivation(rowsOf a: Matrix, _ b: Matrix, _ act: Activation) {
    for i in 0 ..< a.rows {
        let ra = a.row(i), rb = b.row(i)
        switch act {
        case .silu: sk_silu_mul(ra, rb, Int64(a.cols))
        case .geluTanh: sk_gelu_tanh_mul(ra, rb, Int64(a.cols))
        default: for j in 0 ..< a.cols { ra[j] = act.apply(ra[j]) * rb[j] }
        }
    }
}

/// LayerNorm over each row: (x − mean) / √(var + eps) · γ + β, in place.
func layerNorm(_ x: Matrix, weight: [Float], bias: [Float]?, eps: Float, pool: ThreadPool) {
    weight.withUnsafeBufferPointer { w in
        (bias ?? []).withUnsafeBufferPointer { b in
            let beta = bias == nil ? nil : b.baseAddress
            pool.forRows(x.rows, elementsPerRow: x.cols) { rows in
                for i in rows { sk_layer_norm(x.row(i), w.baseAddress, beta, Int64(x.cols), eps) }
            }
        }
    }
}

/// RMSNorm over each row: x / √(mean(x²) + eps) · γ, in place. (Gemma's 1 + γ is added to
/// the weights at load.)
func rmsNorm(_ x: Matrix, weight: [Float], eps: Float, pool: ThreadPool) {
    weight.withUnsafeBufferPointer { w in
        pool.forRows(x.rows, elementsPerRow: x.cols) { rows in
            for i in rows { sk_rms_norm(x.row(i), w.baseAddress, Int64(x.cols), eps) }
        }
    }
}

/// x += y, then LayerNorm of each row of x, in one pass over each row: the same operations
/// as `add` then `layerNorm`, with one parallel region instead of two. With a `consumer`,
/// each part's rows of x are then also quantized as its input (row i at blocks + i ·
/// consumer.quantizedBlocks(rows: 1)), while they are in cache.
func addLayerNorm(_ x: Matrix, _ y: Matrix, weight: [Float], bias: [Float]?, eps: Float, pool: ThreadPool,
                  quantizingFor consumer: Linear? = nil, into blocks: UnsafeMutablePointer<sk_block_q8_a>? = nil) {
    weight.withUnsafeBufferPointer { w in
        (bias ?? []).withUnsafeBufferPointer { b in
            let beta = bias == nil ? nil : b.baseAddress
            pool.forRows(x.rows, elementsPerRow: x.cols, minimumElements: ThreadPool.heavyRowPass) { rows in
                addLayerNorm(x, y, rows: rows, weight: w.baseAddress!, bias: beta, eps: eps)
                if let consumer, let blocks {
                    consumer.quantizeInput(x, rows: rows, into: blocks + rows.lowerBound * consumer.quantizedBlocks(rows: 1))
                }
            }
        }
    }
}

/// `addLayerNorm` for rows `rows` only, on the calling thread.
func addLayerNorm(_ x: Matrix, _ y: Matrix, rows: Range<Int>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, eps: Float) {
    for i in rows {
        let a = x.row(i), r = y.row(i)
        for j in 0 ..< x.cols { a[j] += r[j] }
        sk_layer_norm(a, weight, bias, Int64(x.cols), eps)
    }
}

/// x += y, then normed = RMSNorm(x) row by row, in one pass over each row (the residual
/// stream keeps x; the next product reads normed): `add`, `copy` and `rmsNorm` in one
/// parallel region.
func addRMSNorm(_ x: Matrix, _ y: Matrix, into normed: Matrix, weight: [Float], eps: Float, pool: ThreadPool,
                quantizingFor consumer: Linear? = nil, into blocks: UnsafeMutablePointer<sk_block_q8_a>? = nil) {
    weight.withUnsafeBufferPointer { w in
        pool.forRows(x.rows, elementsPerRow: x.cols, minimumElements: ThreadPool.heavyRowPass) { rows in
            for i in rows {
                let a = x.row(i), r = y.row(i), n = normed.row(i)
                for j in 0 ..< x.cols { a[j] += r[j] }
                n.update(from: a, count: x.cols)
                sk_rms_norm(n, w.baseAddress, Int64(x.cols), eps)
            }
            // With a consumer, each part's normed rows are also quantized as its input (row i
            // at blocks + i · consumer.quantizedBlocks(rows: 1)), while they are in cache.
            if let consumer, let blocks {
                consumer.quantizeInput(normed, rows: rows, into: blocks + rows.lowerBound * consumer.quantizedBlocks(rows: 1))
            }
        }
    }
}

/// x += y, element-wise.
func add(_ x: Matrix, _ y: Matrix, pool: ThreadPool) {
    pool.forRows(x.rows, elementsPerRow: x.cols) { rows in
        for i in rows {
            let a = x.row(i), b = y.row(i)
            for j in 0 ..< x.cols { a[j] += b[j] }
        }
    }
}

/// Copies `src` into `dst` (same shape).
func copy(_ src: Matrix, to dst: Matrix) {
    for i in 0 ..< src.rows { dst.row(i).update(from: src.row(i), count: src.cols) }
}

/// Softmax of `n` values in place, stable (max subtracted).
@inline(__always) func softmax(_ x: UnsafeMutablePointer<Float>, _ n: Int) {
    sk_softmax(x, Int64(n))
}

/// x *= s, element-wise.
func scale(_ x: Matrix, by s: Float) {
    for i in 0 ..< x.rows {
        let r = x.row(i)
        for j in 0 ..< x.cols { r[j] *= s }
    }
}
