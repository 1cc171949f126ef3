import Foundation

/// The configuration of a BERT-family encoder: BERT (and MiniLM), RoBERTa, XLM-RoBERTa and
/// DistilBERT differ only in these values, not in code.
public struct BertConfig: Sendable, Equatable {
    public enum Family: String, Sendable { case bert, roberta, xlmRoberta = "xlm-roberta", distilbert }

    public var family: Family
    public var vocabSize: Int
    public var hiddenSize: Int
    public var layers: Int
    public var heads: Int
    public var intermediateSize: Int
    public var activation: Activation
    public var maxPositions: Int
    /// 0 when the model has no token-type embeddings (DistilBERT).
    public var typeVocabSize: Int
    public var layerNormEps: Float
    /// RoBERTa numbers positions from padding_idx + 1.
    public var positionOffset: Int

    public var headDim: Int { hiddenSize / heads }
}

/// config.json of a BERT-family model, with Hugging Face's names and defaults.
struct BertConfigFile: Decodable {
    var model_type: String
    var vocab_size: Int?
    var hidden_size: Int?
    var num_hidden_layers: Int?
    var num_attention_heads: Int?
    var intermediate_size: Int?
    var hidden_act: String?
    var max_position_embeddings: Int?
    var type_vocab_size: Int?
    var layer_norm_eps: Double?
    var pad_token_id: Int?
    var position_embedding_type: String?
    // DistilBERT's names.
    var dim: Int?
    var n_layers: Int?
    var n_heads: Int?
    var hidden_dim: Int?
    var activation: String?
}

extension BertConfig {
    /// Largest sizes Sift accepts: a config asking for more is refused before anything is
    /// allocated (a hostile or corrupt file must not make the loader reserve gigabytes).
    static let limits = (hidden: 65536, layers: 1024, vocab: 10_000_000, positions: 1 << 20)

    init(file c: BertConfigFile) throws {
        switch c.model_type {
        case "distilbert":
            family = .distilbert
            hiddenSize = try bounded(need(c.dim, "dim"), "dim", 1 ... Self.limits.hidden)
            layers = try bounded(need(c.n_layers, "n_layers"), "n_layers", 1 ... Self.limits.layers)
            heads = try bounded(need(c.n_heads, "n_heads"), "n_heads", 1 ... hiddenSize)
            intermediateSize = try bounded(need(c.hidden_dim, "hidden_dim"), "hidden_dim", 1 ... Self.limits.hidden * 8)
            let act = c.activation ?? "gelu"
            guard let a = Activation(huggingFace: act) else { throw ModelError.invalidValue(key: "activation", value: act, expected: "gelu or relu") }
            activation = a
            typeVocabSize = 0
            layerNormEps = 1e-12
            // With sinusoidal_pos_embds the table is still stored as position_embeddings,
            // so inference is the same either way.
            positionOffset = 0
        case "bert", "roberta", "xlm-roberta", "camembert":
            family = c.model_type == "bert" ? .bert : c.model_type == "roberta" ? .roberta : .xlmRoberta
            hiddenSize = try bounded(need(c.hidden_size, "hidden_size"), "hidden_size", 1 ... Self.limits.hidden)
            layers = try bounded(need(c.num_hidden_layers, "num_hidden_layers"), "num_hidden_layers", 1 ... Self.limits.layers)
            heads = try bounded(need(c.num_attention_heads, "num_attention_heads"), "num_attention_heads", 1 ... hiddenSize)
            intermediateSize = try bounded(need(c.intermediate_size, "intermediate_size"), "intermediate_size", 1 ... Self.limits.hidden * 8)
            let act = c.hidden_act ?? "gelu"
            guard let a = Activation(huggingFace: act) else {
                throw ModelError.invalidValue(key: "hidden_act", value: act, expected: "gelu, gelu_new, relu, silu or tanh")
            }
            activation = a
            typeVocabSize = try bounded(c.type_vocab_size ?? 2, "type_vocab_size", 0 ... 1024)
            layerNormEps = Float(c.layer_norm_eps ?? 1e-12)
            positionOffset = family == .bert ? 0 : (c.pad_token_id ?? 1) + 1
            if let kind = c.position_embedding_type, kind != "absolute" {
                throw ModelError.invalidValue(key: "position_embedding_type", value: kind, expected: "absolute")
            }
        default:
            throw ModelError.unsupportedArchitecture(c.model_type, supported: ModelRegistry.supportedModelTypes)
        }
        vocabSize = try bounded(need(c.vocab_size, "vocab_size"), "vocab_size", 1 ... Self.limits.vocab)
        maxPositions = try bounded(need(c.max_position_embeddings, "max_position_embeddings"), "max_position_embeddings", 1 ... Self.limits.positions)
        guard hiddenSize % heads == 0 else {
            throw ModelError.invalidValue(key: "num_attention_heads", value: "\(heads)", expected: "a divisor of the hidden size \(hiddenSize)")
        }
    }
}
