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
    let query, key, value, output: Linear
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
                query: try w.linear(n.query, out: h, in: h, bias: true),
                key: try w.linear(n.key, out: h, in: h, bias: true),
                value: try w.linear(n.value, out: h, in: h, bias: true),
                output: try w.linear(n.output, out: h, in: h, bias: true),
                attentionNorm: (try w.vector(n.attentionNorm + ".weight", count: h), try w.vector(n.attentionNorm + ".bias", count: h)),
                up: try w.linear(n.up, out: f, in: h, bias: true),
                down: try w.linear(n.down, out: h, in: f, bias: true),
                outputNorm: (try w.vector(n.outputNorm + ".weight", count: h), try w.vector(n.outputNorm + ".bias", count: h)))
        }
    }

    /// Scratch floats a forward pass over `tokens` tokens needs (see `forward`).
    func scratchFloats(tokens: Int) -> Int {
        let h = config.hiddenSize
        return tokens * (6 * h + config.intermediateSize) + config.heads * tokens
    }

    /// The final hidden states of rows `outputs` (all rows by default) for one sequence,
    /// [outputs.count, hidden]. Every layer but the last runs on all rows; the last computes
    /// keys and values for all rows and everything else for `outputs` only (a classifier
    /// reads one row).
    func forward(ids: [Int32], typeIds: [Int32], outputs: Range<Int>? = nil, arena: Arena, pool: ThreadPool) throws -> Matrix {
        let n = ids.count, h = config.hiddenSize
        guard n > 0, n + config.positionOffset <= config.maxPositions else {
            throw ModelError.invalidValue(key: "input length", value: "\(n)", expected: "1 to \(config.maxPositions - config.positionOffset) tokens")
        }
        let outputs = outputs ?? 0 ..< n
        guard outputs.lowerBound >= 0, outputs.upperBound <= n, !outputs.isEmpty else {
            throw ModelError.invalidValue(key: "output rows", value: "\(outputs)", expected: "a non-empty range within \(n) tokens")
        }
        let x = try arena.matrix(rows: n, cols: h)
        try StageProfiler.measure(\.embeddings) { try embed(ids: ids, typeIds: typeIds, into: x, arena: arena) }

        let q = try arena.matrix(rows: n, cols: h), k = try arena.matrix(rows: n, cols: h), v = try arena.matrix(rows: n, cols: h)
        let context = try arena.matrix(rows: n, cols: h), projected = try arena.matrix(rows: n, cols: h)
        let hidden = try arena.matrix(rows: n, cols: config.intermediateSize)
        let scores = try arena.allocate(Float.self, count: attentionScratch(queries: n, keys: n, pool: pool))
        let quantized = try arena.allocate(sk_block_q8_a.self, count: n * (max(h, config.intermediateSize) + 31) / 32)
        let scale = 1 / Float(config.headDim).squareRoot()
        var rows = 0 ..< n
        for (i, layer) in layers.enumerated() {
            if i == layers.count - 1 { rows = outputs }
            let m = rows.count, xr = x.rows(rows)
            let queries = q.rows(0 ..< m), out = context.rows(0 ..< m), p = projected.rows(0 ..< m), f = hidden.rows(0 ..< m)
            layer.query(xr, into: queries, scratch: quantized, pool: pool)
            layer.key(x, into: k, scratch: quantized, pool: pool)
            layer.value(x, into: v, scratch: quantized, pool: pool)
            attention(q: queries, k: k, v: v, out: out, heads: config.heads, kvHeads: config.heads, headDim: config.headDim,
                      scale: scale, mask: AttentionMask(causal: false), scratch: scores, pool: pool)
            layer.output(out, into: p, scratch: quantized, pool: pool)
            add(xr, p)
            layerNorm(xr, weight: layer.attentionNorm.weight, bias: layer.attentionNorm.bias, eps: config.layerNormEps)
            layer.up(xr, into: f, scratch: quantized, pool: pool)
            config.activation.apply(f)
            layer.down(f, into: p, scratch: quantized, pool: pool)
            add(xr, p)
            layerNorm(xr, weight: layer.outputNorm.weight, bias: layer.outputNorm.bias, eps: config.layerNormEps)
        }
        return x.rows(outputs)
    }

    /// x = LayerNorm(word[id] + position[offset + t] + tokenType[type]).
    private func embed(ids: [Int32], typeIds: [Int32], into x: Matrix, arena: Arena) throws {
        let h = config.hiddenSize
        let row = try arena.allocate(Float.self, count: h)
        for (t, id) in ids.enumerated() {
            guard id >= 0, Int(id) < config.vocabSize else {
                throw ModelError.invalidValue(key: "token id", value: "\(id)", expected: "below the vocabulary size \(config.vocabSize)")
            }
            let r = x.row(t)
            wordEmbeddings.row(Int(id), into: r)
            positionEmbeddings.row(config.positionOffset + t, into: row)
            for j in 0 ..< h { r[j] += row[j] }
            if let types = tokenTypeEmbeddings {
                let type = t < typeIds.count ? Int(typeIds[t]) : 0
                guard type >= 0, type < types.rows else {
                    throw ModelError.invalidValue(key: "token type id", value: "\(type)", expected: "below \(types.rows)")
                }
                types.row(type, into: row)
                for j in 0 ..< h { r[j] += row[j] }
            }
        }
        layerNorm(x, weight: embeddingNorm.weight, bias: embeddingNorm.bias, eps: config.layerNormEps)
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
