// Models from GGUF files: hyper-parameters from `<arch>.*` metadata as llama.cpp writes
// them, tensors by llama.cpp's names, and what llama.cpp has no key for under `sift.*`
// (written by `sift convert`; files from other converters fall back to llama.cpp's rules).
import Foundation

/// Metadata reads that throw naming the key.
struct GGUFMetadata {
    let file: GGUFFile
    let arch: String

    func int(_ key: String) -> Int? { file[key]?.int }
    func double(_ key: String) -> Double? { file[key]?.double }
    func string(_ key: String) -> String? { file[key]?.string }

    func required(_ key: String) throws -> Int {
        guard let v = file[key] else { throw ModelError.missingKey("\(key) (GGUF metadata)") }
        guard let i = v.int else { throw ModelError.invalidValue(key: key, value: "\(v)", expected: "an integer") }
        return i
    }

    func arch(_ suffix: String) -> String { "\(arch).\(suffix)" }
}

extension ModelRegistry {
    static let ggufEncoderArchitectures = ["bert"]
    static let ggufDecoderArchitectures = ["llama", "qwen2", "qwen3", "gemma3"]

    /// Loads the model in a GGUF file.
    static func load(gguf file: GGUFFile, weightType: WeightType?, activationScales: ActivationScales = .powerOfTwo,
                     hugePages: Bool = true) throws -> LoadedModel {
        guard let arch = file.architecture else { throw ModelError.missingKey("general.architecture (GGUF metadata)") }
        let meta = GGUFMetadata(file: file, arch: arch)
        let loader = WeightLoader(file, weightType: weightType, activationScales: activationScales, hugePages: hugePages)
        let labelNames = file[meta.arch("classifier.output_labels")]?.array?.strings
        let problemType = meta.string("sift.problem_type")

        if ggufEncoderArchitectures.contains(arch) {
            let config = try BertConfig(gguf: meta)
            let encoder = try BertEncoder(config: config, names: .gguf, loader: loader)
            var head: EncoderHead?, labels: LabelSet?
            if loader.contains(EncoderHead.Names.gguf.out + ".weight") {
                let rows = file.tensorInfo(EncoderHead.Names.gguf.out + ".weight")?.shape.first ?? 0
                labels = try LabelSet(names: labelNames, count: rows, problemType: problemType)
                head = try EncoderHead(family: config.family, names: .gguf, hidden: config.hiddenSize,
                                       labels: rows, loader: loader)
            }
            try loader.finish()
            return .encoder(EncoderClassifier(encoder: encoder, head: head, pooler: nil, labels: labels))
        }
        if ggufDecoderArchitectures.contains(arch) {
            let config = try DecoderConfig(gguf: meta, loader: loader)
            let names = DecoderTensorNames.gguf
            // llama.cpp permutes Llama's Q/K rows for adjacent-pair RoPE; Qwen and Gemma use
            // the half-split ("NEOX") form unpermuted.
            let layout: RoPE.Layout = arch == "llama" ? .adjacentPairs : .halfSplit
            let factors = loader.contains("rope_freqs.weight") ? try loader.vector("rope_freqs.weight", count: config.headDim / 2) : nil
            let decoder = try TransformerDecoder(config: config, names: names, ropeLayout: layout, ropeFactors: factors, loader: loader)
            var labels: LabelSet?
            if loader.contains(names.score + ".weight") {
                let rows = file.tensorInfo(names.score + ".weight")?.shape.first ?? 0
                labels = try LabelSet(names: labelNames, count: rows, problemType: problemType)
            }
            let head = try DecoderClassifier.loadHead(config: config, names: names, labels: labels, loader: loader)
            try loader.finish()
            return .decoder(DecoderClassifier(decoder: decoder, head: head, labels: labels))
        }
        throw ModelError.unsupportedArchitecture(arch, supported: ggufEncoderArchitectures + ggufDecoderArchitectures)
    }
}

extension LabelSet {
    /// Labels from a GGUF file: names from `<arch>.classifier.output_labels` (LABEL_i when
    /// absent), as many as the head has rows.
    init(names: [String]?, count: Int, problemType: String?) throws {
        if let names, names.count != count {
            throw ModelError.configMismatch("classifier.output_labels has \(names.count) labels, the head has \(count) outputs")
        }
        var map: [String: String] = [:]
        for (i, n) in (names ?? []).enumerated() { map["\(i)"] = n }
        try self.init(id2label: map, count: count, problemType: problemType)
    }
}

extension BertConfig {
    init(gguf m: GGUFMetadata) throws {
        let familyName = m.string("sift.family") ?? "bert"
        guard let family = Family(rawValue: familyName) else {
            throw ModelError.invalidValue(key: "sift.family", value: familyName, expected: "bert, roberta, xlm-roberta or distilbert")
        }
        self.family = family
        hiddenSize = try bounded(m.required(m.arch("embedding_length")), m.arch("embedding_length"), 1 ... Self.limits.hidden)
        layers = try bounded(m.required(m.arch("block_count")), m.arch("block_count"), 1 ... Self.limits.layers)
        heads = try bounded(m.required(m.arch("attention.head_count")), m.arch("attention.head_count"), 1 ... hiddenSize)
        intermediateSize = try bounded(m.required(m.arch("feed_forward_length")), m.arch("feed_forward_length"), 1 ... Self.limits.hidden * 8)
        guard hiddenSize % heads == 0 else {
            throw ModelError.invalidValue(key: m.arch("attention.head_count"), value: "\(heads)", expected: "a divisor of \(hiddenSize)")
        }
        let act = m.string("sift.hidden_act") ?? "gelu"
        guard let a = Activation(huggingFace: act) else { throw ModelError.invalidValue(key: "sift.hidden_act", value: act, expected: "gelu, relu, …") }
        activation = a
        layerNormEps = Float(m.double(m.arch("attention.layer_norm_epsilon")) ?? 1e-12)
        guard let embeddings = m.file.tensorInfo("token_embd.weight"), embeddings.shape.count == 2 else {
            throw ModelError.missingTensor("token_embd.weight")
        }
        vocabSize = try bounded(embeddings.shape[0], "token_embd.weight rows", 1 ... Self.limits.vocab)
        guard let positions = m.file.tensorInfo("position_embd.weight"), positions.shape.count == 2 else {
            throw ModelError.missingTensor("position_embd.weight")
        }
        // llama.cpp drops RoBERTa's unused leading position rows, so positions start at 0.
        maxPositions = try bounded(positions.shape[0], "position_embd.weight rows", 1 ... Self.limits.positions)
        positionOffset = 0
        typeVocabSize = m.file.tensorInfo("token_types.weight")?.shape.first ?? 0
    }
}

extension DecoderConfig {
    init(gguf m: GGUFMetadata, loader: WeightLoader) throws {
        let familyName = m.string("sift.family") ?? m.arch
        guard let family = Family(rawValue: familyName) else {
            throw ModelError.invalidValue(key: "sift.family", value: familyName, expected: Family.allCases.map(\.rawValue).joined(separator: ", "))
        }
        self.family = family
        let gemma = family == .gemma3
        hiddenSize = try bounded(m.required(m.arch("embedding_length")), m.arch("embedding_length"), 1 ... Self.limits.hidden)
        intermediateSize = try bounded(m.required(m.arch("feed_forward_length")), m.arch("feed_forward_length"), 1 ... Self.limits.hidden * 8)
        layers = try bounded(m.required(m.arch("block_count")), m.arch("block_count"), 1 ... Self.limits.layers)
        heads = try bounded(m.required(m.arch("attention.head_count")), m.arch("attention.head_count"), 1 ... Self.limits.heads)
        kvHeads = try bounded(m.int(m.arch("attention.head_count_kv")) ?? heads, m.arch("attention.head_count_kv"), 1 ... heads)
        guard heads % kvHeads == 0 else {
            throw ModelError.invalidValue(key: m.arch("attention.head_count_kv"), value: "\(kvHeads)", expected: "a divisor of \(heads)")
        }
        if let d = m.int(m.arch("attention.key_length")) {
            headDim = try bounded(d, m.arch("attention.key_length"), 2 ... 4096)
        } else {
            guard hiddenSize % heads == 0 else { throw ModelError.missingKey(m.arch("attention.key_length")) }
            headDim = hiddenSize / heads
        }
        guard headDim % 2 == 0 else { throw ModelError.invalidValue(key: "head dimension", value: "\(headDim)", expected: "an even number") }
        guard let embeddings = m.file.tensorInfo("token_embd.weight"), embeddings.shape.count == 2 else {
            throw ModelError.missingTensor("token_embd.weight")
        }
        vocabSize = try bounded(embeddings.shape[0], "token_embd.weight rows", 1 ... Self.limits.vocab)
        let act = m.string("sift.hidden_act") ?? (gemma ? "gelu_pytorch_tanh" : "silu")
        guard let a = Activation(huggingFace: act) else { throw ModelError.invalidValue(key: "sift.hidden_act", value: act, expected: "silu or gelu_pytorch_tanh") }
        activation = a
        normEps = Float(m.double(m.arch("attention.layer_norm_rms_epsilon")) ?? 1e-6)
        // llama.cpp's converter bakes Gemma's +1 into the stored norm weights.
        normWeightOffset = 0
        maxPositions = try bounded(m.int(m.arch("context_length")) ?? 2048, m.arch("context_length"), 1 ... Self.limits.positions)
        ropeTheta = m.double(m.arch("rope.freq_base")) ?? (gemma ? 1_000_000 : 10_000)
        switch m.string(m.arch("rope.scaling.type")) {
        case nil, "none": ropeScaling = nil
        case "linear":
            guard let f = m.double(m.arch("rope.scaling.factor")), f > 0 else { throw ModelError.missingKey(m.arch("rope.scaling.factor")) }
            ropeScaling = RoPEScaling(kind: .linear, factor: f)
        case let other?:
            throw ModelError.invalidValue(key: m.arch("rope.scaling.type"), value: other, expected: "none or linear")
        }
        localRopeTheta = gemma ? (m.double("sift.rope.local_freq_base") ?? 10_000) : nil
        var windows = [Int?](repeating: nil, count: layers)
        if let w = m.int(m.arch("attention.sliding_window")), w > 0 {
            if let flags = m.file["sift.attention.sliding_layers"]?.array?.ints {
                guard flags.count == layers else {
                    throw ModelError.invalidValue(key: "sift.attention.sliding_layers", value: "\(flags.count) entries", expected: "one per layer")
                }
                for (i, f) in flags.enumerated() where f != 0 { windows[i] = w }
            } else if gemma {
                // llama.cpp's rule for Gemma 3: every sixth layer is global.
                for i in 0 ..< layers where (i + 1) % 6 != 0 { windows[i] = w }
            } else {
                windows = [Int?](repeating: w, count: layers)
            }
        }
        slidingWindows = windows
        attentionBias = loader.contains("blk.0.attn_q.bias")
        outputBias = loader.contains("blk.0.attn_output.bias")
        mlpBias = loader.contains("blk.0.ffn_up.bias")
        queryKeyNorm = loader.contains("blk.0.attn_q_norm.weight")
        sandwichNorms = gemma
        embeddingScale = gemma ? Float(hiddenSize).squareRoot() : nil
        attentionScale = m.double("sift.attention.scale").map(Float.init) ?? 1 / Float(headDim).squareRoot()
        finalLogitSoftcap = m.double(m.arch("final_logit_softcapping")).map(Float.init)
        attentionLogitSoftcap = m.double(m.arch("attn_logit_softcapping")).map(Float.init)
        tieWordEmbeddings = !loader.contains("output.weight")
        padTokenId = m.int("tokenizer.ggml.padding_token_id")
        try checkSoftcaps()
    }
}
