import Foundation
import Testing

@testable import Sift

/// A Llama-shaped decoder whose MLP products are large enough for two threads, so that at
/// up to 24 rows two threads take the column-parallel MLP (`TransformerDecoder.mlpColumnParallel`).
@Suite struct DecoderThreadingTests {
    static let hidden = 256, layers = 2, heads = 4, kvHeads = 2, intermediate = 1024, vocab = 100, labels = 3

    /// Random fp32 weights (quantized to Q8_0 at load), written as a GGUF file.
    static func writeModel() throws -> URL {
        var m = RandomGGUF(seed: 0xDEC0DE)
        let h = hidden, kv = kvHeads * (hidden / heads)
        m.architecture("llama", sizes: ["context_length": 256, "embedding_length": h, "block_count": layers,
                                        "feed_forward_length": intermediate, "attention.head_count": heads,
                                        "attention.head_count_kv": kvHeads])
        m.writer.set("llama.attention.layer_norm_rms_epsilon", .float32(1e-6))
        m.writer.set("llama.rope.freq_base", .float32(10_000))
        try m.tensor("token_embd.weight", [vocab, h], scale: 1)
        for i in 0 ..< layers {
            let b = "blk.\(i)."
            try m.tensor(b + "attn_norm.weight", [h], scale: 0.1, offset: 1)
            for (name, rows, cols) in [("attn_q", h, h), ("attn_k", kv, h), ("attn_v", kv, h), ("attn_output", h, h),
                                       ("ffn_gate", intermediate, h), ("ffn_up", intermediate, h), ("ffn_down", h, intermediate)] {
                try m.tensor(b + name + ".weight", [rows, cols])
            }
            try m.tensor(b + "ffn_norm.weight", [h], scale: 0.1, offset: 1)
        }
        try m.tensor("output_norm.weight", [h], scale: 0.1, offset: 1)
        try m.tensor("cls.output.weight", [labels, h])
        return try m.write(prefix: "sift-decoder-threads")
    }

    /// Hidden states and logits, bit for bit the same on 1, 2 and 3 threads, with 2 threads
    /// taking the column-parallel MLP.
    @Test func columnParallelMLPMatchesOneThread() throws {
        let url = try Self.writeModel()
        defer { try? FileManager.default.removeItem(at: url) }
        guard case .decoder(let d) = try ModelRegistry.load(gguf: GGUFFile(url: url), weightType: .q8_0) else {
            Issue.record("not loaded as a decoder")
            return
        }
        // Products split rows from 64 rows, whatever this machine's cache (the weights would fit).
        Linear.keepRowSplitForCachedWeights(d.decoder.layers.flatMap { [$0.qkv, $0.output, $0.gateUp, $0.down] }, cacheBytes: 0)
        let pools = [1, 2, 3].map { ThreadPool(threads: $0) }
        for tokens in [16, 24] {
            let layer = d.decoder.layers[0]
            #expect(d.decoder.mlpColumnParallel(layer, rows: tokens, pool: pools[1]), "\(tokens) rows")
            #expect(!d.decoder.mlpColumnParallel(layer, rows: tokens, pool: pools[0]) && !d.decoder.mlpColumnParallel(layer, rows: tokens, pool: pools[2]))
            let ids = (0 ..< tokens).map { Int32(($0 * 29 + tokens) % Self.vocab) }
            let results = try pools.map { pool in
                (hidden: try d.hiddenStates(ids: ids, session: d.makeSession(maxTokens: tokens, threads: pool.threadCount), pool: pool),
                 logits: try d.logits(ids: ids, session: d.makeSession(maxTokens: tokens, threads: pool.threadCount), pool: pool))
            }
            #expect(results[0].hidden.allSatisfy(\.isFinite) && results[0].hidden.map(abs).max()! > 0.1)
            for (threads, r) in zip([2, 3], results.dropFirst()) {
                let sameHidden = r.hidden == results[0].hidden  // (not inside #expect, which would print both arrays)
                #expect(sameHidden, "\(tokens) tokens: hidden states on \(threads) threads")
                #expect(r.logits == results[0].logits, "\(tokens) tokens: logits on \(threads) threads")
            }
        }
        #expect(!d.decoder.mlpColumnParallel(d.decoder.layers[0], rows: 25, pool: pools[1]), "25 rows take shrinking tasks")
    }
}
