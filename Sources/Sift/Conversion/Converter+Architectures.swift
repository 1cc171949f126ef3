import Foundation

// The role tables of BertTensorNames and DecoderTensorNames, walked in parallel: each
// role's Hugging Face name is written under its GGUF name.

extension Plan {
    mutating func encoder(_ c: BertConfig, labels: LabelSet?, writer w: inout GGUFWriter, activationName: String) throws {
        let prefix = ["bert.", "roberta.", "distilbert.", ""].first { store.tensor($0 + "embeddings.word_embeddings.weight") != nil } ?? ""
        let hf = BertTensorNames.huggingFace(c.family, prefix: prefix), gg = BertTensorNames.gguf
        try add(hf.wordEmbeddings, as: gg.wordEmbeddings)
        // Positions are read from row `positionOffset`; llama.cpp drops the rows before it.
        try add(hf.positionEmbeddings, as: gg.positionEmbeddings, keepF32: true,
                transform: c.positionOffset > 0 ? .dropRows(c.positionOffset) : nil)
        if c.typeVocabSize > 0 { try add(hf.tokenTypeEmbeddings, as: gg.tokenTypeEmbeddings, keepF32: true) }
        for suffix in [".weight", ".bias"] { try add(hf.embeddingNorm + suffix, as: gg.embeddingNorm + suffix) }
        for i in 0 ..< c.layers {
            let a = hf.layer(i), b = gg.layer(i)
            for (from, to) in [(a.query, b.query), (a.key, b.key), (a.value, b.value), (a.output, b.output),
                               (a.attentionNorm, b.attentionNorm), (a.up, b.up), (a.down, b.down), (a.outputNorm, b.outputNorm)] {
                try add(from + ".weight", as: to + ".weight")
                try add(from + ".bias", as: to + ".bias")
            }
        }
        if labels != nil {
            let from = EncoderHead.Names.huggingFace(c.family, prefix: prefix), to = EncoderHead.Names.gguf
            for suffix in [".weight", ".bias"] {
                try add(from.dense + suffix, as: to.dense + suffix, keepF32: true)
                try add(from.out + suffix, as: to.out + suffix, keepF32: true)
            }
        } else {
            // A bare encoder's pooler has no llama.cpp name and no use in classification.
            markUsed { $0.hasPrefix(prefix + "pooler.") }
        }
        let arch = "bert"
        w.set("general.architecture", .string(arch))
        w.set("\(arch).context_length", .uint32(UInt32(c.maxPositions - c.positionOffset)))
        w.set("\(arch).embedding_length", .uint32(UInt32(c.hiddenSize)))
        w.set("\(arch).block_count", .uint32(UInt32(c.layers)))
        w.set("\(arch).feed_forward_length", .uint32(UInt32(c.intermediateSize)))
        w.set("\(arch).attention.head_count", .uint32(UInt32(c.heads)))
        w.set("\(arch).attention.layer_norm_epsilon", .float32(c.layerNormEps))
        w.set("\(arch).attention.causal", .bool(false))
        w.set("sift.family", .string(c.family.rawValue))
        w.set("sift.hidden_act", .string(activationName))
    }

    mutating func decoder(_ c: DecoderConfig, labels: LabelSet?, writer w: inout GGUFWriter) throws {
        let hf = DecoderTensorNames.huggingFace(c.family), gg = DecoderTensorNames.gguf
        let arch = c.family.ggufArchitecture
        let permute = arch == "llama"
        let norm: Transform? = c.normWeightOffset == 1 ? .addOne : nil
        try add(hf.embeddings, as: gg.embeddings)
        for i in 0 ..< c.layers {
            let a = hf.layer(i), b = gg.layer(i)
            try add(a.attentionNorm, as: b.attentionNorm, transform: norm)
            for (from, to, heads) in [(a.query, b.query, c.heads), (a.key, b.key, c.kvHeads), (a.value, b.value, 0), (a.output, b.output, 0)] {
                let t: Transform? = permute && heads > 0 ? .permuteForAdjacentRoPE(heads: heads) : nil
                try add(from + ".weight", as: to + ".weight", transform: t)
                try addIfPresent(from + ".bias", as: to + ".bias", transform: t)
            }
            if c.queryKeyNorm {
                try add(a.queryNorm, as: b.queryNorm, transform: norm)
                try add(a.keyNorm, as: b.keyNorm, transform: norm)
            }
            if c.sandwichNorms { try add(a.postAttentionNorm, as: b.postAttentionNorm, transform: norm) }
            try add(a.ffnNorm, as: b.ffnNorm, transform: norm)
            for (from, to) in [(a.gate, b.gate), (a.up, b.up), (a.down, b.down)] {
                try add(from + ".weight", as: to + ".weight")
                try addIfPresent(from + ".bias", as: to + ".bias")
            }
            if c.sandwichNorms { try add(a.postFFNNorm, as: b.postFFNNorm, transform: norm) }
        }
        try add(hf.finalNorm, as: gg.finalNorm, transform: norm)
        if labels != nil {
            try add(hf.score + ".weight", as: gg.score + ".weight", keepF32: true)
            try addIfPresent(hf.score + ".bias", as: gg.score + ".bias", keepF32: true)
        }
        // A separate LM head is kept (label scoring uses it); a tied one is the embeddings.
        try addIfPresent(hf.lmHead + ".weight", as: gg.lmHead + ".weight")

        w.set("general.architecture", .string(arch))
        w.set("\(arch).vocab_size", .uint32(UInt32(c.vocabSize)))
        w.set("\(arch).context_length", .uint32(UInt32(c.maxPositions)))
        w.set("\(arch).embedding_length", .uint32(UInt32(c.hiddenSize)))
        w.set("\(arch).block_count", .uint32(UInt32(c.layers)))
        w.set("\(arch).feed_forward_length", .uint32(UInt32(c.intermediateSize)))
        w.set("\(arch).attention.head_count", .uint32(UInt32(c.heads)))
        w.set("\(arch).attention.head_count_kv", .uint32(UInt32(c.kvHeads)))
        w.set("\(arch).attention.key_length", .uint32(UInt32(c.headDim)))
        w.set("\(arch).attention.value_length", .uint32(UInt32(c.headDim)))
        w.set("\(arch).attention.layer_norm_rms_epsilon", .float32(c.normEps))
        w.set("\(arch).rope.dimension_count", .uint32(UInt32(c.headDim)))
        w.set("\(arch).rope.freq_base", .float32(Float(c.ropeTheta)))
        switch c.ropeScaling?.kind {
        case .linear?:
            w.set("\(arch).rope.scaling.type", .string("linear"))
            w.set("\(arch).rope.scaling.factor", .float32(Float(c.ropeScaling!.factor)))
        case .llama3?:
            // As llama.cpp: the per-frequency divisors as a tensor.
            let plain = RoPE(dimensions: c.headDim, base: c.ropeTheta, layout: .halfSplit)
            let scaled = RoPE(dimensions: c.headDim, base: c.ropeTheta, layout: .halfSplit, scaling: c.ropeScaling)
            addTensor(name: "rope_freqs.weight", values: zip(plain.inverseFrequencies, scaled.inverseFrequencies).map { $0 / $1 })
        case nil: break
        }
        if let window = c.slidingWindows.compactMap({ $0 }).first {
            w.set("\(arch).attention.sliding_window", .uint32(UInt32(window)))
            w.set("sift.attention.sliding_layers", .array(.uint8(c.slidingWindows.map { $0 == nil ? 0 : 1 })))
        }
        if let local = c.localRopeTheta { w.set("sift.rope.local_freq_base", .float32(Float(local))) }
        if let cap = c.finalLogitSoftcap { w.set("\(arch).final_logit_softcapping", .float32(cap)) }
        if let cap = c.attentionLogitSoftcap { w.set("\(arch).attn_logit_softcapping", .float32(cap)) }
        w.set("sift.attention.scale", .float32(c.attentionScale))
        w.set("sift.family", .string(c.family.rawValue))
        w.set("sift.hidden_act", .string(c.activation == .silu ? "silu" : "gelu_pytorch_tanh"))
        if let pad = c.padTokenId { w.set("tokenizer.ggml.padding_token_id", .uint32(UInt32(pad))) }
    }

    mutating func markUsed(_ matching: (String) -> Bool) {
        for name in store.tensorNames where matching(name) { used.insert(name) }
    }
}
