import Foundation
import SiftTokenizers

/// A text classifier: a fine-tuned encoder or decoder with its classification head, or an
/// instruct decoder choosing among labels zero-shot, with its tokenizer.
///
/// ```swift
/// let classifier = try Classifier(contentsOf: URL(fileURLWithPath: "intents.gguf"))
/// let result = try classifier.classify("I was charged twice this month")
/// print(result.label, result.score)
/// ```
///
/// A `Classifier` is immutable and `Sendable`: call it from as many tasks as you like. Each
/// call borrows a session (scratch memory sized once for `maxTokens`) from a pool, so
/// concurrent calls do not share buffers and a classification allocates nothing large.
public final class Classifier: Sendable {
    /// The labels results are drawn from, in the model's order.
    public let labels: [String]
    /// The longest input, in tokens, before truncation.
    public let maxTokens: Int
    /// What was loaded: architecture and head, for display.
    public let summary: String
    public let options: ClassifierOptions
    let model: LoadedModel
    let tokenizer: Tokenizer
    let problemType: ProblemType
    let zeroShot: ZeroShotPrompt?
    let pool: ThreadPool
    private let sessions = SessionPool()
    /// Zero-shot batch sessions (`batchRows` cache rows), kept like `sessions`.
    private let batchSessions = SessionPool()

    enum Session: Sendable {
        case encoder(Arena)
        case decoder(DecoderSession)
    }

    /// Loads a GGUF file or a Hugging Face model folder (config.json, safetensors and
    /// tokenizer.json; `options.lora` adds a PEFT adapter).
    public init(contentsOf url: URL, options: ClassifierOptions = .init()) throws {
        if let t = options.threads, t < 1 { throw ClassifierError.invalidOption("threads must be at least 1, not \(t)") }
        if let m = options.maxTokens, m < 2 { throw ClassifierError.invalidOption("maxTokens must be at least 2, not \(m)") }
        let location = try ModelLocation(url)
        let chatTemplate: String?
        switch location {
        case .huggingFace(let folder):
            model = try ModelRegistry.load(folder: folder, weightType: options.weightType, lora: options.lora,
                                           activationScales: options.activationScales, hugePages: options.hugePages)
            tokenizer = try Tokenizer.load(from: folder)
            chatTemplate = ZeroShotPrompt.chatTemplate(folder: folder)
        case .gguf(let file):
            if options.lora != nil {
                throw ClassifierError.invalidOption("a LoRA adapter is merged into a Hugging Face folder; convert it with `sift convert --lora` first")
            }
            let gguf = try GGUFFile(url: file)
            model = try ModelRegistry.load(gguf: gguf, weightType: options.weightType, activationScales: options.activationScales,
                                           hugePages: options.hugePages)
            tokenizer = try gguf.tokenizer()
            chatTemplate = gguf["tokenizer.chat_template"]?.string
        case .safetensors(let file):
            throw ModelLocationError.notAModelFolder(file.deletingLastPathComponent().path, missing: "config.json")
        }
        self.options = options

        let modelLimit: Int
        switch model {
        case .encoder(let e):
            modelLimit = e.encoder.config.maxPositions - e.encoder.config.positionOffset
            summary = "\(e.encoder.config.family.rawValue) encoder, \(e.encoder.config.layers) layers, hidden \(e.encoder.config.hiddenSize)"
        case .decoder(let d):
            modelLimit = d.decoder.config.maxPositions
            summary = "\(d.decoder.config.family.rawValue) decoder, \(d.decoder.config.layers) layers, hidden \(d.decoder.config.hiddenSize)"
        }
        maxTokens = min(options.maxTokens ?? min(modelLimit, 512), modelLimit)
        pool = ThreadPool(threads: options.threads ?? ThreadPool.physicalCores)

        switch model {
        case .decoder(let d) where options.labels != nil:
            guard case .languageModel = d.head else {
                throw ClassifierError.invalidOption("zero-shot labels need a language model; this model has a classification head with labels \(d.labels?.names ?? [])")
            }
            let names = options.labels!.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard names.count >= 2 else { throw ClassifierError.noLabels("zero-shot routing needs at least two labels") }
            labels = names
            problemType = .singleLabel
            zeroShot = try ZeroShotPrompt(template: options.template, chatTemplate: chatTemplate, labels: names, tokenizer: tokenizer)
        case .decoder(let d):
            guard let set = d.labels else {
                throw ClassifierError.noLabels("this is a language model without a classification head: give it labels to choose from (options.labels, or --labels)")
            }
            labels = set.names
            problemType = set.problemType
            zeroShot = nil
        case .encoder(let e):
            guard let set = e.labels else {
                throw ClassifierError.noLabels("this encoder has no classification head (config.json names no *ForSequenceClassification)")
            }
            if options.labels != nil { throw ClassifierError.invalidOption("zero-shot labels need a decoder language model, not an encoder") }
            labels = set.names
            problemType = set.problemType
            zeroShot = nil
        }
    }

    /// Classifies one text (or a text pair, for models fine-tuned on pairs).
    public func classify(_ text: String, pair: String? = nil) throws -> Classification {
        try profiled { profiler in
            let session = borrowSession()
            defer { returnSession(session) }
            if let zeroShot {
                let prompt = StageProfiler.measure(\.tokenize) { zeroShot.encode(text, tokenizer: tokenizer, maxTokens: maxTokens) }
                guard case .decoder(let d) = model, case .decoder(let s) = session else { throw ClassifierError.emptyInput }
                let logits = try d.labelLogProbabilities(prompt: prompt.ids, labels: zeroShot.labelIds,
                                                         reusablePrefix: prompt.reusablePrefix, session: s, pool: pool)
                return (logits, prompt.ids.count, prompt.truncated)
            }
            let encoding = StageProfiler.measure(\.tokenize) { tokenizer.encode(text, pair: pair, maxLength: maxTokens) }
            return (try run(ids: encoding.ids, typeIds: encoding.typeIds, session: session), encoding.ids.count, encoding.truncated)
        }
    }

    /// Classifies text already tokenized (special tokens included), for callers that
    /// tokenize themselves. Inputs longer than `maxTokens` are refused, not truncated.
    public func classify(tokenIds ids: [Int32], typeIds: [Int32]? = nil) throws -> Classification {
        guard zeroShot == nil else { throw ClassifierError.invalidOption("zero-shot routing builds its own prompt: classify text") }
        guard !ids.isEmpty else { throw ClassifierError.emptyInput }
        guard ids.count <= maxTokens else {
            throw ClassifierError.invalidOption("\(ids.count) tokens exceed maxTokens (\(maxTokens))")
        }
        return try profiled { _ in
            let session = borrowSession()
            defer { returnSession(session) }
            let types = typeIds ?? [Int32](repeating: 0, count: ids.count)
            return (try run(ids: ids, typeIds: types, session: session), ids.count, false)
        }
    }

    private func run(ids: [Int32], typeIds: [Int32], session: Session) throws -> [Float] {
        guard !ids.isEmpty else { throw ClassifierError.emptyInput }
        switch (model, session) {
        case (.encoder(let e), .encoder(let arena)): return try e.logits(ids: ids, typeIds: typeIds, arena: arena, pool: pool)
        case (.decoder(let d), .decoder(let s)): return try d.logits(ids: ids, session: s, pool: pool)
        default: throw ClassifierError.emptyInput
        }
    }

    /// Times `body` (per stage when profiling) and turns its logits into a Classification.
    private func profiled(_ body: (StageProfiler?) throws -> (logits: [Float], tokens: Int, truncated: Bool)) throws -> Classification {
        let start = DispatchTime.now().uptimeNanoseconds
        let profiler = options.profile ? StageProfiler() : nil
        let out = try StageProfiler.$current.withValue(profiler) { try body(profiler) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        var r = result(logits: out.logits, tokens: out.tokens, truncated: out.truncated, seconds: seconds)
        if let profiler {
            profiler.timings.total = seconds
            r.timings = profiler.timings
        }
        return r
    }

    /// Classifies many texts; results are in input order. They run packed (consecutive
    /// texts share every matrix product, with no padding, up to `batchRows` tokens at a
    /// time), which is faster than one at a time; each result's `seconds` is its batch's
    /// time divided by the batch's texts. With zero-shot routing a batch holds the texts'
    /// prompts and their labels' continuations, in a session of `batchRows` cache rows that
    /// the classifier keeps for its next batch (for Qwen2.5-0.5B about 100 MB).
    public func classify(_ texts: [String]) throws -> [Classification] {
        guard texts.count > 1 else { return try texts.map { try classify($0) } }
        if let zeroShot { return try classifyZeroShot(texts, prompt: zeroShot) }
        var results: [Classification] = []
        results.reserveCapacity(texts.count)
        var start = 0
        while start < texts.count {
            let clock = DispatchTime.now().uptimeNanoseconds
            var encodings: [Encoding] = [], rows = 0
            while start + encodings.count < texts.count {
                let encoding = tokenizer.encode(texts[start + encodings.count], maxLength: maxTokens)
                guard !encoding.ids.isEmpty else { throw ClassifierError.emptyInput }
                if !encodings.isEmpty, rows + encoding.ids.count > batchRows { break }
                encodings.append(encoding)
                rows += encoding.ids.count
            }
            let logits: [[Float]]
            switch model {
            case .encoder(let e):
                let batch = PackedBatch(encodings.map { ($0.ids, $0.typeIds) })
                logits = try e.logits(batch, arena: e.arena(batch: batch, threads: pool.threadCount), pool: pool)
            case .decoder(let d):
                logits = try d.logits(batch: encodings.map(\.ids), threads: pool.threadCount, pool: pool)
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - clock) / 1e9 / Double(encodings.count)
            for (encoding, l) in zip(encodings, logits) {
                results.append(result(logits: l, tokens: encoding.ids.count, truncated: encoding.truncated, seconds: seconds))
            }
            start += encodings.count
        }
        return results
    }

    /// Zero-shot batches: as many consecutive prompts as fit in `batchRows` cache rows with
    /// every label's continuation after each and share a reusable opening; a prompt too long
    /// to share a batch runs alone.
    private func classifyZeroShot(_ texts: [String], prompt zeroShot: ZeroShotPrompt) throws -> [Classification] {
        guard case .decoder(let d) = model else { throw ClassifierError.invalidOption("zero-shot routing needs a decoder") }
        let perPrompt = zeroShot.labelIds.reduce(0) { $0 + max(0, $1.count - 1) }
        let borrowed: Session
        if let s = batchSessions.take() {
            borrowed = s
        } else {
            borrowed = .decoder(d.makeSession(maxTokens: max(batchRows, maxTokens + zeroShot.continuationTokens), threads: pool.threadCount))
        }
        defer { batchSessions.put(borrowed) }
        guard case .decoder(let session) = borrowed else { throw ClassifierError.invalidOption("zero-shot routing needs a decoder") }
        var results: [Classification] = []
        results.reserveCapacity(texts.count)
        var start = 0
        while start < texts.count {
            let clock = DispatchTime.now().uptimeNanoseconds
            var prompts: [(ids: [Int32], truncated: Bool, reusablePrefix: Int)] = [], rows = 0
            while start + prompts.count < texts.count {
                var prompt = zeroShot.encode(texts[start + prompts.count], tokenizer: tokenizer, maxTokens: maxTokens)
                // The opening a prompt reuses alone (at least one id of its own stays), which
                // its batch shares: a prompt with another (truncated, or all opening) starts
                // a batch of its own kind, so every text gets the bits it gets alone.
                prompt.reusablePrefix = min(prompt.reusablePrefix, prompt.ids.count - 1)
                if let first = prompts.first,
                   rows + prompt.ids.count + perPrompt > session.cache.capacity || prompt.reusablePrefix != first.reusablePrefix { break }
                prompts.append(prompt)
                rows += prompt.ids.count + perPrompt
            }
            let logits: [[Float]]
            if let batch = try d.labelLogProbabilities(prompts: prompts.map(\.ids), labels: zeroShot.labelIds, reusablePrefix: prompts[0].reusablePrefix,
                                                       session: session, pool: pool) {
                logits = batch
            } else {
                logits = try prompts.map {
                    try d.labelLogProbabilities(prompt: $0.ids, labels: zeroShot.labelIds, reusablePrefix: $0.reusablePrefix, session: session, pool: pool)
                }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - clock) / 1e9 / Double(prompts.count)
            for (prompt, l) in zip(prompts, logits) {
                results.append(result(logits: l, tokens: prompt.ids.count, truncated: prompt.truncated, seconds: seconds))
            }
            start += prompts.count
        }
        return results
    }

    /// Most tokens one packed batch holds. An encoder's scratch is about 4 · rows ·
    /// (6·hidden + intermediate) bytes (120 MB for BERT-base at 4096); a decoder's adds its
    /// key/value cache (Qwen2.5-0.5B: about 110 MB at 1024).
    var batchRows: Int {
        if case .decoder = model { return 1024 }
        return 4096
    }

    /// Classifies one text off the caller's executor.
    public func classify(_ text: String, pair: String? = nil) async throws -> Classification {
        try await offload { try self.classify(text, pair: pair) }
    }

    /// Classifies many texts off the caller's executor; results are in input order.
    public func classify(_ texts: [String]) async throws -> [Classification] {
        try await offload { try self.classify(texts) }
    }

    private func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try work() })
            }
        }
    }

    func result(logits: [Float], tokens: Int, truncated: Bool, seconds: Double) -> Classification {
        let scores: [Float]
        if zeroShot != nil {
            var p = logits
            p.withUnsafeMutableBufferPointer { softmax($0.baseAddress!, $0.count) }
            scores = p
        } else {
            scores = LabelSet.scores(logits, problemType)
        }
        let ranked = zip(labels, scores).map { Classification.LabelScore(label: $0, score: $1) }
            .enumerated().sorted { $0.element.score != $1.element.score ? $0.element.score > $1.element.score : $0.offset < $1.offset }
            .map(\.element)
        let top = ranked[0]
        let predicted = problemType == .multiLabel ? ranked.filter { $0.score >= 0.5 }.map(\.label) : [top.label]
        let abstained = options.threshold.map { top.score < $0 } ?? false
        return Classification(label: top.label, score: top.score, ranked: ranked, predicted: predicted, logits: logits,
                              tokens: tokens, truncated: truncated, abstained: abstained, seconds: seconds)
    }

    private func borrowSession() -> Session {
        if let s = sessions.take() { return s }
        switch model {
        case .encoder(let e): return .encoder(e.arena(tokens: maxTokens, threads: pool.threadCount))
        case .decoder(let d): return .decoder(d.makeSession(maxTokens: maxTokens + (zeroShot?.continuationTokens ?? 0), threads: pool.threadCount))
        }
    }

    private func returnSession(_ s: Session) {
        sessions.put(s)
    }
}

/// Idle sessions. A pthread mutex (NSLock) rather than Synchronization's Mutex, whose
/// futex-based lock ThreadSanitizer cannot see on Linux (it reported the pool as racy).
private final class SessionPool: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: [Classifier.Session] = []

    func take() -> Classifier.Session? {
        lock.lock()
        defer { lock.unlock() }
        return idle.popLast()
    }

    func put(_ s: Classifier.Session) {
        lock.lock()
        idle.append(s)
        lock.unlock()
    }
}
