import Foundation
import Testing

@testable import Sift

/// A BERT encoder on which two threads take the row-parallel path (each layer past its
/// attention as one region of row halves, `BertEncoder.rowParallelLayers`, with products
/// above and below the size at which a product alone would use two threads) and the
/// column-parallel one (`BertEncoder.columnParallelLayers`).
@Suite struct EncoderThreadingTests {
    static let hidden = 384, layers = 2, heads = 6, intermediate = 1536, vocab = 100, positions = 128, labels = 3

    /// Random fp32 weights (quantized to Q8_0 at load), written as a GGUF file.
    static func writeModel() throws -> URL {
        var m = RandomGGUF(seed: 0x5EED)
        let h = hidden
        m.architecture("bert", sizes: ["context_length": positions, "embedding_length": h, "block_count": layers,
                                       "feed_forward_length": intermediate, "attention.head_count": heads])
        m.writer.set("bert.attention.layer_norm_epsilon", .float32(1e-12))
        m.writer.set("sift.family", .string("bert"))
        try m.tensor("token_embd.weight", [vocab, h], scale: 1)
        try m.tensor("position_embd.weight", [positions, h], scale: 0.5)
        try m.tensor("token_types.weight", [2, h], scale: 0.5)
        try m.tensor("token_embd_norm.weight", [h], scale: 0.1, offset: 1)
        try m.tensor("token_embd_norm.bias", [h], scale: 0.1)
        for i in 0 ..< layers {
            let b = "blk.\(i)."
            for (name, rows, cols) in [("attn_q", h, h), ("attn_k", h, h), ("attn_v", h, h), ("attn_output", h, h),
                                       ("ffn_up", intermediate, h), ("ffn_down", h, intermediate)] {
                try m.tensor(b + name + ".weight", [rows, cols])
                try m.tensor(b + name + ".bias", [rows], scale: 0.1)
            }
            for norm in ["attn_output_norm", "layer_output_norm"] {
                try m.tensor(b + norm + ".weight", [h], scale: 0.1, offset: 1)
                try m.tensor(b + norm + ".bias", [h], scale: 0.1)
            }
        }
        try m.tensor("cls.weight", [h, h])
        try m.tensor("cls.bias", [h], scale: 0.1)
        try m.tensor("cls.output.weight", [labels, h])
        try m.tensor("cls.output.bias", [labels], scale: 0.1)
        return try m.write(prefix: "sift-encoder-threads")
    }

    static func ids(_ count: Int, seed: Int) -> [Int32] { (0 ..< count).map { Int32(($0 * 37 + seed * 11 + 5) % vocab) } }

    /// Hidden states, logits and a packed batch's logits, bit for bit the same on 1, 2 and 3
    /// threads, with 2 threads taking the row-parallel path.
    @Test func parallelPathsMatchOneThread() throws {
        let url = try Self.writeModel()
        defer { try? FileManager.default.removeItem(at: url) }
        guard case .encoder(let e) = try ModelRegistry.load(gguf: GGUFFile(url: url), weightType: .q8_0) else {
            Issue.record("not loaded as an encoder")
            return
        }
        let linears = e.encoder.layers.flatMap { [$0.qkv, $0.output, $0.up, $0.down] }
        let pools = [1, 2, 3].map { ThreadPool(threads: $0) }
        // Weights that fit the cache (forced, whatever this machine's cache) split rows from
        // 16 rows: at 16 rows the o-projection alone would stay on one thread (under 4M
        // multiply-adds), at 70 every product would use two. Weights that do not split rows
        // from 64 rows, and at 28-63 rows (every product on two threads) take the
        // column-parallel path.
        #expect(e.encoder.layers[0].output.productThreads(rows: 16, pool: pools[1]) == 1)
        for (tokens, cache) in [(16, 1 << 30), (70, 1 << 30), (30, 0), (45, 0)] {
            Linear.keepRowSplitForCachedWeights(linears, cacheBytes: cache)
            let rowPath = cache > 0
            let ids = Self.ids(tokens, seed: tokens), types = [Int32](repeating: 0, count: tokens)
            #expect(e.encoder.rowParallelLayers(rows: tokens, pool: pools[1]) == rowPath, "\(tokens) rows, row-parallel path")
            #expect(e.encoder.columnParallelLayers(rows: tokens, pool: pools[1]) == !rowPath, "\(tokens) rows, column-parallel path")
            for pool in [pools[0], pools[2]] {
                #expect(!e.encoder.rowParallelLayers(rows: tokens, pool: pool) && !e.encoder.columnParallelLayers(rows: tokens, pool: pool))
            }
            let first = Array(ids.prefix(tokens / 2 + 3)), second = Array(ids.suffix(tokens / 2 - 1))
            let batch = PackedBatch([(first, [Int32](repeating: 0, count: first.count)), (second, [Int32](repeating: 1, count: second.count))])
            #expect(e.encoder.rowParallelLayers(rows: batch.rows, pool: pools[1]) == rowPath)
            #expect(e.encoder.columnParallelLayers(rows: batch.rows, pool: pools[1]) == !rowPath)
            let results = try pools.map { pool in
                (hidden: try e.hiddenStates(ids: ids, typeIds: types, arena: e.arena(tokens: tokens, threads: pool.threadCount), pool: pool),
                 logits: try e.logits(ids: ids, typeIds: types, arena: e.arena(tokens: tokens, threads: pool.threadCount), pool: pool),
                 batch: try e.logits(batch, arena: e.arena(batch: batch, threads: pool.threadCount), pool: pool))
            }
            #expect(results[0].hidden.allSatisfy(\.isFinite) && results[0].hidden.map(abs).max()! > 0.1)
            for (threads, r) in zip([2, 3], results.dropFirst()) {
                let sameHidden = r.hidden == results[0].hidden  // (not inside #expect, which would print both arrays)
                let path = rowPath ? "row" : "column"
                #expect(sameHidden, "\(tokens) tokens, \(path) path: hidden states on \(threads) threads")
                #expect(r.logits == results[0].logits, "\(tokens) tokens, \(path) path: logits on \(threads) threads")
                #expect(r.batch == results[0].batch, "\(tokens) tokens, \(path) path: batch logits on \(threads) threads")
            }
        }
    }
}
