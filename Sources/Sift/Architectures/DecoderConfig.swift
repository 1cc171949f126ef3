import Foundation

/// The configuration of a decoder-only transformer. Llama (2, 3.x, SmolLM2), Mistral,
/// Qwen2/2.5, Qwen3 and Gemma 3 differ only in these values, not in code.
public struct DecoderConfig: Sendable, Equatable {
    public enum Family: String, Sendable, CaseIterable {
        case llama, mistral, qwen2, qwen3, gemma3

        /// llama.cpp's `general.architecture` for the family.
        var ggufArchitecture: String { self == .mistral ? "llama" : rawValue }
    }

    public var family: Family
    public var vocabSize: Int
    public var hiddenSize: Int
    public var layers: Int
    public var heads: Int
    public var kvHeads: Int
    public var headDim: Int
    public var intermediateSize: Int
    /// The MLP's gate activation: SiLU (SwiGLU) or tanh-GELU (GeGLU).
    public var activation: Activation
    public var normEps: Float
    /// Gemma's RMSNorm scales by (1 + γ); the others by γ.
    public var normWeightOffset: Float
    public var maxPositions: Int
    public var ropeTheta: Double
    public var ropeScaling: RoPEScaling?
    /// Gemma 3's sliding-window layers use their own base, without scaling.
    public var localRopeTheta: Double?
    /// Per layer: the attention window, or nil for global attention.
    public var slidingWindows: [Int?]
    /// Biases on q, k, v (Qwen2; Llama with attention_bias).
    public var attentionBias: Bool
    /// A bias on o_proj (Llama with attention_bias).
    public var outputBias: Bool
    /// Biases on the MLP (Llama with mlp_bias).
    public var mlpBias: Bool
    /// RMSNorm of each head's q and k before RoPE (Qwen3, Gemma 3).
    public var queryKeyNorm: Bool
    /// Norms after attention and after the MLP, before the residual add (Gemma 3).
    public var sandwichNorms: Bool
    /// Embeddings are multiplied by √hidden (Gemma).
    public var embeddingScale: Float?
    /// Attention scores are q·k · attentionScale (1/√headDim unless the config says).
    public var attentionScale: Float
    /// Gemma's tanh soft-capping of the LM head's logits.
    public var finalLogitSoftcap: Float?
    public var attentionLogitSoftcap: Float?
    public var tieWordEmbeddings: Bool
    public var padTokenId: Int?

    public var queryWidth: Int { heads * headDim }
    public var kvWidth: Int { kvHeads * headDim }
}

/// config.json of a decoder, with Hugging Face's names. Optional fields have the
/// defaults transformers gives them, applied in `DecoderConfig.init(file:)`.
struct DecoderConfigFile: Decodable {
    struct Rope: Decodable {
        var rope_type: String?
        var type: String?
        var factor: Double?
        var low_freq_factor: Double?
        var high_freq_factor: Double?
        var original_max_position_embeddings: Int?
        var rope_theta: Double?
    }

    /// transformers 5 nests RoPE settings under `rope_parameters`, per layer type for Gemma 3.
    enum RopeParameters: Decodable {
        case single(Rope)
        case perLayerType([String: Rope])

        init(from decoder: any Decoder) throws {
            if let byType = try? [String: Rope](from: decoder), byType.keys.allSatisfy({ $0.hasSuffix("attention") }), !byType.isEmpty {
                self = .perLayerType(byType)
            } else {
                self = .single(try Rope(from: decoder))
            }
        }
    }

    var model_type: String
    var vocab_size: Int?
    var hidden_size: Int?
    var intermediate_size: Int?
    var num_hidden_layers: Int?
    var num_attention_heads: Int?
    var num_key_value_heads: Int?
    var head_dim: Int?
    var hidden_act: String?
    var hidden_activation: String?
    var rms_norm_eps: Double?
    var max_position_embeddings: Int?
    var rope_theta: Double?
    var rope_scaling: Rope?
    var rope_parameters: RopeParameters?
    var rope_local_base_freq: Double?
    var sliding_window: Int?
    var use_sliding_window: Bool?
    var max_window_layers: Int?
    var sliding_window_pattern: Int?
    var layer_types: [String]?
    var attention_bias: Bool?
    var mlp_bias: Bool?
    var query_pre_attn_scalar: Double?
    var final_logit_softcapping: Double?
    var attn_logit_softcapping: Double?
    var tie_word_embeddings: Bool?
    var pad_token_id: Int?
}

extension DecoderConfig {
    static let modelTypes = ["llama", "mistral", "qwen2", "qwen3", "gemma3_text", "gemma3"]

    /// Largest sizes Sift accepts: a config asking for more is refused before anything is
    /// allocated.
    static let limits = (hidden: 65536, layers: 1024, vocab: 10_000_000, positions: 1 << 24, heads: 1024)

    init(file c: DecoderConfigFile) throws {
        switch c.model_type {
        case "llama": family = .llama
        case "mistral": family = .mistral
        case "qwen2": family = .qwen2
        case "qwen3": family = .qwen3
        case "gemma3_text", "gemma3": family = .gemma3
        default: throw ModelError.unsupportedArchitecture(c.model_type, supported: ModelRegistry.supportedModelTypes)
        }
        let gemma = family == .gemma3
        vocabSize = try bounded(need(c.vocab_size, "vocab_size"), "vocab_size", 1 ... Self.limits.vocab)
        hiddenSize = try bounded(need(c.hidden_size, "hidden_size"), "hidden_size", 1 ... Self.limits.hidden)
        intermediateSize = try bounded(need(c.intermediate_size, "intermediate_size"), "intermediate_size", 1 ... Self.limits.hidden * 8)
        layers = try bounded(need(c.num_hidden_layers, "num_hidden_layers"), "num_hidden_layers", 1 ... Self.limits.layers)
        heads = try bounded(need(c.num_attention_heads, "num_attention_heads"), "num_attention_heads", 1 ... Self.limits.heads)
        kvHeads = try bounded(c.num_key_value_heads ?? heads, "num_key_value_heads", 1 ... heads)
        guard heads % kvHeads == 0 else {
            throw ModelError.invalidValue(key: "num_key_value_heads", value: "\(kvHeads)", expected: "a divisor of num_attention_heads \(heads)")
        }
        if let d = c.head_dim {
            headDim = try bounded(d, "head_dim", 2 ... 4096)
        } else {
            guard hiddenSize % heads == 0 else {
                throw ModelError.invalidValue(key: "num_attention_heads", value: "\(heads)", expected: "a divisor of hidden_size \(hiddenSize)")
            }
            headDim = hiddenSize / heads
        }
        guard headDim % 2 == 0 else { throw ModelError.invalidValue(key: "head_dim", value: "\(headDim)", expected: "an even number (RoPE)") }
        let act = c.hidden_activation ?? c.hidden_act ?? (gemma ? "gelu_pytorch_tanh" : "silu")
        guard let a = Activation(huggingFace: act) else {
            throw ModelError.invalidValue(key: "hidden_act", value: act, expected: "silu, gelu or gelu_pytorch_tanh")
        }
        activation = a
        normEps = Float(c.rms_norm_eps ?? 1e-6)
        normWeightOffset = gemma ? 1 : 0
        maxPositions = try bounded(c.max_position_embeddings ?? 2048, "max_position_embeddings", 1 ... Self.limits.positions)

        // RoPE: old-style keys, or transformers 5's rope_parameters.
        var global: DecoderConfigFile.Rope? = c.rope_scaling
        var local: DecoderConfigFile.Rope?
        switch c.rope_parameters {
        case .single(let r)?: global = r
        case .perLayerType(let byType)?:
            global = byType["full_attention"]
            local = byType["sliding_attention"]
        case nil: break
        }
        ropeTheta = global?.rope_theta ?? c.rope_theta ?? (gemma ? 1_000_000 : 10_000)
        ropeScaling = try global.flatMap { try RoPEScaling(huggingFace: $0) }
        localRopeTheta = gemma ? (local?.rope_theta ?? c.rope_local_base_freq ?? 10_000) : nil

        // Which layers use a sliding window.
        var windows = [Int?](repeating: nil, count: layers)
        if let w = c.sliding_window, w > 0 {
            let window = try bounded(w, "sliding_window", 1 ... Self.limits.positions)
            if let types = c.layer_types {
                guard types.count == layers else {
                    throw ModelError.invalidValue(key: "layer_types", value: "\(types.count) entries", expected: "one per layer (\(layers))")
                }
                for (i, t) in types.enumerated() {
                    switch t {
                    case "sliding_attention": windows[i] = window
                    case "full_attention": break
                    default: throw ModelError.invalidValue(key: "layer_types[\(i)]", value: t, expected: "sliding_attention or full_attention")
                    }
                }
            } else if gemma {
                // Older Gemma 3 configs: every `pattern`-th layer is global.
                let pattern = c.sliding_window_pattern ?? 6
                for i in 0 ..< layers where (i + 1) % pattern != 0 { windows[i] = window }
            } else if family == .qwen2 {
                if c.use_sliding_window == true {
                    let from = c.max_window_layers ?? layers
                    for i in from ..< max(from, layers) { windows[i] = window }
                }
            } else if family == .mistral {
                windows = [Int?](repeating: window, count: layers)
            }
        }
        slidingWindows = windows

        attentionBias = family == .qwen2 || (c.attention_bias ?? false)
        outputBias = (family == .llama || family == .mistral) && (c.attention_bias ?? false)
        mlpBias = c.mlp_bias ?? false
        queryKeyNorm = family == .qwen3 || gemma
        sandwichNorms = gemma
        embeddingScale = gemma ? Float(hiddenSize).squareRoot() : nil
        let scalar = gemma ? (c.query_pre_attn_scalar ?? 256) : Double(headDim)
        attentionScale = Float(1 / scalar.squareRoot())
        finalLogitSoftcap = c.final_logit_softcapping.map(Float.init)
        attentionLogitSoftcap = c.attn_logit_softcapping.map(Float.init)
        tieWordEmbeddings = c.tie_word_embeddings ?? (gemma ? true : false)
        padTokenId = c.pad_token_id
        try checkSoftcaps()
    }

    /// Softcaps, when given, must be positive and finite: cap · tanh(x / cap) is NaN for 0.
    func checkSoftcaps() throws {
        for (key, cap) in [("attn_logit_softcapping", attentionLogitSoftcap), ("final_logit_softcapping", finalLogitSoftcap)] {
            if let cap, !(cap > 0 && cap.isFinite) {
                throw ModelError.invalidValue(key: key, value: "\(cap)", expected: "a positive number")
            }
        }
    }
}

extension RoPEScaling {
    /// `rope_scaling` / `rope_parameters` of a config; nil for the default (no scaling).
    init?(huggingFace r: DecoderConfigFile.Rope) throws {
        let type = r.rope_type ?? r.type ?? "default"
        switch type {
        case "default": return nil
        case "linear":
            guard let f = r.factor, f > 0 else { throw ModelError.invalidValue(key: "rope_scaling.factor", value: "\(r.factor.map { "\($0)" } ?? "missing")", expected: "a positive number") }
            self.init(kind: .linear, factor: f)
        case "llama3":
            guard let f = r.factor, f > 0, let low = r.low_freq_factor, let high = r.high_freq_factor, high > low,
                  let original = r.original_max_position_embeddings, original > 0 else {
                throw ModelError.invalidValue(key: "rope_scaling", value: "llama3", expected: "factor, low_freq_factor < high_freq_factor and original_max_position_embeddings")
            }
            self.init(kind: .llama3(lowFrequencyFactor: low, highFrequencyFactor: high, originalContext: original), factor: f)
        default:
            throw ModelError.invalidValue(key: "rope_scaling.rope_type", value: type, expected: "default, linear or llama3")
        }
    }
}
