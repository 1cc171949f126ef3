import CSiftKernels
import Foundation

/// The architectures Sift runs, keyed by config.json's `model_type`.
enum ModelRegistry {
    static let encoderTypes = ["bert", "roberta", "xlm-roberta", "camembert", "distilbert"]
    static let decoderTypes = DecoderConfig.modelTypes
    static let supportedModelTypes = encoderTypes + decoderTypes

    /// Loads the model of a Hugging Face folder (config.json and safetensors), with a PEFT
    /// LoRA adapter merged into the weights if `lora` is given.
    static func load(folder: URL, weightType: WeightType?, lora: URL? = nil, activationScales: ActivationScales = .powerOfTwo,
                     hugePages: Bool = true) throws -> LoadedModel {
        let data: Data
        do { data = try Data(contentsOf: folder.appendingPathComponent("config.json")) } catch {
            throw ModelLocationError.notAModelFolder(folder.path, missing: "config.json")
        }
        let head: HeadConfigFile, modelType: String
        do {
            head = try JSONDecoder().decode(HeadConfigFile.self, from: data)
            modelType = head.model_type
        } catch {
            throw ModelError.invalidValue(key: "config.json", value: "unreadable", expected: "a Hugging Face config with model_type (\(error))")
        }
        var store = try ModelLocation.openWeights(folder: folder)
        if let lora { store = try LoRAMergedStore(base: store, adapter: LoRAAdapter(folder: lora)) }
        let loader = WeightLoader(store, weightType: weightType, activationScales: activationScales, hugePages: hugePages)
        let isClassifier = head.architectures?.contains { $0.hasSuffix("ForSequenceClassification") } ?? false
        let labels = isClassifier
            ? try LabelSet(id2label: head.id2label, count: head.num_labels ?? head.id2label?.count, problemType: head.problem_type) : nil

        if encoderTypes.contains(modelType) {
            let config = try BertConfig(file: decode(BertConfigFile.self, data))
            // BertModel checkpoints have no prefix; task models nest the encoder under its name.
            let prefix = ["bert.", "roberta.", "distilbert.", ""].first {
                loader.contains($0 + "embeddings.word_embeddings.weight")
            } ?? ""
            let encoder = try BertEncoder(config: config, names: .huggingFace(config.family, prefix: prefix), loader: loader)
            let model: EncoderClassifier
            if let labels {
                let h = try EncoderHead(family: config.family, names: .huggingFace(config.family, prefix: prefix),
                                        hidden: config.hiddenSize, labels: labels.names.count, loader: loader)
                model = EncoderClassifier(encoder: encoder, head: h, pooler: nil, labels: labels)
            } else {
                let pooler = loader.contains(prefix + "pooler.dense.weight")
                    ? try loader.linear(prefix + "pooler.dense", out: config.hiddenSize, in: config.hiddenSize, bias: true, as: .f32) : nil
                model = EncoderClassifier(encoder: encoder, head: nil, pooler: pooler, labels: nil)
            }
            // position_ids is a buffer transformers saves, not a weight; a bare BertModel
            // fine-tuned for embeddings may carry heads it does not use.
            try loader.finish { $0.hasSuffix("embeddings.position_ids") }
            return .encoder(model)
        }
        if decoderTypes.contains(modelType) {
            let config = try DecoderConfig(file: decode(DecoderConfigFile.self, data))
            let names = DecoderTensorNames.huggingFace(config.family)
            let decoder = try TransformerDecoder(config: config, names: names, ropeLayout: .halfSplit, loader: loader)
            let h = try DecoderClassifier.loadHead(config: config, names: names, labels: labels, loader: loader)
            try loader.finish { $0.hasSuffix("rotary_emb.inv_freq") }
            return .decoder(DecoderClassifier(decoder: decoder, head: h, labels: labels))
        }
        throw ModelError.unsupportedArchitecture(modelType, supported: supportedModelTypes)
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        do { return try JSONDecoder().decode(type, from: data) } catch let error as DecodingError {
            throw ModelError.invalidValue(key: "config.json", value: "unreadable", expected: "\(T.self): \(describe(error))")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c), .dataCorrupted(let c):
            let path = c.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? c.debugDescription : "\(path): \(c.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

/// The task-level fields of config.json.
struct HeadConfigFile: Decodable {
    var model_type: String
    var id2label: [String: String]?
    var num_labels: Int?
    var problem_type: String?
    var architectures: [String]?
}

/// A loaded model: an encoder or a decoder with its head.
enum LoadedModel: Sendable {
    case encoder(EncoderClassifier)
    case decoder(DecoderClassifier)
}

/// An encoder with its classification head (or a bare encoder's pooler). Immutable and
/// thread-safe; each call brings its own arena.
final class EncoderClassifier: @unchecked Sendable {
    let encoder: BertEncoder
    let head: EncoderHead?
    /// A bare BertModel's pooler (dense + tanh on [CLS]), for its pooled output.
    let pooler: Linear?
    let labels: LabelSet?

    init(encoder: BertEncoder, head: EncoderHead?, pooler: Linear?, labels: LabelSet?) {
        self.encoder = encoder
        self.head = head
        self.pooler = pooler
        self.labels = labels
    }

    /// Scratch for one pass over at most `tokens` tokens on `threads` threads.
    func arena(tokens: Int, threads: Int) -> Arena {
        Arena(bytes: encoder.scratchBytes(rows: tokens, count: 1, longest: tokens, threads: threads) + headBytes(rows: 1))
    }

    /// Scratch for a packed batch.
    func arena(batch: PackedBatch, threads: Int) -> Arena {
        Arena(bytes: encoder.scratchBytes(rows: batch.rows, count: batch.count, longest: batch.longest, threads: threads)
            + headBytes(rows: batch.count))
    }

    private func headBytes(rows: Int) -> Int {
        let h = encoder.config.hiddenSize, labels = head?.out.outFeatures ?? h
        // dense and logits rows, and the int8 scratch of the dense layer's input.
        return rows * (h + labels) * 4 + (rows * (h / 32 + 2)) * MemoryLayout<sk_block_q8_a>.stride + 4 * 64
    }

    /// Final hidden states [tokens, hidden].
    func hiddenStates(ids: [Int32], typeIds: [Int32], arena: Arena, pool: ThreadPool) throws -> [Float] {
        arena.reset()
        return try encoder.forward(ids: ids, typeIds: typeIds, arena: arena, pool: pool).array
    }

    /// A bare encoder's pooled output: tanh(pooler(h[0])).
    func pooledOutput(ids: [Int32], typeIds: [Int32], arena: Arena, pool: ThreadPool) throws -> [Float] {
        guard let pooler else { throw ModelError.missingTensor("pooler.dense.weight") }
        arena.reset()
        let first = try encoder.forward(PackedBatch([(ids, typeIds)]), firstRowsOnly: true, arena: arena, pool: pool)
        let out = try arena.matrix(rows: 1, cols: pooler.outFeatures)
        let scratch = try arena.allocate(sk_block_q8_a.self, count: pooler.quantizedBlocks(rows: 1))
        pooler(first, into: out, scratch: scratch, pool: pool)
        Activation.tanh.apply(out, pool: pool)
        return out.array
    }

    /// The head's logits for one sequence.
    func logits(ids: [Int32], typeIds: [Int32], arena: Arena, pool: ThreadPool) throws -> [Float] {
        try logits(PackedBatch([(ids, typeIds)]), arena: arena, pool: pool)[0]
    }

    /// The head's logits for each sequence of a packed batch, from its first token's final
    /// hidden state (the only rows the last layer computes past its keys and values).
    func logits(_ batch: PackedBatch, arena: Arena, pool: ThreadPool) throws -> [[Float]] {
        guard let head else { throw ModelError.missingTensor("classifier (the model has no classification head)") }
        arena.reset()
        let first = try encoder.forward(batch, firstRowsOnly: true, arena: arena, pool: pool)
        return try StageProfiler.measure(\.head) { try head(first, arena: arena, pool: pool) }
    }
}
