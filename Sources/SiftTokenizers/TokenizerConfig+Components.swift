// The component configurations of tokenizer.json, read from parsed JSON.

public indirect enum NormalizerConfig: Sendable {
    case bert(cleanText: Bool, handleChineseChars: Bool, stripAccents: Bool?, lowercase: Bool)
    case nfc, nfd, nfkc, nfkd, lowercase, stripAccents
    case strip(left: Bool, right: Bool)
    case replace(pattern: Pattern, content: String)
    case prepend(String)
    /// SentencePiece's compiled normalization rules, base64 as stored in tokenizer.json.
    case precompiled(String)
    case sequence([NormalizerConfig])
    case unsupported(String)

    init(json: JSONValue) throws(TokenizerError) {
        let c = try Fields(json, "normalizer")
        let type = try c.type("normalizer")
        switch type {
        case "BertNormalizer":
            self = .bert(cleanText: try c.bool("clean_text", default: true),
                         handleChineseChars: try c.bool("handle_chinese_chars", default: true),
                         stripAccents: try c.optionalBool("strip_accents"), lowercase: try c.bool("lowercase", default: true))
        case "NFC": self = .nfc
        case "NFD": self = .nfd
        case "NFKC": self = .nfkc
        case "NFKD": self = .nfkd
        case "Lowercase": self = .lowercase
        case "StripAccents": self = .stripAccents
        case "Strip": self = .strip(left: try c.bool("strip_left", default: true), right: try c.bool("strip_right", default: true))
        case "Replace": self = .replace(pattern: try Pattern(json: c.require("pattern")), content: try c.string("content"))
        case "Prepend": self = .prepend(try c.string("prepend"))
        case "Precompiled": self = .precompiled(try c.string("precompiled_charsmap", default: ""))
        case "Sequence": self = .sequence(try c.list("normalizers") { (v) throws(TokenizerError) in try NormalizerConfig(json: v) })
        default: self = .unsupported(type)
        }
    }
}

/// When Metaspace puts its replacement character in front of the text.
public enum PrependScheme: String, Sendable {
    case always, never, first
}

public indirect enum PreTokenizerConfig: Sendable {
    case bert
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)
    case split(pattern: Pattern, behavior: SplitBehavior, invert: Bool)
    case metaspace(replacement: Character, prependScheme: PrependScheme, split: Bool)
    case punctuation(SplitBehavior)
    case digits(individual: Bool)
    case whitespace, whitespaceSplit
    case sequence([PreTokenizerConfig])
    case unsupported(String)

    init(json: JSONValue) throws(TokenizerError) {
        let c = try Fields(json, "pre-tokenizer")
        let type = try c.type("pre-tokenizer")
        func behavior(_ key: String, default d: SplitBehavior?) throws(TokenizerError) -> SplitBehavior {
            guard let name = try c.optionalString(key) else {
                guard let d else { throw .invalidConfig("\(type) has no \(key)") }
                return d
            }
            guard let b = SplitBehavior(rawValue: name) else { throw .unsupported(component: "split behavior", type: name) }
            return b
        }
        switch type {
        case "BertPreTokenizer": self = .bert
        case "ByteLevel":
            self = .byteLevel(addPrefixSpace: try c.bool("add_prefix_space", default: true), useRegex: try c.bool("use_regex", default: true))
        case "Split":
            self = .split(pattern: try Pattern(json: c.require("pattern")), behavior: try behavior("behavior", default: nil),
                          invert: try c.bool("invert", default: false))
        case "Metaspace":
            var replacement = "▁"
            if let r = try c.optionalString("replacement") {
                replacement = r
            } else if let r = try c.optionalString("str_rep") {
                replacement = r
            }
            guard replacement.unicodeScalars.count == 1, let r = replacement.first else {
                throw .invalidConfig("Metaspace replacement \(replacement.debugDescription) must be one character")
            }
            // Older files write add_prefix_space instead of prepend_scheme.
            let scheme: PrependScheme
            if let name = try c.optionalString("prepend_scheme") {
                guard let s = PrependScheme(rawValue: name) else { throw .unsupported(component: "Metaspace prepend_scheme", type: name) }
                scheme = s
            } else {
                scheme = try c.bool("add_prefix_space", default: true) ? .always : .never
            }
            self = .metaspace(replacement: r, prependScheme: scheme, split: try c.bool("split", default: true))
        case "Punctuation": self = .punctuation(try behavior("behavior", default: .isolated))
        case "Digits": self = .digits(individual: try c.bool("individual_digits", default: false))
        case "Whitespace": self = .whitespace
        case "WhitespaceSplit": self = .whitespaceSplit
        case "Sequence": self = .sequence(try c.list("pretokenizers") { (v) throws(TokenizerError) in try PreTokenizerConfig(json: v) })
        default: self = .unsupported(type)
        }
    }
}

public enum ModelConfig: Sendable {
    public struct WordPiece: Sendable {
        /// Token and id, in file order, with exact (not canonically equivalent) keys.
        public var vocab: [(key: String, value: Int32)]
        public var unkToken: String
        public var continuingSubwordPrefix: String
        public var maxInputCharsPerWord: Int
    }

    public struct BPE: Sendable {
        public var vocab: [(key: String, value: Int32)]
        /// Pairs in rank order (rank = index).
        public var merges: [(String, String)]
        public var unkToken: String?
        public var continuingSubwordPrefix: String?
        public var endOfWordSuffix: String?
        public var fuseUnk: Bool
        public var byteFallback: Bool
        public var ignoreMerges: Bool
    }

    public struct Unigram: Sendable {
        public var vocab: [(String, Double)]
        public var unkId: Int?
        public var byteFallback: Bool
    }

    case wordPiece(WordPiece)
    case bpe(BPE)
    case unigram(Unigram)
    case unsupported(String)

    init(json: JSONValue) throws(TokenizerError) {
        let c = try Fields(json, "model")
        // Files written by old versions omit the model type; infer it from the fields.
        let type = try c.optionalString("type")
            ?? (c.optional("merges") != nil ? "BPE" : c.optional("unk_id") != nil ? "Unigram" : "WordPiece")
        func vocabulary() throws(TokenizerError) -> [(key: String, value: Int32)] {
            guard let members = try c.require("vocab").members else { throw .invalidConfig("model.vocab must be an object") }
            var out: [(key: String, value: Int32)] = []
            out.reserveCapacity(members.count)
            for (token, v) in members {
                guard let n = v.int, let id = Int32(exactly: n), id >= 0 else {
                    throw .invalidConfig("model.vocab: token \(token.debugDescription) has an invalid id")
                }
                out.append((token, id))
            }
            return out
        }
        switch type {
        case "WordPiece":
            self = .wordPiece(WordPiece(vocab: try vocabulary(), unkToken: try c.string("unk_token", default: "[UNK]"),
                                        continuingSubwordPrefix: try c.string("continuing_subword_prefix", default: "##"),
                                        maxInputCharsPerWord: try c.int("max_input_chars_per_word", default: 100)))
        case "BPE":
            let merges = try c.list("merges") { (m) throws(TokenizerError) -> (String, String) in
                if let line = m.string {
                    // "a b": the first space separates the pair (the legacy form; tokens
                    // in it cannot contain a space).
                    guard let space = line.unicodeScalars.firstIndex(of: " ") else {
                        throw .invalidConfig("merge \(line.debugDescription) has no space")
                    }
                    return (String(line.unicodeScalars[..<space]), String(line.unicodeScalars[line.unicodeScalars.index(after: space)...]))
                }
                guard let pair = m.array, pair.count == 2, let a = pair[0].string, let b = pair[1].string else {
                    throw .invalidConfig("a merge must be \"a b\" or [\"a\", \"b\"]")
                }
                return (a, b)
            }
            self = .bpe(BPE(vocab: try vocabulary(), merges: merges, unkToken: try c.optionalString("unk_token"),
                            continuingSubwordPrefix: try c.optionalString("continuing_subword_prefix"),
                            endOfWordSuffix: try c.optionalString("end_of_word_suffix"),
                            fuseUnk: try c.bool("fuse_unk", default: false), byteFallback: try c.bool("byte_fallback", default: false),
                            ignoreMerges: try c.bool("ignore_merges", default: false)))
        case "Unigram":
            let vocab = try c.list("vocab") { (e) throws(TokenizerError) -> (String, Double) in
                guard let pair = e.array, pair.count == 2, let token = pair[0].string, let score = pair[1].number else {
                    throw .invalidConfig("a Unigram vocabulary entry must be [token, score]")
                }
                return (token, score)
            }
            let unk = try c.optional("unk_id") == nil ? nil : c.int("unk_id")
            self = .unigram(Unigram(vocab: vocab, unkId: unk, byteFallback: try c.bool("byte_fallback", default: false)))
        default:
            self = .unsupported(type)
        }
    }
}

/// One element of a TemplateProcessing template.
public enum TemplatePiece: Sendable, Equatable {
    /// The input sequence "A" or "B".
    case sequence(id: String, typeId: Int32)
    case special(id: String, typeId: Int32)

    init(json: JSONValue) throws(TokenizerError) {
        func body(_ v: JSONValue) throws(TokenizerError) -> (String, Int32) {
            let c = try Fields(v, "template piece")
            guard let t = Int32(exactly: try c.int("type_id", default: 0)) else { throw .invalidConfig("template type_id is out of range") }
            return (try c.string("id"), t)
        }
        if let s = json["Sequence"] {
            let (id, t) = try body(s)
            self = .sequence(id: id, typeId: t)
        } else if let s = json["SpecialToken"] {
            let (id, t) = try body(s)
            self = .special(id: id, typeId: t)
        } else {
            throw .invalidConfig("a template piece needs Sequence or SpecialToken")
        }
    }
}

public indirect enum PostProcessorConfig: Sendable {
    public struct SpecialTokenIds: Sendable { public let id: String; public let ids: [Int32] }

    case template(single: [TemplatePiece], pair: [TemplatePiece], specialTokens: [String: SpecialTokenIds])
    /// BertProcessing and RobertaProcessing: (token, id) pairs.
    case bert(cls: (String, Int32), sep: (String, Int32))
    case roberta(cls: (String, Int32), sep: (String, Int32))
    /// ByteLevel as a post-processor only trims offsets; it does not change ids.
    case byteLevel
    case sequence([PostProcessorConfig])
    case unsupported(String)

    init(json: JSONValue) throws(TokenizerError) {
        let c = try Fields(json, "post-processor")
        let type = try c.type("post-processor")
        func tokenPair(_ key: String) throws(TokenizerError) -> (String, Int32) {
            guard let pair = try c.require(key).array, pair.count == 2, let token = pair[0].string,
                  let n = pair[1].int, let id = Int32(exactly: n), id >= 0 else {
                throw .invalidConfig("\(type).\(key) must be [token, id]")
            }
            return (token, id)
        }
        switch type {
        case "TemplateProcessing":
            var specials: [String: SpecialTokenIds] = [:]
            for (name, v) in c.optional("special_tokens")?.members ?? [] {
                let f = try Fields(v, "special token \(name)")
                let ids = try f.list("ids") { (x) throws(TokenizerError) -> Int32 in
                    guard let n = x.int, let id = Int32(exactly: n), id >= 0 else { throw .invalidConfig("special token \(name) has an invalid id") }
                    return id
                }
                specials[name] = SpecialTokenIds(id: try f.string("id", default: name), ids: ids)
            }
            self = .template(single: try c.list("single") { (v) throws(TokenizerError) in try TemplatePiece(json: v) },
                             pair: try c.list("pair") { (v) throws(TokenizerError) in try TemplatePiece(json: v) },
                             specialTokens: specials)
        case "BertProcessing": self = .bert(cls: try tokenPair("cls"), sep: try tokenPair("sep"))
        case "RobertaProcessing": self = .roberta(cls: try tokenPair("cls"), sep: try tokenPair("sep"))
        case "ByteLevel": self = .byteLevel
        case "Sequence": self = .sequence(try c.list("processors") { (v) throws(TokenizerError) in try PostProcessorConfig(json: v) })
        default: self = .unsupported(type)
        }
    }
}
