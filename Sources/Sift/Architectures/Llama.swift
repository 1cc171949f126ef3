// Decoder-only transformers after "LLaMA: Open and Efficient Foundation Language Models"
// (Touvron et al., 2023) as transformers implements it in modeling_llama.py; Mistral,
// Qwen2, Qwen3 (modeling_qwen3.py) and Gemma 3 (modeling_gemma3.py) differ only by
// configuration (see DecoderConfig) and tensor names:
//
//   x = embed[id] (· √hidden for Gemma)
//   per layer (pre-norm):
//     h = RMSNorm(x)
//     q, k, v = Wq h, Wk h, Wv h            (+ biases for Qwen2; per-head RMSNorm of q, k for Qwen3/Gemma 3)
//     q, k = RoPE(q), RoPE(k)               (local base on Gemma's sliding-window layers)
//     a = Wo · Attention(q, k, v)           (causal, GQA, optional sliding window)
//     x = x + a                             (Gemma: x + RMSNorm(a))
//     m = W_down(act(W_gate h') · W_up h')  with h' = RMSNorm(x)
//     x = x + m                             (Gemma: x + RMSNorm(m))
//   out = RMSNorm(x)
import CSiftKernels

/// The weights of one decoder layer. Norm weights already include Gemma's +1 offset.
struct DecoderLayer {
    let attentionNorm: [Float]
    /// q, k and v side by side: [n, heads·d + 2·kvHeads·d].
    let qkv: Linear
    let output: Linear
    let queryNorm, keyNorm: [Float]?
    let postAttentionNorm: [Float]?
    let ffnNorm: [Float]
    /// gate and up side by side: [n, 2·intermediate].
    let gateUp: Linear
    let down: Linear
    let postFFNNorm: [Float]?
    let window: Int?
    let rope: RoPE
}

/// Keys and values of the positions processed so far, per layer: lets a label-scoring
/// pass reuse a prompt's prefix. [capacity, kvHeads · headDim] per layer.
final class KVCache: @unchecked Sendable {
    let keys: [Matrix]
    let values: [Matrix]
    let capacity: Int
    private(set) var length = 0
    private let storage: UnsafeMutablePointer<Float>

    init(config: DecoderConfig, capacity: Int) {
        self.capacity = capacity
        let per = capacity * config.kvWidth, cols = config.kvWidth
        let base = UnsafeMutablePointer<Float>.allocate(capacity: max(1, 2 * config.layers * per))
        storage = base
        keys = (0 ..< config.layers).map { Matrix(base + 2 * $0 * per, rows: capacity, cols: cols) }
        values = (0 ..< config.layers).map { Matrix(base + (2 * $0 + 1) * per, rows: capacity, cols: cols) }
    }

    deinit { storage.deallocate() }

    func advance(by n: Int) { length += n }
    /// Forgets positions from `length` on (a label continuation after a cached prompt).
    func truncate(to length: Int) { self.length = min(self.length, length) }
}

/// A decoder-only transformer: configuration and weights, immutable after loading.
struct TransformerDecoder: @unchecked Sendable {
    let config: DecoderConfig
    let embeddings: EmbeddingTable
    let layers: [DecoderLayer]
    let finalNorm: [Float]

    /// `ropeFactors`: llama.cpp's rope_freqs.weight (Llama 3.1 scaling), for global layers.
    init(config c: DecoderConfig, names: DecoderTensorNames, ropeLayout: RoPE.Layout, ropeFactors: [Float]? = nil,
         loader w: WeightLoader) throws {
        config = c
        let h = c.hiddenSize, f = c.intermediateSize, qw = c.queryWidth, kw = c.kvWidth
        embeddings = try w.embedding(names.embeddings, rows: c.vocabSize, cols: h)
        let offset = names.normOffset(c)
        func norm(_ name: String, _ count: Int) throws -> [Float] { try w.vector(name, count: count).map { $0 + offset } }
        let global = RoPE(dimensions: c.headDim, base: c.ropeTheta, layout: ropeLayout, scaling: c.ropeScaling, frequencyFactors: ropeFactors)
        let local = c.localRopeTheta.map { RoPE(dimensions: c.headDim, base: $0, layout: ropeLayout) }
        layers = try (0 ..< c.layers).map { i in
            let n = names.layer(i)
            let window = c.slidingWindows[i]
            return DecoderLayer(
                attentionNorm: try norm(n.attentionNorm, h),
                qkv: try w.stacked([n.query, n.key, n.value], outs: [qw, kw, kw], in: h, bias: c.attentionBias),
                output: try w.linear(n.output, out: h, in: qw, bias: c.outputBias),
                queryNorm: c.queryKeyNorm ? try norm(n.queryNorm, c.headDim) : nil,
                keyNorm: c.queryKeyNorm ? try norm(n.keyNorm, c.headDim) : nil,
                postAttentionNorm: c.sandwichNorms ? try norm(n.postAttentionNorm, h) : nil,
                ffnNorm: try norm(n.ffnNorm, h),
                gateUp: try w.stacked([n.gate, n.up], outs: [f, f], in: h, bias: c.mlpBias),
                down: try w.linear(n.down, out: h, in: f, bias: c.mlpBias),
                postFFNNorm: c.sandwichNorms ? try norm(n.postFFNNorm, h) : nil,
                window: window,
                rope: window != nil ? (local ?? global) : global)
        }
        finalNorm = try norm(names.finalNorm, h)
        Linear.keepRowSplitForCachedWeights(layers.flatMap { [$0.qkv, $0.output, $0.gateUp, $0.down] })
    }

    /// Whether a layer's MLP over `m` rows takes the column-parallel path (`forward`): two
    /// threads, int8 products that each use both threads, split evenly by columns (at most 24
    /// rows, see `Linear.multiply`; the shrinking tasks of larger products do not line up
    /// gate and up columns), and an intermediate size of whole 32-value blocks. Alternating
    /// `sift-bench models --runs 6`, p50 ms medians by state, general path -> this one:
    /// Llama-3.2-1B 16/24 tokens near 51.0/76.4 -> 50.1/75.6 (13-14 and 4-6 runs), far
    /// 56.4/82.8 -> 54.4/81.8; Qwen2.5-0.5B near 19.25/29.3 -> 19.4/29.5, far 24.4/36.3 ->
    /// 23.8/37.0 (2-3 runs far): a gain for Llama, within noise for Qwen. Without the 24-row
    /// bound (fixed halves for gate/up at any size; down split by rows where it splits them):
    /// far, Llama-3.2-1B 64/128 tokens 200.1/374.4 -> 193.1/367.0 but Qwen2.5-0.5B
    /// 83.8/159.4 -> 87.2/162.9; near within 1% (12 alternations). Not taken.
    func mlpColumnParallel(_ layer: DecoderLayer, rows m: Int, pool: ThreadPool) -> Bool {
        pool.threadCount == 2 && m <= 24 && config.intermediateSize % 32 == 0 && [layer.gateUp, layer.down].allSatisfy {
            $0.weightType == .q8_0 && $0.productThreads(rows: m, pool: pool) == 2 && !$0.splitsRows(m, threads: 2)
        }
    }

    /// Bytes of scratch a pass over `tokens` new tokens needs, with `context` positions in all.
    /// `longest` (a packed batch's longest sequence) assumes every sequence sees at most the
    /// cached rows and itself; a pass whose sequences have contexts (label continuations)
    /// can see up to `context` keys, so its sessions leave `longest` out.
    func scratchBytes(tokens n: Int, context: Int, threads: Int, longest: Int? = nil) -> Int {
        let c = config, l = longest ?? n
        // Per row: activations; per thread: one head's scores over the context.
        let floats = n * (4 * c.hiddenSize + 2 * c.queryWidth + 2 * c.kvWidth + 2 * c.intermediateSize)
            + threads * attentionScratchPerThread(queries: l, keys: context - n + l, headDim: c.headDim)
        let blocks = n * (max(c.hiddenSize, c.intermediateSize, c.queryWidth) + 31) / 32 + n * ((c.hiddenSize + 31) / 32)
        return floats * 4 + blocks * MemoryLayout<sk_block_q8_a>.stride + 16 * 64
    }

    /// Runs `ids` after the positions already in `cache` and returns the final-normed
    /// hidden states of rows `outputs` (indices into `ids`) as [outputs.count, hidden].
    func forward(ids: ArraySlice<Int32>, outputs: Range<Int>, cache: KVCache, arena: Arena, pool: ThreadPool) throws -> Matrix {
        guard !outputs.isEmpty else {
            throw ModelError.invalidValue(key: "output rows", value: "\(outputs)", expected: "a non-empty range within \(ids.count) tokens")
        }
        return try forward(PackedBatch([(Array(ids), [])]), outputs: Array(outputs), cache: cache, arena: arena, pool: pool)
    }

    /// Runs packed sequences and returns the final-normed hidden states of rows `outputs`
    /// (row indices into the batch, ascending) as [outputs.count, hidden].
    ///
    /// Every sequence runs after the first `sharedPrefix` positions of `cache` (a cached
    /// prompt prefix shared by all of them; by default everything in the cache), then after
    /// its `contexts` entry, if any: cache rows that were written earlier (by a previous
    /// call, or by an earlier sequence of this batch: a label continuation after its
    /// prompt). It attends to those rows and to itself, not to the other sequences, and its
    /// positions continue theirs. Every layer computes keys and values for all rows and
    /// appends them to the cache (a single sequence's are then a prefix for later calls;
    /// several sequences' rows interleave, so the caller truncates the cache after them);
    /// the last layer computes attention and the MLP only for `outputs`.
    func forward(_ batch: PackedBatch, outputs: [Int], contexts: [Range<Int>?]? = nil, sharedPrefix: Int? = nil,
                 cache: KVCache, arena: Arena, pool: ThreadPool) throws -> Matrix {
        let c = config, n = batch.rows, start = cache.length, shared = sharedPrefix ?? start
        let h = c.hiddenSize, d = c.headDim
        guard n > 0, let firstOut = outputs.first, let lastOut = outputs.last, firstOut >= 0, lastOut < n,
              zip(outputs, outputs.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw ModelError.invalidValue(key: "output rows", value: "\(outputs)", expected: "ascending rows within \(n) tokens")
        }
        guard start + n <= cache.capacity else {
            throw ModelError.invalidValue(key: "input length", value: "\(start + n)", expected: "at most \(cache.capacity) tokens")
        }
        guard (0 ... start).contains(shared), contexts == nil || contexts?.count == batch.count else {
            throw ModelError.invalidValue(key: "shared prefix", value: "\(shared) rows, \(contexts?.count ?? 0) contexts",
                                          expected: "at most the \(start) cached rows, one context a sequence")
        }
        for (s, rows) in (contexts ?? []).enumerated() {
            guard let rows else { continue }
            guard rows.lowerBound >= shared, rows.upperBound <= start + batch.offsets[s] else {
                throw ModelError.invalidValue(key: "context rows", value: "\(rows)",
                                              expected: "cache rows from \(shared) to before the sequence's own (\(start + batch.offsets[s]))")
            }
        }
        func contextRows(_ s: Int) -> Range<Int>? { contexts?[s] }
        // Keys a sequence's queries see: the shared prefix, its context and itself.
        let mostKeys = (0 ..< batch.count).map { shared + (contextRows($0)?.count ?? 0) + batch.range($0).count }.max() ?? 0
        let x = try arena.matrix(rows: n, cols: h)
        try StageProfiler.measure(\.embeddings) {
            for (t, id) in batch.ids.enumerated() {
                guard id >= 0, Int(id) < c.vocabSize else {
                    throw ModelError.invalidValue(key: "token id", value: "\(id)", expected: "below the vocabulary size \(c.vocabSize)")
                }
                embeddings.row(Int(id), into: x.row(t))
                if let s = c.embeddingScale { scale(x.rows(t ..< t + 1), by: s) }
            }
        }
        let qw = c.queryWidth, kw = c.kvWidth, f = c.intermediateSize
        let normed = try arena.matrix(rows: n, cols: h)
        let qkv = try arena.matrix(rows: n, cols: qw + 2 * kw), attended = try arena.matrix(rows: n, cols: qw)
        let projected = try arena.matrix(rows: n, cols: h)
        let gateUp = try arena.matrix(rows: n, cols: 2 * f)
        let gathered = try arena.matrix(rows: outputs.count, cols: h)
        let scores = try arena.allocate(Float.self, count: attentionScratch(queries: batch.longest, keys: mostKeys, headDim: d, pool: pool))
        let quantized = try arena.allocate(sk_block_q8_a.self, count: n * (max(h, f, qw) + 31) / 32)
        let quantizedNormed = try arena.allocate(sk_block_q8_a.self, count: n * ((h + 31) / 32))
        // Positions count from each sequence's start, after the shared prefix and its context.
        var positions = [Int](repeating: 0, count: n)
        var sequenceOf = [Int](repeating: 0, count: n)
        for s in 0 ..< batch.count {
            let first = shared + (contextRows(s)?.count ?? 0)
            for t in batch.range(s) { positions[t] = first + t - batch.offsets[s]; sequenceOf[t] = s }
        }
        // The outputs as a range when they are one (no copy), else gathered rows.
        let contiguous = lastOut - firstOut + 1 == outputs.count

        var xr = x
        for (i, layer) in layers.enumerated() {
            let last = i == layers.count - 1
            // q, k, v for every row (the last layer's unused query rows cost a fraction of a
            // percent); keys and values go to the cache.
            copy(x, to: normed)
            rmsNorm(normed, weight: layer.attentionNorm, eps: c.normEps, pool: pool)
            layer.qkv(normed, into: qkv, scratch: quantized, pool: pool)
            let keys = cache.keys[i].rows(start ..< start + n), values = cache.values[i].rows(start ..< start + n)
            copy(qkv.columns(qw ..< qw + kw), to: keys)
            copy(qkv.columns(qw + kw ..< qw + 2 * kw), to: values)
            let q = qkv.columns(0 ..< qw)
            if let kn = layer.keyNorm { rmsNorm(keys.heads(c.kvHeads), weight: kn, eps: c.normEps, pool: pool) }
            layer.rope.apply(keys, heads: c.kvHeads, headDim: d, positions: positions)
            // The query rows this layer needs: all, or the outputs at the last layer.
            let rows: [Int] = last ? outputs : Array(0 ..< n)
            if let qn = layer.queryNorm {
                for t in rows { rmsNorm(q.rows(t ..< t + 1).heads(c.heads), weight: qn, eps: c.normEps, pool: pool) }
            }
            // One RoPE pass over all rows (its angle tables are built once per call); the
            // last layer's output rows one by one, as they need not be adjacent.
            if last {
                for t in rows { layer.rope.apply(q.rows(t ..< t + 1), heads: c.heads, headDim: d, positions: [positions[t]]) }
            } else {
                layer.rope.apply(q, heads: c.heads, headDim: d, positions: positions)
            }
            // Attention within each sequence, over runs of consecutive query rows.
            var j = 0
            while j < rows.count {
                let s = sequenceOf[rows[j]]
                var k = j + 1
                while k < rows.count, rows[k] == rows[k - 1] + 1, sequenceOf[rows[k]] == s { k += 1 }
                // Keys: the shared prefix, the sequence's context, then its own rows.
                let own = start + batch.offsets[s] ..< start + batch.offsets[s + 1]
                let (prefix, extra) = keyPieces(shared: shared, context: contextRows(s), layer: i, cache: cache)
                attention(q: q.rows(rows[j] ..< rows[k - 1] + 1), k: cache.keys[i].rows(own), v: cache.values[i].rows(own),
                          prefix: prefix, context: extra,
                          out: attended.rows(j ..< k), heads: c.heads, kvHeads: c.kvHeads, headDim: d, scale: c.attentionScale,
                          mask: AttentionMask(causal: true, window: layer.window), queryOffset: positions[rows[j]],
                          softcap: c.attentionLogitSoftcap, scratch: scores, pool: pool)
                j = k
            }
            if last {
                if contiguous {
                    xr = x.rows(firstOut ..< lastOut + 1)
                } else {
                    for (r, t) in outputs.enumerated() { gathered.row(r).update(from: x.row(t), count: h) }
                    xr = gathered
                }
            }
            let m = xr.rows
            let out = attended.rows(0 ..< m), p = projected.rows(0 ..< m)
            layer.output(out, into: p, scratch: quantized, pool: pool)
            if let post = layer.postAttentionNorm { rmsNorm(p, weight: post, eps: c.normEps, pool: pool) }

            // MLP: down(act(gate(h)) · up(h)), gate and up from one product, h the normed
            // residual stream after attention.
            let hn = normed.rows(0 ..< m), gu = gateUp.rows(0 ..< m)
            let g = gu.columns(0 ..< f), u = gu.columns(f ..< 2 * f)
            if mlpColumnParallel(layer, rows: m, pool: pool) {
                // Each task computes the same columns of gate and up, gates them and quantizes
                // the result for the down projection: only int8 blocks cross between the
                // threads, where the general path has each thread gate rows whose gate and up
                // values the other computed.
                addRMSNorm(xr, p, into: hn, weight: layer.ffnNorm, eps: c.normEps, pool: pool, quantizingFor: layer.gateUp, into: quantizedNormed)
                pool.parallel(2) { task in
                    let halves = Linear.columnHalves(f), columns = task == 0 ? halves.first : halves.second
                    layer.gateUp(quantized: quantizedNormed, rows: m, columns: columns, into: gu)
                    layer.gateUp(quantized: quantizedNormed, rows: m, columns: f + columns.lowerBound ..< f + columns.upperBound, into: gu)
                    gatedActivation(rowsOf: g.columns(columns), u.columns(columns), c.activation)
                    layer.down.quantizeInput(g, columns: columns, into: quantized)
                }
                layer.down(quantized: quantized, rows: m, into: p, pool: pool)
            } else {
                addRMSNorm(xr, p, into: hn, weight: layer.ffnNorm, eps: c.normEps, pool: pool)
                layer.gateUp(hn, into: gu, scratch: quantized, pool: pool)
                gatedActivation(g, u, c.activation, pool: pool)
                layer.down(g, into: p, scratch: quantized, pool: pool)
            }
            if let post = layer.postFFNNorm { rmsNorm(p, weight: post, eps: c.normEps, pool: pool) }
            add(xr, p, pool: pool)
        }
        cache.advance(by: n)
        rmsNorm(xr, weight: finalNorm, eps: c.normEps, pool: pool)
        return xr
    }
}

/// The keys before a sequence's own rows, as attention takes them: the shared prefix (cache
/// rows 0 ..< shared) and its context, always as pieces apart from the own rows (never
/// joined when they happen to be adjacent in the cache), so that a sequence's scores are
/// computed the same way wherever it sits in a batch.
private func keyPieces(shared: Int, context: Range<Int>?, layer i: Int, cache: KVCache) -> (prefix: KeyValues?, context: KeyValues?) {
    func rows(_ r: Range<Int>) -> KeyValues { (cache.keys[i].rows(r), cache.values[i].rows(r)) }
    return (shared > 0 ? rows(0 ..< shared) : nil, context.flatMap { $0.isEmpty ? nil : rows($0) })
}

extension Matrix {
    /// A [rows, heads · d] matrix whose rows are contiguous (one row, or no gaps between
    /// rows) seen as [rows · heads, d], for per-head norms.
    func heads(_ count: Int) -> Matrix {
        precondition((stride == cols || rows == 1) && cols % count == 0, "per-head view needs contiguous rows")
        return Matrix(data, rows: rows * count, cols: cols / count)
    }
}

/// Where each decoder weight lives in a checkpoint.
struct DecoderTensorNames: Sendable {
    struct Layer: Sendable {
        let attentionNorm, query, key, value, output, queryNorm, keyNorm, postAttentionNorm: String
        let ffnNorm, gate, up, down, postFFNNorm: String
    }

    let embeddings, finalNorm, lmHead, score: String
    let layer: @Sendable (Int) -> Layer
    /// Stored norm weights plus this give the scale (HF Gemma stores γ − 1; llama.cpp's
    /// converter adds the 1 before writing GGUF).
    let normOffset: @Sendable (DecoderConfig) -> Float

    /// Hugging Face names (transformers' *ForCausalLM / *ForSequenceClassification).
    static func huggingFace(_ family: DecoderConfig.Family) -> DecoderTensorNames {
        let gemma = family == .gemma3
        return DecoderTensorNames(
            embeddings: "model.embed_tokens.weight", finalNorm: "model.norm.weight", lmHead: "lm_head", score: "score",
            layer: { i in
                let l = "model.layers.\(i)."
                return Layer(
                    attentionNorm: l + "input_layernorm.weight",
                    query: l + "self_attn.q_proj", key: l + "self_attn.k_proj", value: l + "self_attn.v_proj",
                    output: l + "self_attn.o_proj",
                    queryNorm: l + "self_attn.q_norm.weight", keyNorm: l + "self_attn.k_norm.weight",
                    postAttentionNorm: l + "post_attention_layernorm.weight",
                    // Llama's "post_attention_layernorm" is the norm before the MLP.
                    ffnNorm: l + (gemma ? "pre_feedforward_layernorm.weight" : "post_attention_layernorm.weight"),
                    gate: l + "mlp.gate_proj", up: l + "mlp.up_proj", down: l + "mlp.down_proj",
                    postFFNNorm: l + "post_feedforward_layernorm.weight")
            },
            normOffset: { $0.normWeightOffset })
    }

    /// llama.cpp's GGUF names.
    static let gguf = DecoderTensorNames(
        embeddings: "token_embd.weight", finalNorm: "output_norm.weight", lmHead: "output", score: "cls.output",
        layer: { i in
            let l = "blk.\(i)."
            return Layer(
                attentionNorm: l + "attn_norm.weight",
                query: l + "attn_q", key: l + "attn_k", value: l + "attn_v", output: l + "attn_output",
                queryNorm: l + "attn_q_norm.weight", keyNorm: l + "attn_k_norm.weight",
                postAttentionNorm: l + "post_attention_norm.weight",
                ffnNorm: l + "ffn_norm.weight", gate: l + "ffn_gate", up: l + "ffn_up", down: l + "ffn_down",
                postFFNNorm: l + "post_ffw_norm.weight")
        },
        normOffset: { _ in 0 })
}
