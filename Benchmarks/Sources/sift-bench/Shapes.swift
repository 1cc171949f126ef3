import Foundation
import Sift

/// A model shape the benchmark builds with random weights: the sizes of a real model, so
/// that its timings are the real model's (weights do not change the work).
struct Shape: Sendable {
    enum Kind: Sendable { case encoder, decoder }

    let name: String
    let kind: Kind
    let hidden: Int
    let layers: Int
    let heads: Int
    let kvHeads: Int
    let intermediate: Int
    let vocab: Int
    let positions: Int
    let labels = 7

    var headDim: Int { hidden / heads }

    /// Weights per layer of the Linear layers: the query projection, the key and value
    /// projections, the output projection and the MLP (two matrices in an encoder, three in
    /// a gated decoder).
    private var layerWeights: (q: Int, kv: Int, o: Int, mlp: Int) {
        (hidden * hidden, 2 * hidden * kvHeads * headDim, hidden * hidden,
         (kind == .encoder ? 2 : 3) * hidden * intermediate)
    }

    /// The multiply-adds Sift's Linear layers do for one text of `n` tokens: every layer
    /// projects q, k and v for every row; the last layer's output projection and MLP run for
    /// the one row the head reads.
    func linearMACs(tokens n: Int) -> Int {
        let w = layerWeights
        return layers * n * (w.q + w.kv) + ((layers - 1) * n + 1) * (w.o + w.mlp)
    }

    /// The fewest multiply-adds of the Linear layers that give the exact answer for `n`
    /// tokens: as `linearMACs`, less the last layer's queries for the rows the head does not
    /// read (Sift projects them in the same product as the keys and values).
    func leastLinearMACs(tokens n: Int) -> Int {
        linearMACs(tokens: n) - (n - 1) * layerWeights.q
    }

    /// Bytes of the Linear layers' int8 weights as Sift holds them (Q8_0: 34 bytes per 32
    /// weights, in the file and in the repacked panels alike). All of them are read once per
    /// classification, the last layer's included: its one-row products still read every weight.
    var linearWeightBytes: Int {
        let w = layerWeights
        return layers * (w.q + w.kv + w.o + w.mlp) / 32 * 34
    }

    static let all: [Shape] = [
        Shape(name: "minilm", kind: .encoder, hidden: 384, layers: 6, heads: 12, kvHeads: 12, intermediate: 1536, vocab: 30522, positions: 512),
        Shape(name: "bert-base", kind: .encoder, hidden: 768, layers: 12, heads: 12, kvHeads: 12, intermediate: 3072, vocab: 30522, positions: 512),
        Shape(name: "qwen2.5-0.5b", kind: .decoder, hidden: 896, layers: 24, heads: 14, kvHeads: 2, intermediate: 4864, vocab: 151936, positions: 32768),
        Shape(name: "llama-3.2-1b", kind: .decoder, hidden: 2048, layers: 16, heads: 32, kvHeads: 8, intermediate: 8192, vocab: 128256, positions: 131072),
    ]

    static let large: [Shape] = [
        Shape(name: "llama-3.2-3b", kind: .decoder, hidden: 3072, layers: 28, heads: 24, kvHeads: 8, intermediate: 8192, vocab: 128256, positions: 131072),
        Shape(name: "llama-3.1-8b", kind: .decoder, hidden: 4096, layers: 32, heads: 32, kvHeads: 8, intermediate: 14336, vocab: 128256, positions: 131072),
    ]
}

/// Writes a shape as a Q8_0 GGUF with random weights and a classification head, in the
/// layout `sift convert` writes, with a WordPiece tokenizer embedded.
struct RandomModelWriter {
    let shape: Shape
    let tokenizerJSON: String

    func write(to url: URL) throws {
        var w = GGUFWriter()
        let s = shape
        var seed: UInt64 = 0x5EED_0000 &+ UInt64(s.hidden * 131 + s.layers)
        func matrix(_ name: String, _ rows: Int, _ cols: Int) throws {
            let blockSeed = seed
            seed &+= 1
            try w.addTensor(name: name, shape: [rows, cols], type: .q8_0) {
                // Random quants; scales give weights of about ±0.02 (a trained model's range).
                var state = blockSeed
                var bytes = [UInt8](repeating: 0, count: rows * cols / 32 * 34)
                bytes.withUnsafeMutableBytes { raw in
                    for b in 0 ..< rows * cols / 32 {
                        raw.storeBytes(of: UInt16(0x0CEA).littleEndian, toByteOffset: b * 34, as: UInt16.self)  // fp16 0.0003
                        for q in 0 ..< 32 {
                            state = state &* 6364136223846793005 &+ 1442695040888963407
                            raw[b * 34 + 2 + q] = UInt8(truncatingIfNeeded: (state >> 33) % 255 &+ 129)
                        }
                    }
                }
                return bytes
            }
        }
        func vector(_ name: String, _ count: Int, _ value: Float) throws {
            try w.addTensor(name: name, shape: [count], type: .f32, bytes: [Float](repeating: value, count: count).withUnsafeBytes { Array($0) })
        }
        func f32Matrix(_ name: String, _ rows: Int, _ cols: Int) throws {
            var state = seed
            seed &+= 1
            let values = (0 ..< rows * cols).map { _ -> Float in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return Float(Int64(state >> 40) - (1 << 23)) / Float(1 << 23) * 0.05
            }
            try w.addTensor(name: name, shape: [rows, cols], type: .f32, bytes: values.withUnsafeBytes { Array($0) })
        }

        switch s.kind {
        case .encoder:
            w.set("general.architecture", .string("bert"))
            w.set("bert.context_length", .uint32(UInt32(s.positions)))
            w.set("bert.embedding_length", .uint32(UInt32(s.hidden)))
            w.set("bert.block_count", .uint32(UInt32(s.layers)))
            w.set("bert.feed_forward_length", .uint32(UInt32(s.intermediate)))
            w.set("bert.attention.head_count", .uint32(UInt32(s.heads)))
            w.set("bert.attention.layer_norm_epsilon", .float32(1e-12))
            w.set("sift.family", .string("bert"))
            try matrix("token_embd.weight", s.vocab, s.hidden)
            try f32Matrix("position_embd.weight", s.positions, s.hidden)
            try f32Matrix("token_types.weight", 2, s.hidden)
            try vector("token_embd_norm.weight", s.hidden, 1)
            try vector("token_embd_norm.bias", s.hidden, 0)
            for i in 0 ..< s.layers {
                let b = "blk.\(i)."
                for (name, rows, cols) in [("attn_q", s.hidden, s.hidden), ("attn_k", s.hidden, s.hidden), ("attn_v", s.hidden, s.hidden),
                                           ("attn_output", s.hidden, s.hidden), ("ffn_up", s.intermediate, s.hidden),
                                           ("ffn_down", s.hidden, s.intermediate)] {
                    try matrix(b + name + ".weight", rows, cols)
                    try vector(b + name + ".bias", rows, 0.01)
                }
                for norm in ["attn_output_norm", "layer_output_norm"] {
                    try vector(b + norm + ".weight", s.hidden, 1)
                    try vector(b + norm + ".bias", s.hidden, 0)
                }
            }
            try f32Matrix("cls.weight", s.hidden, s.hidden)
            try vector("cls.bias", s.hidden, 0)
            try f32Matrix("cls.output.weight", s.labels, s.hidden)
            try vector("cls.output.bias", s.labels, 0)
            w.set("bert.classifier.output_labels", .array(.string((0 ..< s.labels).map { "label\($0)" })))
        case .decoder:
            let arch = "llama"
            w.set("general.architecture", .string(arch))
            w.set("\(arch).context_length", .uint32(UInt32(s.positions)))
            w.set("\(arch).embedding_length", .uint32(UInt32(s.hidden)))
            w.set("\(arch).block_count", .uint32(UInt32(s.layers)))
            w.set("\(arch).feed_forward_length", .uint32(UInt32(s.intermediate)))
            w.set("\(arch).attention.head_count", .uint32(UInt32(s.heads)))
            w.set("\(arch).attention.head_count_kv", .uint32(UInt32(s.kvHeads)))
            w.set("\(arch).attention.layer_norm_rms_epsilon", .float32(1e-6))
            w.set("\(arch).rope.freq_base", .float32(1_000_000))
            try matrix("token_embd.weight", s.vocab, s.hidden)
            let kv = s.kvHeads * s.headDim
            for i in 0 ..< s.layers {
                let b = "blk.\(i)."
                try vector(b + "attn_norm.weight", s.hidden, 1)
                for (name, rows, cols) in [("attn_q", s.hidden, s.hidden), ("attn_k", kv, s.hidden), ("attn_v", kv, s.hidden),
                                           ("attn_output", s.hidden, s.hidden), ("ffn_gate", s.intermediate, s.hidden),
                                           ("ffn_up", s.intermediate, s.hidden), ("ffn_down", s.hidden, s.intermediate)] {
                    try matrix(b + name + ".weight", rows, cols)
                }
                try vector(b + "ffn_norm.weight", s.hidden, 1)
            }
            try vector("output_norm.weight", s.hidden, 1)
            try f32Matrix("cls.output.weight", s.labels, s.hidden)
            w.set("\(arch).classifier.output_labels", .array(.string((0 ..< s.labels).map { "label\($0)" })))
        }
        w.set(GGUFFile.tokenizerJSONKey, .string(tokenizerJSON))
        try w.write(to: url)
    }
}
