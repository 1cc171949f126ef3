// Hugging Face folder (+ PEFT LoRA) → GGUF. Names and keys follow llama.cpp where it has
// them (general.architecture, <arch>.* hyper-parameters, blk.N.* tensors, tokenizer.ggml.*,
// <arch>.classifier.output_labels, <arch>.pooling_type, cls.*); what llama.cpp has no key for
// goes under sift.*:
//   sift.family                   bert | roberta | xlm-roberta | distilbert | llama | mistral | qwen2 | qwen3 | gemma3
//   sift.hidden_act               the config's activation name
//   sift.problem_type             single_label_classification | multi_label_classification | regression
//   sift.tokenizer.json           the HF tokenizer.json, verbatim (Sift tokenizes with it)
//   sift.attention.scale          Gemma 3: query_pre_attn_scalar^-1/2
//   sift.attention.sliding_layers Gemma 3: 1 for each sliding-window layer
//   sift.rope.local_freq_base     Gemma 3: the sliding layers' RoPE base
// A decoder's score head is written as cls.output.weight.
//
// Tensors are transformed as llama.cpp's converter does, so llama.cpp reads the file the
// same way: Llama/Mistral Q and K rows permuted for adjacent-pair RoPE, Gemma norm weights
// stored as 1 + γ, RoBERTa's unused leading position rows dropped, Llama 3.1 RoPE scaling
// stored as rope_freqs.weight.
import Foundation
import SiftTokenizers

/// The storage type of a converted file's matrices (vectors and heads stay F32).
public enum ConversionType: String, Sendable, CaseIterable {
    case f32, f16, q8_0

    var ggml: GGMLType {
        switch self {
        case .f32: return .f32
        case .f16: return .f16
        case .q8_0: return .q8_0
        }
    }

    /// llama.cpp's general.file_type: ALL_F32 0, MOSTLY_F16 1, MOSTLY_Q8_0 7.
    var fileType: UInt32 {
        switch self {
        case .f32: return 0
        case .f16: return 1
        case .q8_0: return 7
        }
    }
}

/// What `Converter.convert` wrote.
public struct ConversionReport: Sendable {
    public let architecture: String
    public let tensors: Int
    public let bytes: Int
    public let labels: [String]
}

public enum Converter {
    /// Converts the model in `folder` (with `lora` merged in fp32 first) to a GGUF file.
    /// `progress(done, total)` is called after each tensor is written.
    public static func convert(folder: URL, lora: URL? = nil, type: ConversionType, to output: URL,
                               progress: ((Int, Int) -> Void)? = nil) throws -> ConversionReport {
        let configData: Data
        do { configData = try Data(contentsOf: folder.appendingPathComponent("config.json")) } catch {
            throw ModelLocationError.notAModelFolder(folder.path, missing: "config.json")
        }
        let head = try JSONDecoder().decode(HeadConfigFile.self, from: configData)
        var store = try ModelLocation.openWeights(folder: folder)
        if let lora { store = try LoRAMergedStore(base: store, adapter: LoRAAdapter(folder: lora)) }
        let isClassifier = head.architectures?.contains { $0.hasSuffix("ForSequenceClassification") } ?? false
        let labels = isClassifier
            ? try LabelSet(id2label: head.id2label, count: head.num_labels ?? head.id2label?.count, problemType: head.problem_type) : nil

        var plan = Plan(store: store, type: type)
        var writer = GGUFWriter()
        let arch: String
        if ModelRegistry.encoderTypes.contains(head.model_type) {
            let file = try JSONDecoder().decode(BertConfigFile.self, from: configData)
            let config = try BertConfig(file: file)
            arch = "bert"
            try plan.encoder(config, labels: labels, writer: &writer, activationName: file.hidden_act ?? file.activation ?? "gelu")
        } else if ModelRegistry.decoderTypes.contains(head.model_type) {
            let file = try JSONDecoder().decode(DecoderConfigFile.self, from: configData)
            let config = try DecoderConfig(file: file)
            arch = config.family.ggufArchitecture
            try plan.decoder(config, labels: labels, writer: &writer)
        } else {
            throw ModelError.unsupportedArchitecture(head.model_type, supported: ModelRegistry.supportedModelTypes)
        }
        try plan.finish()

        writer.set("general.name", .string(folder.lastPathComponent))
        writer.set("general.file_type", .uint32(type.fileType))
        writer.set("general.quantization_version", .uint32(2))
        if let labels {
            writer.set("\(arch).classifier.output_labels", .array(.string(labels.names)))
            writer.set("sift.problem_type", .string(labels.problemType.rawValue))
            // llama.cpp's LLAMA_POOLING_TYPE_RANK: a classifier head on the pooled token.
            writer.set("\(arch).pooling_type", .uint32(4))
        }
        let tokenizerURL = folder.appendingPathComponent("tokenizer.json")
        if FileManager.default.fileExists(atPath: tokenizerURL.path) {
            let json = try Data(contentsOf: tokenizerURL)
            let tokenizer = try TokenizerConfig(json: JSONParser.parse(json))
            GGMLVocabularyWriter.write(tokenizer, folder: folder, into: &writer)
            writer.set(GGUFFile.tokenizerJSONKey, .string(String(decoding: json, as: UTF8.self)))
        }
        if let chat = ZeroShotPrompt.chatTemplate(folder: folder) { writer.set("tokenizer.chat_template", .string(chat)) }
        for t in plan.tensors { try writer.addTensor(name: t.name, shape: t.shape, type: t.type, produce: t.produce) }
        try writer.write(to: output, progress: progress)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: output.path))?[.size] as? Int ?? 0
        return ConversionReport(architecture: arch, tensors: plan.tensors.count, bytes: bytes, labels: labels?.names ?? [])
    }
}

/// The tensors to write: each a GGUF name, shape, type and a function producing its bytes
/// from the source tensor (after the transform llama.cpp applies).
struct Plan {
    struct Tensor {
        let name: String
        let shape: [Int]
        let type: GGMLType
        let produce: () throws -> [UInt8]
    }

    let store: any TensorStore
    let type: ConversionType
    private(set) var tensors: [Tensor] = []
    var used = Set<String>()

    init(store: any TensorStore, type: ConversionType) {
        self.store = store
        self.type = type
    }

    /// Adds `source` as `name`, transformed by `transform` (on fp32 values, row-major), as a
    /// matrix in the conversion type or, for vectors and `keepF32`, as F32.
    mutating func add(_ source: String, as name: String, keepF32: Bool = false, transform: Transform? = nil) throws {
        guard let t = store.tensor(source) else { throw ModelError.missingTensor(source) }
        used.insert(source)
        let shape = transform?.shape(t.shape) ?? t.shape
        let isMatrix = shape.count == 2
        let target: GGMLType = !isMatrix || keepF32 ? .f32 : (shape[1] % type.ggml.blockSize == 0 ? type.ggml : .f32)
        let view = t
        tensors.append(Tensor(name: name, shape: shape, type: target) {
            var values = try view.floats()
            if let transform { values = transform.values(values, view.shape) }
            guard let bytes = target.byteCount(elements: values.count) else {
                throw ModelError.shapeMismatch(tensor: name, expected: "whole blocks", found: shape)
            }
            var out = [UInt8](repeating: 0, count: bytes)
            try values.withUnsafeBufferPointer { src in
                try out.withUnsafeMutableBytes { dst in try Quantize.row(target, from: src, into: dst) }
            }
            return out
        })
    }

    /// Adds `source` if the checkpoint has it.
    mutating func addIfPresent(_ source: String, as name: String, keepF32: Bool = false, transform: Transform? = nil) throws {
        if store.tensor(source) != nil { try add(source, as: name, keepF32: keepF32, transform: transform) }
    }

    mutating func addTensor(name: String, values: [Float]) {
        tensors.append(Tensor(name: name, shape: [values.count], type: .f32) {
            values.withUnsafeBytes { Array($0) }
        })
    }

    /// Throws if the checkpoint has tensors no role read.
    func finish() throws {
        let extra = store.tensorNames.filter {
            !used.contains($0) && !$0.hasSuffix("embeddings.position_ids") && !$0.hasSuffix("rotary_emb.inv_freq")
        }
        guard extra.isEmpty else { throw ModelError.unexpectedTensors(extra) }
    }
}

/// A change llama.cpp's converter makes to a tensor on its way into GGUF.
struct Transform: Sendable {
    let shape: @Sendable ([Int]) -> [Int]
    let values: @Sendable ([Float], [Int]) -> [Float]

    /// Rows of each head reordered from HF's half-split RoPE layout to adjacent pairs:
    /// GGUF row h·d + 2i + j holds HF row h·d + j·d/2 + i (weights [rows, in] or biases).
    static func permuteForAdjacentRoPE(heads: Int) -> Transform {
        Transform(shape: { $0 }, values: { v, shape in
            let rows = shape[0], cols = shape.count > 1 ? shape[1] : 1
            let d = rows / heads, half = d / 2
            var out = v
            for h in 0 ..< heads {
                for i in 0 ..< half {
                    for j in 0 ..< 2 {
                        let dst = (h * d + 2 * i + j) * cols, src = (h * d + j * half + i) * cols
                        for c in 0 ..< cols { out[dst + c] = v[src + c] }
                    }
                }
            }
            return out
        })
    }

    /// γ → 1 + γ (Gemma norms).
    static let addOne = Transform(shape: { $0 }, values: { v, _ in v.map { $0 + 1 } })

    /// Drops the first `n` rows (RoBERTa's position rows before padding_idx + 1).
    static func dropRows(_ n: Int) -> Transform {
        Transform(shape: { [$0[0] - n] + $0.dropFirst() }, values: { v, shape in
            let cols = shape.count > 1 ? shape[1] : 1
            return Array(v[(n * cols)...])
        })
    }
}
