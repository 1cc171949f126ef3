// Tokenizers described by GGUF metadata (tokenizer.ggml.*), rebuilt as the pipeline that
// Hugging Face `tokenizers` would run for the same model:
//
//   gpt2   byte-level BPE with merges; the pre-tokenizer is chosen by tokenizer.ggml.pre
//   llama  SentencePiece BPE: merge priority from the token scores, ▁ for spaces, byte
//          fallback to <0xXX> tokens
//   bert   WordPiece with ## continuations, lowercasing BERT normalizer
//
// Token types (tokenizer.ggml.token_type): 1 normal, 2 unknown, 3 control, 4 user-defined,
// 5 unused, 6 byte. Control tokens become special added tokens, user-defined ones added
// tokens, so that both are matched whole in the input as `tokenizers` does.

/// The tokenizer.ggml.* values of a GGUF file, as plain values (Sift's GGUF reader fills it).
public struct GGUFVocabulary: Sendable {
    public var model: String
    public var pre: String?
    public var tokens: [String]
    public var scores: [Float]?
    public var tokenTypes: [Int32]?
    public var merges: [String]?
    public var bosId: Int32?
    public var eosId: Int32?
    public var unknownId: Int32?
    public var separatorId: Int32?
    public var paddingId: Int32?
    public var clsId: Int32?
    public var maskId: Int32?
    public var addBOS: Bool?
    public var addEOS: Bool?
    public var addSpacePrefix: Bool?

    public init(model: String, tokens: [String]) {
        self.model = model
        self.tokens = tokens
    }
}

/// Split patterns of the byte-level pre-tokenizers that common models use.
public enum ByteLevelPattern {
    public static let gpt2 = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
    public static let llama3 = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    public static let qwen2 = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
}

extension TokenizerConfig {
    /// The tokenizer.json-equivalent configuration of a GGUF vocabulary.
    public init(gguf v: GGUFVocabulary) throws(TokenizerError) {
        let types = v.tokenTypes ?? []
        func type(_ i: Int) -> Int32 { i < types.count ? types[i] : 1 }
        guard v.tokens.count <= Int(Int32.max) else { throw .invalidConfig("vocabulary of \(v.tokens.count) tokens is too large") }
        if let scores = v.scores, scores.count != v.tokens.count {
            throw .invalidConfig("tokenizer.ggml.scores has \(scores.count) entries for \(v.tokens.count) tokens")
        }
        if !types.isEmpty, types.count != v.tokens.count {
            throw .invalidConfig("tokenizer.ggml.token_type has \(types.count) entries for \(v.tokens.count) tokens")
        }
        for (role, id) in [("bos", v.bosId), ("eos", v.eosId), ("unknown", v.unknownId), ("separator", v.separatorId),
                           ("padding", v.paddingId), ("cls", v.clsId), ("mask", v.maskId)] {
            if let id, id < 0 || Int(id) >= v.tokens.count {
                throw .invalidConfig("\(role) token id \(id) is outside the vocabulary of \(v.tokens.count)")
            }
        }
        // GGUF ids are positions; a token listed twice keeps its first id.
        var vocab: [(key: String, value: Int32)] = []
        vocab.reserveCapacity(v.tokens.count)
        var ids: [TokenString: Int32] = [:]
        ids.reserveCapacity(v.tokens.count)
        for (i, t) in v.tokens.enumerated() where ids[TokenString(t)] == nil {
            ids[TokenString(t)] = Int32(i)
            vocab.append((t, Int32(i)))
        }

        // Control and user-defined tokens are matched whole, before anything else.
        var added: [AddedTokenConfig] = []
        for (i, t) in v.tokens.enumerated() where type(i) == 3 || type(i) == 4 {
            added.append(AddedTokenConfig(id: Int32(i), content: t, normalized: false, special: type(i) == 3))
        }

        func bos() -> [TemplatePiece] { v.addBOS == true && v.bosId != nil ? [.special(id: "bos", typeId: 0)] : [] }
        func eos(_ typeId: Int32) -> [TemplatePiece] { v.addEOS == true && v.eosId != nil ? [.special(id: "eos", typeId: typeId)] : [] }
        var specials: [String: PostProcessorConfig.SpecialTokenIds] = [:]
        if let b = v.bosId { specials["bos"] = .init(id: v.tokens[Int(b)], ids: [b]) }
        if let e = v.eosId { specials["eos"] = .init(id: v.tokens[Int(e)], ids: [e]) }
        let template = PostProcessorConfig.template(
            single: bos() + [.sequence(id: "A", typeId: 0)] + eos(0),
            pair: bos() + [.sequence(id: "A", typeId: 0)] + eos(0) + bos() + [.sequence(id: "B", typeId: 1)] + eos(1),
            specialTokens: specials)

        switch v.model {
        case "gpt2":
            guard let merges = v.merges else { throw .invalidConfig("a gpt2 vocabulary needs tokenizer.ggml.merges") }
            let pairs = try merges.map { (m) throws(TokenizerError) -> (String, String) in
                guard let space = m.firstIndex(of: " ") else { throw .invalidConfig("merge \(m.debugDescription) has no space") }
                return (String(m[..<space]), String(m[m.index(after: space)...]))
            }
            let pre = try TokenizerConfig.byteLevelPreTokenizer(v.pre ?? "default")
            self.init(addedTokens: added, normalizer: pre.normalizer, preTokenizer: pre.preTokenizer,
                      model: .bpe(.init(vocab: vocab, merges: pairs, unkToken: nil, continuingSubwordPrefix: nil,
                                        endOfWordSuffix: nil, fuseUnk: false, byteFallback: false,
                                        ignoreMerges: pre.ignoreMerges)),
                      postProcessor: template)
        case "llama":
            let scores = v.scores ?? v.tokens.indices.map { -Float($0) }
            // SentencePiece merges the adjacent pair whose result scores highest; as a BPE
            // ranking that is every (left, right) split of a vocabulary token whose halves
            // are both tokens, best score first, then longer left half, then longer right.
            var candidates: [(left: String, right: String, score: Float, order: Int)] = []
            for (i, token) in v.tokens.enumerated() where type(i) == 1 {
                let chars = Array(token.unicodeScalars)
                guard chars.count > 1 else { continue }
                var local: [(String, String, Int32, Int32)] = []
                for cut in 1 ..< chars.count {
                    let l = String(chars[..<cut]), r = String(chars[cut...])
                    if let li = ids[TokenString(l)], let ri = ids[TokenString(r)] { local.append((l, r, li, ri)) }
                }
                local.sort { ($0.2, $0.3) < ($1.2, $1.3) }
                for (l, r, _, _) in local { candidates.append((l, r, scores[i], candidates.count)) }
            }
            candidates.sort {
                if $0.score != $1.score { return $0.score > $1.score }
                let a = ($0.left.unicodeScalars.count, $0.right.unicodeScalars.count)
                let b = ($1.left.unicodeScalars.count, $1.right.unicodeScalars.count)
                if a != b { return a > b }
                return $0.order < $1.order
            }
            let unk = v.unknownId.map { v.tokens[Int($0)] } ?? "<unk>"
            var normalizers: [NormalizerConfig] = []
            if v.addSpacePrefix ?? true { normalizers.append(.prepend("▁")) }
            normalizers.append(.replace(pattern: .string(" "), content: "▁"))
            self.init(addedTokens: added, normalizer: .sequence(normalizers), preTokenizer: nil,
                      model: .bpe(.init(vocab: vocab, merges: candidates.map { ($0.left, $0.right) }, unkToken: unk,
                                        continuingSubwordPrefix: nil, endOfWordSuffix: nil, fuseUnk: true,
                                        byteFallback: true, ignoreMerges: false)),
                      postProcessor: template)
        case "bert":
            let unk = v.unknownId.map { v.tokens[Int($0)] } ?? "[UNK]"
            guard let cls = v.clsId ?? v.bosId, let sep = v.separatorId ?? v.eosId else {
                throw .invalidConfig("a bert vocabulary needs cls (or bos) and separator (or eos) token ids")
            }
            self.init(addedTokens: added,
                      normalizer: .bert(cleanText: true, handleChineseChars: true, stripAccents: nil, lowercase: true),
                      preTokenizer: .bert,
                      model: .wordPiece(.init(vocab: vocab, unkToken: unk, continuingSubwordPrefix: "##", maxInputCharsPerWord: 100)),
                      postProcessor: .bert(cls: (v.tokens[Int(cls)], cls), sep: (v.tokens[Int(sep)], sep)))
        default:
            throw .unsupported(component: "GGUF tokenizer model", type: v.model)
        }
    }

    /// The normalizer and pre-tokenizer for a tokenizer.ggml.pre name.
    static func byteLevelPreTokenizer(_ name: String) throws(TokenizerError)
        -> (normalizer: NormalizerConfig?, preTokenizer: PreTokenizerConfig, ignoreMerges: Bool) {
        let plain = PreTokenizerConfig.byteLevel(addPrefixSpace: false, useRegex: true)
        func split(_ pattern: String) -> [PreTokenizerConfig] {
            [.split(pattern: .regex(pattern), behavior: .isolated, invert: false), .byteLevel(addPrefixSpace: false, useRegex: false)]
        }
        switch name {
        case "default", "gpt-2", "gpt2", "phi-2", "roberta-bpe", "olmo", "jais":
            return (nil, plain, false)
        case "llama-bpe", "llama3", "llama-v3", "smaug-bpe", "dbrx":
            return (nil, .sequence(split(ByteLevelPattern.llama3)), true)
        case "qwen2", "qwen35", "deepseek-r1-qwen", "stablelm2", "hunyuan":
            return (.nfc, .sequence(split(ByteLevelPattern.qwen2)), false)
        case "smollm", "starcoder", "refact":
            return (nil, .sequence([.digits(individual: true), plain]), false)
        default:
            throw .unsupported(component: "GGUF pre-tokenizer (tokenizer.ggml.pre)", type: name)
        }
    }
}

extension Tokenizer {
    /// A tokenizer from GGUF metadata.
    public init(gguf vocabulary: GGUFVocabulary) throws(TokenizerError) {
        try self.init(config: TokenizerConfig(gguf: vocabulary))
    }
}
