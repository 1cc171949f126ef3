// tokenizer.json, as written by Hugging Face `tokenizers`, read into typed values.
// Each component is an object with a "type" field; unknown types are kept as
// `.unsupported(type)` so that building the tokenizer can name them in an error.
// (Read from `JSONValue`, not with JSONDecoder: see JSON.swift for why.)

public struct TokenizerConfig: Sendable {
    public var addedTokens: [AddedTokenConfig]
    public var normalizer: NormalizerConfig?
    public var preTokenizer: PreTokenizerConfig?
    public var model: ModelConfig
    public var postProcessor: PostProcessorConfig?
    public var truncation: TruncationConfig?

    public init(json: JSONValue) throws(TokenizerError) {
        let c = try Fields(json, "tokenizer.json")
        addedTokens = try c.list("added_tokens") { (v) throws(TokenizerError) in try AddedTokenConfig(json: v) }
        normalizer = try c.optional("normalizer").map { (v) throws(TokenizerError) in try NormalizerConfig(json: v) }
        preTokenizer = try c.optional("pre_tokenizer").map { (v) throws(TokenizerError) in try PreTokenizerConfig(json: v) }
        model = try ModelConfig(json: c.require("model"))
        postProcessor = try c.optional("post_processor").map { (v) throws(TokenizerError) in try PostProcessorConfig(json: v) }
        truncation = try c.optional("truncation").map { (v) throws(TokenizerError) in try TruncationConfig(json: v) }
    }

    public init(addedTokens: [AddedTokenConfig] = [], normalizer: NormalizerConfig? = nil,
                preTokenizer: PreTokenizerConfig? = nil, model: ModelConfig,
                postProcessor: PostProcessorConfig? = nil, truncation: TruncationConfig? = nil) {
        self.addedTokens = addedTokens
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.model = model
        self.postProcessor = postProcessor
        self.truncation = truncation
    }
}

public struct AddedTokenConfig: Sendable, Equatable {
    public var id: Int32
    public var content: String
    public var singleWord = false
    public var lstrip = false
    public var rstrip = false
    public var normalized = false
    public var special = false

    public init(id: Int32, content: String, singleWord: Bool = false, lstrip: Bool = false, rstrip: Bool = false,
                normalized: Bool = false, special: Bool = false) {
        self.id = id
        self.content = content
        self.singleWord = singleWord
        self.lstrip = lstrip
        self.rstrip = rstrip
        self.normalized = normalized
        self.special = special
    }

    init(json: JSONValue) throws(TokenizerError) {
        let c = try Fields(json, "added token")
        id = try c.id("id")
        content = try c.string("content")
        singleWord = try c.bool("single_word", default: false)
        lstrip = try c.bool("lstrip", default: false)
        rstrip = try c.bool("rstrip", default: false)
        special = try c.bool("special", default: false)
        normalized = try c.bool("normalized", default: !special)
    }
}

/// A string or a regular expression, as tokenizer.json writes patterns:
/// `{"String": " "}` or `{"Regex": "\\s+"}`.
public enum Pattern: Sendable, Equatable {
    case string(String)
    case regex(String)

    init(json: JSONValue) throws(TokenizerError) {
        if let s = json["String"]?.string {
            self = .string(s)
        } else if let r = json["Regex"]?.string {
            self = .regex(r)
        } else {
            throw .invalidConfig("a pattern needs a String or Regex member")
        }
    }
}

/// How a splitting pre-tokenizer treats the matched delimiter.
public enum SplitBehavior: String, Sendable {
    case removed = "Removed"
    case isolated = "Isolated"
    case mergedWithPrevious = "MergedWithPrevious"
    case mergedWithNext = "MergedWithNext"
    case contiguous = "Contiguous"
}

public struct TruncationConfig: Sendable, Equatable {
    public var maxLength: Int
    public var strategy: String
    public var direction: String
    public var stride: Int

    init(json: JSONValue) throws(TokenizerError) {
        let c = try Fields(json, "truncation")
        maxLength = try c.int("max_length")
        strategy = try c.string("strategy", default: "LongestFirst")
        direction = try c.string("direction", default: "Right")
        stride = try c.int("stride", default: 0)
    }
}

/// The members of a configuration object, read with typed errors that name the field.
struct Fields {
    let value: JSONValue
    let what: String

    init(_ value: JSONValue, _ what: String) throws(TokenizerError) {
        guard value.members != nil else { throw .invalidConfig("\(what) must be an object") }
        self.value = value
        self.what = what
    }

    /// A member that is present and not null.
    func optional(_ key: String) -> JSONValue? {
        guard let v = value[key], !v.isNull else { return nil }
        return v
    }

    func require(_ key: String) throws(TokenizerError) -> JSONValue {
        guard let v = optional(key) else { throw .invalidConfig("\(what) has no \(key)") }
        return v
    }

    func string(_ key: String) throws(TokenizerError) -> String {
        guard let s = try require(key).string else { throw .invalidConfig("\(what).\(key) must be a string") }
        return s
    }

    func string(_ key: String, default d: String) throws(TokenizerError) -> String {
        optional(key) == nil ? d : try string(key)
    }

    func optionalString(_ key: String) throws(TokenizerError) -> String? {
        optional(key) == nil ? nil : try string(key)
    }

    func bool(_ key: String, default d: Bool) throws(TokenizerError) -> Bool {
        guard let v = optional(key) else { return d }
        guard let b = v.bool else { throw .invalidConfig("\(what).\(key) must be true or false") }
        return b
    }

    func optionalBool(_ key: String) throws(TokenizerError) -> Bool? {
        optional(key) == nil ? nil : try bool(key, default: false)
    }

    func int(_ key: String) throws(TokenizerError) -> Int {
        guard let n = try require(key).int else { throw .invalidConfig("\(what).\(key) must be an integer") }
        return n
    }

    func int(_ key: String, default d: Int) throws(TokenizerError) -> Int {
        optional(key) == nil ? d : try int(key)
    }

    /// A token id: an integer that fits Int32 and is not negative.
    func id(_ key: String) throws(TokenizerError) -> Int32 {
        guard let n = try require(key).int, let id = Int32(exactly: n), id >= 0 else {
            throw .invalidConfig("\(what).\(key) must be a token id")
        }
        return id
    }

    func list<T>(_ key: String, _ element: (JSONValue) throws(TokenizerError) -> T) throws(TokenizerError) -> [T] {
        guard let v = optional(key) else { return [] }
        guard let items = v.array else { throw .invalidConfig("\(what).\(key) must be an array") }
        var out: [T] = []
        out.reserveCapacity(items.count)
        for item in items { out.append(try element(item)) }
        return out
    }

    /// The "type" member of a component.
    func type(_ component: String) throws(TokenizerError) -> String {
        guard let t = value["type"]?.string else { throw .invalidConfig("\(component) has no type") }
        return t
    }
}
