import Foundation

/// How a `Classifier` loads and runs its model.
public struct ClassifierOptions: Sendable {
    /// Threads for one classification; nil uses the machine's physical cores.
    public var threads: Int?
    /// Inputs longer than this many tokens (special tokens included) are truncated, and the
    /// result says so. nil uses the model's maximum, capped at 512.
    public var maxTokens: Int?
    /// How weights are kept in memory: `.q8_0` (int8 kernels), `.f32` (BLAS), or nil for
    /// the nearest to how they are stored (float weights stay fp32, quantized ones run int8).
    public var weightType: WeightType?
    /// How the int8 path scales blocks of activations: `.powerOfTwo` (the default, faster)
    /// or `.exact` (max|x|/127 as ggml's Q8_0 quantizer, a finer rounding step). fp32 weights
    /// ignore it.
    public var activationScales: ActivationScales
    /// A PEFT LoRA adapter folder, merged into a Hugging Face model's weights at load.
    public var lora: URL?
    /// Below this top-label probability a result is marked `abstained` (its scores are still
    /// there), so the caller can hand the text to a larger model or a person.
    public var threshold: Float?
    /// Zero-shot routing with a language model: the labels to choose from, each scored by
    /// the log-probability of its words after the prompt.
    public var labels: [String]?
    /// The zero-shot prompt; `{text}` is replaced by the input and `{labels}` by the label
    /// list. nil uses the model's chat format when Sift knows it, else a plain prompt.
    public var template: String?
    /// Keep int8 weights of 2 MiB or more in transparent huge pages (Linux, where
    /// `/sys/kernel/mm/transparent_hugepage/enabled` allows `madvise`): 1-4% faster
    /// classifications of models too large for the cache, by fewer TLB misses as the products
    /// stream the weights. On some VMs it can make loading slower (the Llama-3.2-1B shape in
    /// Q8_0: 0.53-0.58 s in small pages, 0.37-1.34 s in huge ones on this project's machine):
    /// turn it off where load time counts more than latency.
    public var hugePages: Bool
    /// Time each stage (tokenize, embeddings, matrix products, attention, head) and report
    /// it in `Classification.timings`. Costs a clock read per stage.
    public var profile: Bool

    public init(threads: Int? = nil, maxTokens: Int? = nil, weightType: WeightType? = nil, lora: URL? = nil,
                threshold: Float? = nil, labels: [String]? = nil, template: String? = nil, profile: Bool = false,
                activationScales: ActivationScales = .powerOfTwo, hugePages: Bool = true) {
        self.profile = profile
        self.hugePages = hugePages
        self.activationScales = activationScales
        self.threads = threads
        self.maxTokens = maxTokens
        self.weightType = weightType
        self.lora = lora
        self.threshold = threshold
        self.labels = labels
        self.template = template
    }
}

/// The result of classifying one text.
public struct Classification: Sendable, Equatable, Codable {
    public struct LabelScore: Sendable, Equatable, Codable {
        public let label: String
        public let score: Float
    }

    /// The highest-scoring label.
    public let label: String
    /// Its score: a probability (softmax over the labels, or the label's own sigmoid for a
    /// multi-label model), or the raw value of a regression model.
    public let score: Float
    /// Every label, best first.
    public let ranked: [LabelScore]
    /// Multi-label models: every label scoring at least 0.5; otherwise just `label`.
    public let predicted: [String]
    /// The model's raw outputs in label order: logits, or for zero-shot label scoring each
    /// label's log-probability plus one constant shared by all labels (the vocabulary-wide
    /// normalizer of the first position, which is not computed: only differences matter).
    public let logits: [Float]
    /// Tokens the model read, special tokens included.
    public let tokens: Int
    /// Whether the input was cut to `maxTokens`.
    public let truncated: Bool
    /// Whether `score` fell below the options' threshold.
    public let abstained: Bool
    /// Wall time of the classification, tokenization included.
    public let seconds: Double
    /// Per-stage times, when the options ask for them.
    public var timings: StageTimings?
}

/// Why a classifier could not be made or could not classify.
public enum ClassifierError: Error, Equatable, CustomStringConvertible {
    case noLabels(String)
    case emptyInput
    case invalidOption(String)

    public var description: String {
        switch self {
        case .noLabels(let why): return why
        case .emptyInput: return "the text is empty: there is nothing to classify"
        case .invalidOption(let why): return why
        }
    }
}
