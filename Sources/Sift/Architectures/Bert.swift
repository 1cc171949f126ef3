// BERT-family encoders, after "BERT: Pre-training of Deep Bidirectional Transformers"
// (Devlin et al., 2019) as transformers implements it in modeling_bert.py (RoBERTa,
// XLM-RoBERTa and DistilBERT differ only by configuration and tensor names):
//
//   x = LayerNorm(word[id] + position[offset + i] + tokenType[type])
//   per layer (post-LayerNorm):
//     a = LayerNorm(x + Wo · Attention(Wq x, Wk x, Wv x))
//     x = LayerNorm(a + W2 · act(W1 a))
import CSiftKernels

/// The weights of one encoder layer.
struct BertLayer {
    /// q, k and v side by side: [t, 3·hidden].
    let qkv: Linear
    let output: Linear
    let attentionNorm: (weight: [Float], bias: [Float])
    let up, down: Linear
    let outputNorm: (weight: [Float], bias: [Float])
}

/// A BERT-family encoder: configuration and weights, immutable after loading.
struct BertEncoder: @unchecked Sendable {
    let config: BertConfig
    let wordEmbeddings: EmbeddingTable
    let positionEmbeddings: EmbeddingTable
    let tokenTypeEmbeddings: EmbeddingTable?
    let embeddingNorm: (weight: [Float], bias: [Float])
    let layers: [BertLayer]

    init(config: BertConfig, names: BertTensorNames, loader w: WeightLoader) throws {
        self.config = config
        let h = config.hiddenSize, f = config.intermediateSize
        wordEmbeddings = try w.embedding(names.wordEmbeddings, rows: config.vocabSize, cols: h)
        positionEmbeddings = try w.embedding(names.positionEmbeddings, rows: config.maxPositions, cols: h)
        tokenTypeEmbeddings = config.typeVocabSize > 0
            ? try w.embedding(names.tokenTypeEmbeddings, rows: config.typeVocabSize, cols: h) : nil
        embeddingNorm = (try w.vector(names.embeddingNorm + ".weight", count: h), try w.vector(names.embeddingNorm + ".bias", count: h))
        layers = try (0 ..< config.layers).map { i in
            let n = names.layer(i)
            return BertLayer(
                qkv: try w.stacked([n.query, n.key, n.value], outs: [h, h, h], in: h, bias: true),
                output: try w.linear(n.output, out: h, in: h, bias: true),
                attentionNorm: (try w.vector(n.attentionNorm + ".weight", count: h), try w.vector(n.attentionNorm + ".bias", count: h)),
                up: try w.linear(n.up, out: f, in: h, bias: true),
                down: try w.linear(n.down, out: h, in: f, bias: true),
                outputNorm: (try w.vector(n.outputNorm + ".weight", count: h), try w.vector(n.outputNorm + ".bias", count: h)))
        }
        Linear.keepRowSplitForCachedWeights(layers.flatMap { [$0.qkv, $0.output, $0.up, $0.down] })
    }

    /// The final hidden states of one sequence, [tokens, hidden].
    func forward(ids: [Int32], typeIds: [Int32], arena: Arena, pool: ThreadPool) throws -> Matrix {
        try forward(PackedBatch([(ids, typeIds)]), firstRowsOnly: false, arena: arena, pool: pool)
    }

    /// The final hidden states of packed sequences: all rows [batch.rows, hidden], or with
    /// `firstRowsOnly` each sequence's first row ([CLS], <s>) as [batch.count, hidden].
    ///
    /// Sequences share every matrix product (one GEMM over all their rows, no padding) and
    /// attend only within themselves. With `firstRowsOnly`, the last layer computes keys
    /// and values for all rows and everything else for the first rows only.
    func forward(_ batch: PackedBatch, firstRowsOnly: Bool, arena: Arena, pool: ThreadPool) throws -> Matrix {
        let t = batch.rows, h = config.hiddenSize, b = batch.count
        for s in 0 ..< b where batch.range(s).count + config.positionOffset > config.maxPositions || batch.range(s).isEmpty {
            throw ModelError.invalidValue(key: "input length", value: "\(batch.range(s).count)",
                                          expected: "1 to \(config.maxPositions - config.positionOffset) tokens")
        }
        let x = try arena.matrix(rows: t, cols: h)
        try StageProfiler.measure(\.embeddings) { try embed(batch, into: x, arena: arena, pool: pool) }

        let qkv = try arena.matrix(rows: t, cols: 3 * h)
        let q = qkv.columns(0 ..< h), k = qkv.columns(h ..< 2 * h), v = qkv.columns(2 * h ..< 3 * h)
        let context = try arena.matrix(rows: t, cols: h), projected = try arena.matrix(rows: t, cols: h)
        let hidden = try arena.matrix(rows: t, cols: config.intermediateSize)
        let firstRows = try arena.matrix(rows: b, cols: h)
        let scores = try arena.allocate(Float.self, count: attentionScratch(queries: batch.longest, keys: batch.longest, headDim: config.headDim, pool: pool))
        let quantized = try arena.allocate(sk_block_q8_a.self, count: t * (max(h, config.intermediateSize) + 31) / 32)
        let scale = 1 / Float(config.headDim).squareRoot()
        let rowParallel = rowParallelLayers(rows: t, pool: pool)
        let columnParallel = columnParallelLayers(rows: t, pool: pool)
        // The column-parallel path's quantized inputs: x for q/k/v and the FFN's up
        // projection, and the attention's output or the up projection's for the next product.
        let quantizedX = columnParallel ? try arena.allocate(sk_block_q8_a.self, count: t * ((h + 31) / 32)) : quantized
        var xr = x, qkvDone = false, xQuantized = false
        for (i, layer) in layers.enumerated() {
            if columnParallel, !(firstRowsOnly && i == layers.count - 1) {
                let next = i + 1 < layers.count && !(firstRowsOnly && i + 1 == layers.count - 1) ? layers[i + 1] : nil
                if !xQuantized { layer.qkv.quantizeInput(x, into: quantizedX, pool: pool) }
                columnParallelLayer(layer, next: next, batch: batch, x: x, qkv: qkv, context: context, projected: projected,
                                    hidden: hidden, quantizedX: quantizedX, quantized: quantized, scores: scores, pool: pool)
                xQuantized = next != nil
                continue
            }
            // q, k, v for every row (the last layer's unused query rows cost under 1% of a pass).
            if !qkvDone { layer.qkv(x, into: qkv, scratch: quantized, pool: pool) }
            let last = firstRowsOnly && i == layers.count - 1
            if last {
                for s in 0 ..< b { firstRows.row(s).update(from: x.row(batch.offsets[s]), count: h) }
                xr = firstRows
            }
            let m = xr.rows
            let out = context.rows(0 ..< m), p = projected.rows(0 ..< m), f = hidden.rows(0 ..< m)
            for s in 0 ..< b {
                let r = batch.range(s)
                let queries = last ? r.lowerBound ..< r.lowerBound + 1 : r, outputs = last ? s ..< s + 1 : r
                attention(q: q.rows(queries), k: k.rows(r), v: v.rows(r), out: out.rows(outputs), heads: config.heads,
                          kvHeads: config.heads, headDim: config.headDim, scale: scale, mask: AttentionMask(causal: false),
                          scratch: scores, pool: pool)
            }
            qkvDone = false
            if rowParallel, !last {
                let next = i + 1 < layers.count ? layers[i + 1] : nil
                rowParallelTail(layer, next: next, x: x, context: context, projected: projected, hidden: hidden, qkv: qkv,
                                quantized: quantized, pool: pool)
                qkvDone = next != nil
                continue
            }
            layer.output(out, into: p, scratch: quantized, pool: pool)
            addLayerNorm(xr, p, weight: layer.attentionNorm.weight, bias: layer.attentionNorm.bias, eps: config.layerNormEps, pool: pool)
            layer.up(xr, into: f, scratch: quantized, pool: pool, activation: config.activation)
            layer.down(f, into: p, scratch: quantized, pool: pool)
            addLayerNorm(xr, p, weight: layer.outputNorm.weight, bias: layer.outputNorm.bias, eps: config.layerNormEps, pool: pool)
        }
        if firstRowsOnly, layers.isEmpty {
            for s in 0 ..< b { firstRows.row(s).update(from: x.row(batch.offsets[s]), count: h) }
            return firstRows
        }
        return xr
    }

    /// The rest of a layer after its attention on the row-parallel path, and the next layer's
    /// q, k and v, row by row: two tasks of half the rows each, every step on the rows the
    /// task's own earlier steps wrote, in one parallel region (see `rowParallelLayers`).
    private func rowParallelTail(_ layer: BertLayer, next: BertLayer?, x: Matrix, context: Matrix, projected: Matrix, hidden: Matrix,
                                 qkv: Matrix, quantized: UnsafeMutablePointer<sk_block_q8_a>, pool: ThreadPool) {
        let blocksPerRow = (max(config.hiddenSize, config.intermediateSize) + 31) / 32, halves = Linear.rowHalves(x.rows)
        pool.parallel(2) { task in
            let rows = task == 0 ? halves.first : halves.second, scratch = quantized + rows.lowerBound * blocksPerRow
            layer.output(context, rows: rows, into: projected, scratch: scratch)
            addNorm(x, projected, rows: rows, norm: layer.attentionNorm)
            layer.up(x, rows: rows, into: hidden, scratch: scratch, activation: config.activation)
            layer.down(hidden, rows: rows, into: projected, scratch: scratch)
            addNorm(x, projected, rows: rows, norm: layer.outputNorm)
            next?.qkv(x, rows: rows, into: qkv, scratch: scratch)
        }
    }

    /// x += y, then LayerNorm with `norm`, for rows `rows` on the calling thread.
    private func addNorm(_ x: Matrix, _ y: Matrix, rows: Range<Int>, norm: (weight: [Float], bias: [Float])) {
        norm.weight.withUnsafeBufferPointer { w in
            norm.bias.withUnsafeBufferPointer { b in
                addLayerNorm(x, y, rows: rows, weight: w.baseAddress!, bias: b.baseAddress, eps: config.layerNormEps)
            }
        }
    }

    /// One layer of `forward`'s column-parallel path, on all rows: x quantized for q/k/v in
    /// `quantizedX`; on return x is the layer's output, and with `next`, quantized for its
    /// q/k/v in `quantizedX`. Two tasks, each on half the heads and half of every product's
    /// columns, so that the values that cross between the threads are few and mostly int8:
    ///   1. q, k and v of the task's heads (three column ranges), their attention, and the
    ///      attention output's columns quantized for the o-projection;
    ///   2. the o-projection's columns;
    ///   3. add + LayerNorm and quantizing, by rows;
    ///   4. the up projection's columns with the activation, quantized for the down projection;
    ///   5. the down projection's columns;
    ///   6. add + LayerNorm (and quantizing for `next`), by rows.
    /// Six parallel regions where the general path has ten, and each output is computed by
    /// the same operations as there: bit-identical results. What the general path moved
    /// between the cores per layer and what this one moves, at 16 rows of BERT-base: q/k/v
    /// columns computed by one thread and attended by the other (~50 KB), fp32 rows of the
    /// attention output and of the up projection's (~24 + 98 KB) quantized by the thread
    /// that did not compute them -> int8 blocks (~7 + 27 KB). When the VM's vCPUs are far
    /// apart each such cache line costs 0.35-3 µs. p50 ms medians by state (x-core column),
    /// general -> this path, 8-16 alternations of `sift-bench models`: far, BERT-base 16/32/48
    /// tokens 7.79-8.01/13.3/20.1 -> 7.28-7.45/12.4/17.8; near, 5.55/9.38/13.8 -> 5.46/9.27/13.1.
    private func columnParallelLayer(_ layer: BertLayer, next: BertLayer?, batch: PackedBatch, x: Matrix, qkv: Matrix, context: Matrix,
                                     projected: Matrix, hidden: Matrix, quantizedX: UnsafeMutablePointer<sk_block_q8_a>,
                                     quantized: UnsafeMutablePointer<sk_block_q8_a>, scores: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        let t = batch.rows, h = config.hiddenSize, d = config.headDim, heads = config.heads
        let scale = 1 / Float(d).squareRoot()
        let q = qkv.columns(0 ..< h), k = qkv.columns(h ..< 2 * h), v = qkv.columns(2 * h ..< 3 * h)
        pool.parallel(2) { task in
            let selected = task == 0 ? 0 ..< heads / 2 : heads / 2 ..< heads
            let columns = selected.lowerBound * d ..< selected.upperBound * d
            for part in 0 ..< 3 {
                layer.qkv(quantized: quantizedX, rows: t, columns: part * h + columns.lowerBound ..< part * h + columns.upperBound, into: qkv)
            }
            StageProfiler.measure(\.attention) {
                for s in 0 ..< batch.count {
                    let r = batch.range(s)
                    attendHeads(selected, q: q.rows(r), k: k.rows(r), v: v.rows(r), out: context.rows(r), heads: heads, kvHeads: heads,
                                headDim: d, scale: scale, mask: AttentionMask(causal: false),
                                scores: scores + task * attentionScratchPerThread(queries: batch.longest, keys: batch.longest, headDim: d))
                }
            }
            layer.output.quantizeInput(context, columns: columns, into: quantized)
        }
        layer.output(quantized: quantized, rows: t, into: projected, pool: pool)
        addLayerNorm(x, projected, weight: layer.attentionNorm.weight, bias: layer.attentionNorm.bias, eps: config.layerNormEps, pool: pool,
                     quantizingFor: layer.up, into: quantizedX)
        layer.up(quantized: quantizedX, rows: t, into: hidden, pool: pool, activation: config.activation, quantizeOutput: (quantized, layer.down))
        layer.down(quantized: quantized, rows: t, into: projected, pool: pool)
        addLayerNorm(x, projected, weight: layer.outputNorm.weight, bias: layer.outputNorm.bias, eps: config.layerNormEps, pool: pool,
                     quantizingFor: next?.qkv, into: quantizedX)
    }

    /// Whether a pass over `rows` rows takes the column-parallel path (`columnParallelLayer`):
    /// two threads, int8 products that all use both threads but do not split their rows
    /// (`rowParallelLayers` takes those), and heads of whole 32-value blocks.
    func columnParallelLayers(rows t: Int, pool: ThreadPool) -> Bool {
        guard pool.threadCount == 2, config.heads >= 2, config.headDim % 32 == 0, !rowParallelLayers(rows: t, pool: pool) else { return false }
        return layers.allSatisfy { layer in
            [layer.qkv, layer.output, layer.up, layer.down].allSatisfy { $0.weightType == .q8_0 && $0.productThreads(rows: t, pool: pool) == 2 }
        }
    }

    /// Whether a pass over `rows` rows runs each layer after its attention as one parallel
    /// region of two row halves (`forward`): when the pool has two threads and every product
    /// of every layer splits its rows on two threads (`Linear.splitsRows`), counting those too
    /// small to be worth a region of their own (`Linear.productThreads`), which in a shared
    /// region hand nothing off. Each output row comes from the same operations in the same
    /// order as with separate regions, so the result is bit-identical; what goes is five of a
    /// layer's seven fork-joins (more at 16-60 tokens, where small products ran on one
    /// thread), and the traffic of a row-wise pass (norms) that split its rows elsewhere than
    /// the products. MiniLM (cached weights: from 16 rows), p50 ms medians: with the small
    /// products included, 12 alternations of `--tokens 16 --runs 30`, near 0.67 -> 0.60, far
    /// 1.02 -> 0.83 (24 tokens: near 1.01 -> 0.95; 32 and 48 unchanged); from 8 rows instead
    /// of 16, 8 alternations at 8/12 tokens 0.51/0.57 -> 0.73/0.65 (bimodal, worse).
    /// 10 alternations of `sift-bench models --runs 6`, p50 ms medians by the VM's state
    /// (x-core column), separate regions -> one: near, MiniLM 64/128 tokens 2.35/4.96 ->
    /// 2.34/4.86, BERT-base 17.36/33.99 -> 17.19/33.77; far, MiniLM 3.64/7.12 -> 3.53/6.86,
    /// BERT-base 23.2/41.5 -> 23.3/40.6. Attention stays a region of its own, split by heads.
    /// Split by query rows it can join this one (`sk_attention_head` computes each row on its
    /// own; the next layer's q/k/v then needs a second buffer, as a task may write its rows
    /// while the other still attends), but that gained nothing: two runs of 6 alternations
    /// of `--runs 30` (16-48 tokens, then 64 and 128), p50 ms medians, own region -> joined,
    /// MiniLM 16/24/32/48/64/128 tokens,
    /// near 0.61/0.86/1.15/1.74/2.38/5.04 -> 0.61/0.87/1.16/1.75/2.44/5.08, far
    /// 0.83/1.15/1.73/2.61/3.34/6.75 -> 0.85/1.19/1.77/2.62/3.33/6.57.
    /// Computing q/k/v and attention by head halves from int8 x instead, as the first region
    /// of `columnParallelLayer` does (less data crosses), was slower: far state, 8
    /// alternations, MiniLM 16/64/128 tokens 0.87/3.46/6.92 -> 0.92/3.62/7.19 ms, BERT-base
    /// 128 40.9 -> 42.6 (64: 23.2 -> 22.8).
    func rowParallelLayers(rows t: Int, pool: ThreadPool) -> Bool {
        pool.threadCount == 2 && layers.allSatisfy { layer in
            [layer.qkv, layer.output, layer.up, layer.down].allSatisfy { $0.splitsRows(t, threads: 2) }
        }
    }

    /// Scratch bytes for `forward` on a batch of `rows` rows in `count` sequences, the
    /// longest `longest` rows, on `threads` threads.
    func scratchBytes(rows: Int, count: Int, longest: Int, threads: Int) -> Int {
        let h = config.hiddenSize, f = config.intermediateSize
        let floats = rows * (6 * h + f) + count * h + h  // qkv is 3h of the 6h
            + threads * attentionScratchPerThread(queries: longest, keys: longest, headDim: config.headDim)
        let blocks = rows * (max(h, f) + 31) / 32 + rows * ((h + 31) / 32)  // the second: columnParallelLayer's x
        return floats * 4 + blocks * MemoryLayout<sk_block_q8_a>.stride + 16 * 64
    }

    /// x = LayerNorm(word[id] + position[offset + t] + tokenType[type]), positions counted
    /// from each sequence's start.
    private func embed(_ batch: PackedBatch, into x: Matrix, arena: Arena, pool: ThreadPool) throws {
        let h = config.hiddenSize
        let row = try arena.allocate(Float.self, count: h)
        for s in 0 ..< batch.count {
            let r0 = batch.offsets[s]
            for t in batch.range(s) {
                let id = batch.ids[t]
                guard id >= 0, Int(id) < config.vocabSize else {
                    throw ModelError.invalidValue(key: "token id", value: "\(id)", expected: "below the vocabulary size \(config.vocabSize)")
                }
                let r = x.row(t)
                wordEmbeddings.row(Int(id), into: r)
                positionEmbeddings.row(config.positionOffset + t - r0, into: row)
                for j in 0 ..< h { r[j] += row[j] }
                if let types = tokenTypeEmbeddings {
                    let type = Int(batch.typeIds[t])
                    guard type >= 0, type < types.rows else {
                        throw ModelError.invalidValue(key: "token type id", value: "\(type)", expected: "below \(types.rows)")
                    }
                    types.row(type, into: row)
                    for j in 0 ..< h { r[j] += row[j] }
                }
            }
        }
        layerNorm(x, weight: embeddingNorm.weight, bias: embeddingNorm.bias, eps: config.layerNormEps, pool: pool)
    }
}

/// Where each BERT-family weight lives in a checkpoint.
struct BertTensorNames: Sendable {
    struct Layer: Sendable { let query, key, value, output, attentionNorm, up, down, outputNorm: String }

    let wordEmbeddings, positionEmbeddings, tokenTypeEmbeddings, embeddingNorm: String
    let layer: @Sendable (Int) -> Layer

    /// Hugging Face names under `prefix` ("bert.", "roberta.", "distilbert." or "").
    static func huggingFace(_ family: BertConfig.Family, prefix p: String) -> BertTensorNames {
        if family == .distilbert {
            return BertTensorNames(
                wordEmbeddings: p + "embeddings.word_embeddings.weight",
                positionEmbeddings: p + "embeddings.position_embeddings.weight",
                tokenTypeEmbeddings: "",
                embeddingNorm: p + "embeddings.LayerNorm",
                layer: { i in
                    let l = p + "transformer.layer.\(i)."
                    return Layer(query: l + "attention.q_lin", key: l + "attention.k_lin", value: l + "attention.v_lin",
                                 output: l + "attention.out_lin", attentionNorm: l + "sa_layer_norm",
                                 up: l + "ffn.lin1", down: l + "ffn.lin2", outputNorm: l + "output_layer_norm")
                })
        }
        return BertTensorNames(
            wordEmbeddings: p + "embeddings.word_embeddings.weight",
            positionEmbeddings: p + "embeddings.position_embeddings.weight",
            tokenTypeEmbeddings: p + "embeddings.token_type_embeddings.weight",
            embeddingNorm: p + "embeddings.LayerNorm",
            layer: { i in
                let l = p + "encoder.layer.\(i)."
                return Layer(query: l + "attention.self.query", key: l + "attention.self.key", value: l + "attention.self.value",
                             output: l + "attention.output.dense", attentionNorm: l + "attention.output.LayerNorm",
                             up: l + "intermediate.dense", down: l + "output.dense", outputNorm: l + "output.LayerNorm")
            })
    }

    /// llama.cpp's GGUF names for BERT-family encoders.
    static let gguf = BertTensorNames(
        wordEmbeddings: "token_embd.weight",
        positionEmbeddings: "position_embd.weight",
        tokenTypeEmbeddings: "token_types.weight",
        embeddingNorm: "token_embd_norm",
        layer: { i in
            let l = "blk.\(i)."
            return Layer(query: l + "attn_q", key: l + "attn_k", value: l + "attn_v", output: l + "attn_output",
                         attentionNorm: l + "attn_output_norm", up: l + "ffn_up", down: l + "ffn_down",
                         outputNorm: l + "layer_output_norm")
        })
}
