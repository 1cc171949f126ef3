import CSiftKernels
import Foundation

/// A decoder with the head it was trained with: a `score` linear read at the last non-pad
/// token (transformers' *ForSequenceClassification), or its language-model head, used to
/// score label words after a prompt (zero-shot routing). Immutable and thread-safe; each
/// call brings its own `DecoderSession`.
final class DecoderClassifier: @unchecked Sendable {
    enum Head {
        /// [labels, hidden], no bias.
        case score(Linear)
        /// [vocab, hidden]; tied to the embeddings when the model says so.
        case languageModel(Linear)
    }

    let decoder: TransformerDecoder
    let head: Head
    let labels: LabelSet?

    init(decoder: TransformerDecoder, head: Head, labels: LabelSet?) {
        self.decoder = decoder
        self.head = head
        self.labels = labels
    }

    /// Loads the head named by `names` from `loader`: the score head when `labels` is set,
    /// else the LM head (the tied embeddings if the config says so).
    static func loadHead(config: DecoderConfig, names: DecoderTensorNames, labels: LabelSet?, loader: WeightLoader) throws -> Head {
        if let labels {
            return .score(try loader.linear(names.score, out: labels.names.count, in: config.hiddenSize, bias: nil, as: .f32))
        }
        let tied = config.tieWordEmbeddings && !loader.contains(names.lmHead + ".weight")
        let weight = try loader.tensor(tied ? names.embeddings : names.lmHead + ".weight", shape: [config.vocabSize, config.hiddenSize])
        return .languageModel(try Linear(weight: weight, bias: nil, as: loader.storageType(for: weight.dtype, inFeatures: config.hiddenSize),
                                          activationScales: loader.activationScales, hugePages: loader.hugePages,
                                          packPool: loader.packPool))
    }

    func makeSession(maxTokens: Int, threads: Int) -> DecoderSession {
        DecoderSession(decoder: decoder, maxTokens: maxTokens, threads: threads)
    }

    /// The row transformers pools: the last token that is not the pad token (the first
    /// row when every token is padding, as its argmax gives).
    func pooledIndex(_ ids: [Int32]) -> Int {
        guard let pad = decoder.config.padTokenId else { return ids.count - 1 }
        return ids.lastIndex { Int($0) != pad } ?? 0
    }

    /// The score head's logits for one sequence.
    func logits(ids: [Int32], session s: DecoderSession, pool: ThreadPool) throws -> [Float] {
        guard case .score(let score) = head else {
            throw ModelError.missingTensor("score (the model has no classification head; give it labels to score)")
        }
        guard !ids.isEmpty else { throw ModelError.invalidValue(key: "input", value: "no tokens", expected: "at least one token") }
        let last = pooledIndex(ids)
        s.reset()
        // Causal attention: tokens after the pooled one cannot change it, so they are not run.
        let hidden = try decoder.forward(ids: ids[0 ... last], outputs: last ..< last + 1, cache: s.cache, arena: s.arena, pool: pool)
        return try StageProfiler.measure(\.head) {
            let out = try s.arena.matrix(rows: 1, cols: score.outFeatures)
            let scratch = try s.arena.allocate(sk_block_q8_a.self, count: score.quantizedBlocks(rows: 1))
            score(hidden, into: out, scratch: scratch, pool: pool)
            return out.array
        }
    }

    /// The score head's logits for each of several sequences, packed: each runs up to its
    /// pooled token, all share every matrix product, and each attends only to itself.
    func logits(batch sequences: [[Int32]], threads: Int, pool: ThreadPool) throws -> [[Float]] {
        guard case .score(let score) = head else {
            throw ModelError.missingTensor("score (the model has no classification head; give it labels to score)")
        }
        let kept = try sequences.map { ids -> [Int32] in
            guard !ids.isEmpty else { throw ModelError.invalidValue(key: "input", value: "no tokens", expected: "at least one token") }
            return Array(ids[0 ... pooledIndex(ids)])
        }
        let batch = PackedBatch(kept.map { ($0, []) })
        let session = DecoderSession(decoder: decoder, maxTokens: batch.rows, threads: threads, longest: batch.longest)
        let hidden = try decoder.forward(batch, outputs: (0 ..< batch.count).map { batch.offsets[$0 + 1] - 1 },
                                         cache: session.cache, arena: session.arena, pool: pool)
        return try StageProfiler.measure(\.head) {
            let out = try session.arena.matrix(rows: 1, cols: score.outFeatures)
            let scratch = try session.arena.allocate(sk_block_q8_a.self, count: score.quantizedBlocks(rows: 1))
            // Row by row, so a text's result does not depend on its batch (see EncoderHead).
            return (0 ..< hidden.rows).map { r in
                score(hidden.rows(r ..< r + 1), into: out, scratch: scratch, pool: pool)
                return out.array
            }
        }
    }

    /// Full-vocabulary next-token logits after `ids` (the LM head on the last position).
    func nextTokenLogits(ids: [Int32], session s: DecoderSession, pool: ThreadPool) throws -> [Float] {
        s.reset()
        guard case .languageModel(let lm) = head else {
            throw ModelError.missingTensor("lm_head (next-token logits need a language model, not a classifier)")
        }
        let hidden = try decoder.forward(ids: ids[...], outputs: ids.count - 1 ..< ids.count, cache: s.cache, arena: s.arena, pool: pool)
        return try languageModelLogits(hidden, layer: lm, session: s, pool: pool).array
    }

    /// log P(label | prompt) for each label, up to one constant shared by every label:
    /// Σ_j log softmax(LM head at the position before label token j)[label token j], less
    /// the first position's normalizer (log Σ over the vocabulary of exp(logit)), which is
    /// the same for every label and cancels in the softmax over labels. So the first
    /// position evaluates the LM head for the labels' first tokens only, not the whole
    /// vocabulary; later tokens of longer labels need every logit for their normalizers.
    /// The prompt and the labels' continuations run as one packed pass when they fit in
    /// the session's cache (each continuation sees the prompt's keys and values and itself);
    /// otherwise the prompt runs first and the continuations follow in groups.
    ///
    /// `reusablePrefix` ids at the start of the prompt (a template's constant opening) are
    /// kept in the session's cache between calls: a later prompt with the same opening runs
    /// only the rest. Keys and values depend only on the tokens before them, so the result
    /// is the same as running the whole prompt.
    func labelLogProbabilities(prompt: [Int32], labels: [[Int32]], reusablePrefix: Int = 0,
                               session s: DecoderSession, pool: ThreadPool) throws -> [Float] {
        if let one = try labelLogProbabilities(prompts: [prompt], labels: labels, reusablePrefix: reusablePrefix, session: s, pool: pool) {
            return one[0]
        }
        let head = try labelHead(labels)
        let prefix = try sharedOpening(of: [prompt], reusablePrefix: reusablePrefix)
        try cache(opening: prompt[..<prefix], session: s, pool: pool)
        let rest = prompt[prefix...]
        let last = try decoder.forward(ids: rest, outputs: rest.count - 1 ..< rest.count, cache: s.cache, arena: s.arena, pool: pool)
        var result = try firstTokenScores(last, head: head, session: s, pool: pool)[0]
        // The continuations run as packed batches after the prompt's cached keys and values,
        // as many labels at a time as the cache holds, each seeing the opening, the rest of
        // the prompt (as its context) and itself: the key pieces of the one-pass path, so
        // the scores are the same bits.
        var continuation: [Float] = [], targets: [(row: Int, label: Int, token: Int)] = []
        var waiting = labels.indices.filter { labels[$0].count > 1 }[...]
        while !waiting.isEmpty {
            var group: [Int] = [], rows = 0
            while let i = waiting.first, group.isEmpty || prompt.count + rows + labels[i].count - 1 <= s.cache.capacity {
                group.append(i)
                rows += labels[i].count - 1
                waiting.removeFirst()
            }
            s.arena.reset()
            let batch = PackedBatch(group.map { (Array(labels[$0].dropLast()), []) })
            let hidden = try decoder.forward(batch, outputs: Array(0 ..< rows), contexts: group.map { _ in prefix ..< prompt.count },
                                             sharedPrefix: prefix, cache: s.cache, arena: s.arena, pool: pool)
            continuation.append(contentsOf: hidden.array)
            s.cache.truncate(to: prompt.count)
            for i in group {
                for token in labels[i].dropFirst() { targets.append((targets.count, i, Int(token))) }
            }
        }
        try addLaterTokens(continuation, targets: targets, head: head.lm, into: &result, session: s, pool: pool)
        return result
    }

    /// `labelLogProbabilities(prompt:…)` for several prompts in one packed pass: every
    /// prompt after the shared cached opening, each followed by its labels' continuations,
    /// which attend to that prompt only. With int8 weights each prompt's results are the
    /// bits it gets alone with the same opening (its sequences are computed the same way
    /// wherever they sit in the batch, and int8 products treat rows apart), so callers batch
    /// prompts whose reusable openings agree; fp32 weights (BLAS) agree to rounding. nil when
    /// the prompts and their continuations do not fit in the session's cache.
    func labelLogProbabilities(prompts: [[Int32]], labels: [[Int32]], reusablePrefix: Int = 0,
                               session s: DecoderSession, pool: ThreadPool) throws -> [[Float]]? {
        let head = try labelHead(labels)
        guard !prompts.isEmpty else { return [] }
        guard !labels.isEmpty else { return prompts.map { _ in [] } }
        let continued = labels.indices.filter { labels[$0].count > 1 }
        let perPrompt = continued.reduce(0) { $0 + labels[$1].count - 1 }
        let prefix = try sharedOpening(of: prompts, reusablePrefix: reusablePrefix)
        guard prefix + prompts.reduce(0, { $0 + $1.count - prefix + perPrompt }) <= s.cache.capacity else { return nil }
        try cache(opening: prompts[0][..<prefix], session: s, pool: pool)
        // Sequences: each prompt's rest, then its labels' tokens but the last, in that order.
        var sequences: [(ids: [Int32], typeIds: [Int32])] = [], contexts: [Range<Int>?] = []
        var outputs: [Int] = [], promptRows: [Int] = [], targets: [(row: Int, label: Int, token: Int)] = []
        var row = 0
        for (p, prompt) in prompts.enumerated() {
            let rest = Array(prompt[prefix...])
            let own = prefix + row ..< prefix + row + rest.count
            sequences.append((rest, []))
            contexts.append(nil)
            row += rest.count
            promptRows.append(outputs.count)
            outputs.append(row - 1)
            for i in continued {
                sequences.append((Array(labels[i].dropLast()), []))
                contexts.append(own)
                for (j, token) in labels[i].dropFirst().enumerated() {
                    outputs.append(row + j)
                    targets.append((outputs.count - 1, p * labels.count + i, Int(token)))
                }
                row += labels[i].count - 1
            }
        }
        s.arena.reset()
        let hidden = try decoder.forward(PackedBatch(sequences), outputs: outputs, contexts: contexts, sharedPrefix: prefix,
                                         cache: s.cache, arena: s.arena, pool: pool)
        let continuation = hidden.array
        s.arena.reset()
        let last = try s.arena.matrix(rows: prompts.count, cols: hidden.cols)
        for (p, r) in promptRows.enumerated() {
            continuation.withUnsafeBufferPointer { last.row(p).update(from: $0.baseAddress! + r * hidden.cols, count: hidden.cols) }
        }
        var result = try firstTokenScores(last, head: head, session: s, pool: pool).flatMap { $0 }
        s.cache.truncate(to: prefix)
        try addLaterTokens(continuation, targets: targets, head: head.lm, into: &result, session: s, pool: pool)
        return (0 ..< prompts.count).map { Array(result[$0 * labels.count ..< ($0 + 1) * labels.count]) }
    }

    /// The LM head and the labels' distinct first tokens (`column` maps a token to its row
    /// among them), after checking every label token against the vocabulary.
    private func labelHead(_ labels: [[Int32]]) throws -> (lm: Linear, firstTokens: [Int], column: [Int: Int], labels: [[Int32]]) {
        guard case .languageModel(let lm) = head else {
            throw ModelError.missingTensor("lm_head (label scoring needs a language model, not a classifier)")
        }
        var firstTokens: [Int] = [], column: [Int: Int] = [:]
        for label in labels {
            guard let token = label.first, label.allSatisfy({ $0 >= 0 && Int($0) < lm.outFeatures }) else {
                throw ModelError.invalidValue(key: "label tokens", value: "\(label)", expected: "one or more ids below \(lm.outFeatures)")
            }
            if column[Int(token)] == nil { column[Int(token)] = firstTokens.count; firstTokens.append(Int(token)) }
        }
        return (lm, firstTokens, column, labels)
    }

    /// How many opening ids every prompt shares, up to `reusablePrefix` and leaving each
    /// prompt at least one id of its own.
    private func sharedOpening(of prompts: [[Int32]], reusablePrefix: Int) throws -> Int {
        for prompt in prompts where prompt.isEmpty {
            throw ModelError.invalidValue(key: "prompt", value: "no tokens", expected: "at least one token")
        }
        var n = min(reusablePrefix, prompts.map { $0.count - 1 }.min() ?? 0)
        while n > 0, !prompts.allSatisfy({ $0[..<n] == prompts[0][..<n] }) { n -= 1 }
        return max(0, n)
    }

    /// Leaves the cache holding exactly `opening` (the prompts' shared opening, from
    /// `sharedOpening`), reusing it from the last call when it is the same.
    private func cache(opening: ArraySlice<Int32>, session s: DecoderSession, pool: ThreadPool) throws {
        let prefix = opening.count
        s.arena.reset()
        if prefix > 0, s.cachedPrefix.count == prefix, opening.elementsEqual(s.cachedPrefix), s.cache.length >= prefix {
            s.cache.truncate(to: prefix)
        } else {
            s.reset()
            if prefix > 0 {
                _ = try decoder.forward(ids: opening, outputs: prefix - 1 ..< prefix, cache: s.cache, arena: s.arena, pool: pool)
                s.arena.reset()
            }
            s.cachedPrefix = Array(opening)
        }
    }

    /// Each row of `last` (a prompt's last position) scored for every label's first token.
    private func firstTokenScores(_ last: Matrix, head: (lm: Linear, firstTokens: [Int], column: [Int: Int], labels: [[Int32]]),
                                  session s: DecoderSession, pool: ThreadPool) throws -> [[Float]] {
        if s.firstTokenHead?.tokens != head.firstTokens { s.firstTokenHead = (head.firstTokens, head.lm.selectingRows(head.firstTokens)) }
        let logits = try languageModelLogits(last, layer: s.firstTokenHead!.layer, session: s, pool: pool)
        return (0 ..< last.rows).map { r in head.labels.map { logits.row(r)[head.column[Int($0[0])]!] } }
    }

    /// Adds log softmax(LM head)[token] at each target's row of `hidden` (rows of the hidden
    /// size) to its label's entry of `result`. The full LM head, the expensive part for a
    /// large vocabulary, runs `DecoderSession.logitRows` rows at a time, so it reads its
    /// weights once per that many rows.
    private func addLaterTokens(_ hidden: [Float], targets: [(row: Int, label: Int, token: Int)], head lm: Linear, into result: inout [Float],
                                session s: DecoderSession, pool: ThreadPool) throws {
        let h = decoder.config.hiddenSize, chunk = DecoderSession.logitRows
        for r0 in stride(from: 0, to: targets.count, by: chunk) {
            let rows = min(chunk, targets.count - r0)
            s.arena.reset()
            let x = try s.arena.matrix(rows: rows, cols: h)
            hidden.withUnsafeBufferPointer { all in
                for j in 0 ..< rows { x.row(j).update(from: all.baseAddress! + targets[r0 + j].row * h, count: h) }
            }
            let logits = try languageModelLogits(x, layer: lm, session: s, pool: pool)
            for j in 0 ..< rows {
                let row = logits.row(j)
                result[targets[r0 + j].label] += row[targets[r0 + j].token] - sk_log_sum_exp(row, Int64(logits.cols))
            }
        }
    }

    /// `layer` (the LM head, or some of its rows) on `hidden`, with the final soft cap.
    private func languageModelLogits(_ hidden: Matrix, layer lm: Linear, session s: DecoderSession, pool: ThreadPool) throws -> Matrix {
        try StageProfiler.measure(\.head) { try languageModelRows(hidden, layer: lm, session: s, pool: pool) }
    }

    private func languageModelRows(_ hidden: Matrix, layer lm: Linear, session s: DecoderSession, pool: ThreadPool) throws -> Matrix {
        let out = try s.arena.matrix(rows: hidden.rows, cols: lm.outFeatures)
        let scratch = try s.arena.allocate(sk_block_q8_a.self, count: lm.quantizedBlocks(rows: hidden.rows))
        lm(hidden, into: out, scratch: scratch, pool: pool)
        if let cap = decoder.config.finalLogitSoftcap {
            for i in 0 ..< out.rows {
                let r = out.row(i)
                for j in 0 ..< out.cols { r[j] = cap * Foundation.tanh(r[j] / cap) }
            }
        }
        return out
    }
}

/// A decoder's working memory for one caller at a time: the scratch arena and the
/// key/value cache, allocated once for `maxTokens`.
final class DecoderSession: @unchecked Sendable {
    let arena: Arena
    let cache: KVCache
    let maxTokens: Int
    /// Rows of full-vocabulary logits the arena has room for (label scoring's later tokens).
    static let logitRows = 4

    /// For `maxTokens` tokens of one sequence, or a packed batch of that many rows whose
    /// longest sequence has `longest` tokens.
    init(decoder: TransformerDecoder, maxTokens: Int, threads: Int, longest: Int? = nil) {
        self.maxTokens = maxTokens
        cache = KVCache(config: decoder.config, capacity: maxTokens)
        let lm = decoder.config.vocabSize * 4 * DecoderSession.logitRows + decoder.config.hiddenSize * 64
        arena = Arena(bytes: decoder.scratchBytes(tokens: maxTokens, context: maxTokens, threads: threads, longest: longest) + lm)
    }

    /// The ids whose keys and values open the cache, kept for the next prompt that starts
    /// with them.
    var cachedPrefix: [Int32] = []
    /// The LM head's rows for the last label set's first tokens (label scoring), kept while
    /// the labels stay the same.
    var firstTokenHead: (tokens: [Int], layer: Linear)?

    func reset() {
        arena.reset()
        cache.truncate(to: 0)
        cachedPrefix = []
    }
}

extension DecoderClassifier {
    /// The final-normed hidden states [tokens, hidden] of every position.
    func hiddenStates(ids: [Int32], session s: DecoderSession, pool: ThreadPool) throws -> [Float] {
        s.reset()
        return try decoder.forward(ids: ids[...], outputs: 0 ..< ids.count, cache: s.cache, arena: s.arena, pool: pool).array
    }
}
