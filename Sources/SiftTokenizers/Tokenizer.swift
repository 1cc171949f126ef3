import Foundation

/// A complete tokenizer: added tokens, normalizer, pre-tokenizer, model, truncation and
/// post-processor, run in the order Hugging Face `tokenizers` runs them, producing the same
/// ids. Immutable and safe to use from many threads at once.
public struct Tokenizer: Sendable {
    public let model: any TokenizerModel
    let normalizer: (any Normalizer)?
    let preTokenizer: (any PreTokenizer)?
    let postProcessor: (any PostProcessor)?
    /// Tokens matched in the raw text, and those matched after normalization.
    let rawAddedTokens: AddedTokenMatcher
    let normalizedAddedTokens: AddedTokenMatcher
    public let addedTokens: [AddedTokenConfig]
    /// The maximum length tokenizer.json asks for, if any (Sift truncates only when asked).
    public let configuredMaxLength: Int?

    public init(config: TokenizerConfig) throws(TokenizerError) {
        switch config.model {
        case .wordPiece(let wp): model = try WordPieceModel(wp)
        case .bpe(let bpe): model = try BPEModel(bpe)
        case .unigram(let u): model = try UnigramModel(u)
        case .unsupported(let type): throw .unsupported(component: "model", type: type)
        }
        normalizer = try config.normalizer.map { (c) throws(TokenizerError) in try makeNormalizer(c) }
        preTokenizer = try config.preTokenizer.map { (c) throws(TokenizerError) in try makePreTokenizer(c) }
        postProcessor = try config.postProcessor.map { (c) throws(TokenizerError) in try makePostProcessor(c) }
        addedTokens = config.addedTokens
        rawAddedTokens = AddedTokenMatcher(config.addedTokens.filter { !$0.normalized })
        normalizedAddedTokens = AddedTokenMatcher(config.addedTokens.filter { $0.normalized })
        configuredMaxLength = config.truncation?.maxLength
    }

    /// Loads a tokenizer.json file.
    public init(contentsOf url: URL) throws {
        let data = try Data(contentsOf: url)
        try self.init(json: data)
    }

    /// Reads tokenizer.json bytes. Throws `JSONError` for malformed JSON and
    /// `TokenizerError` for a configuration Sift cannot run.
    public init(json: Data) throws {
        try self.init(config: TokenizerConfig(json: JSONParser.parse(json)))
    }

    /// Encodes one text, or a pair (`pair`, for text-pair classification).
    ///
    /// - Parameters:
    ///   - addSpecialTokens: run the post-processor ([CLS] … [SEP] and the like).
    ///   - maxLength: truncate to at most this many ids, special tokens included, keeping
    ///     the special tokens; pairs lose tokens from the longer text first. The result's
    ///     `truncated` says whether anything was dropped.
    public func encode(_ text: String, pair: String? = nil, addSpecialTokens: Bool = true,
                       maxLength: Int? = nil) -> Encoding {
        var a = Encoding(ids: tokenize(text, atLeast: maxLength))
        var b = pair.map { Encoding(ids: tokenize($0, atLeast: maxLength), typeIds: nil) }
        if let b0 = b { b = Encoding(ids: b0.ids, typeIds: [Int32](repeating: 1, count: b0.count)) }
        if let maxLength {
            let reserved = addSpecialTokens ? (postProcessor?.addedTokenCount(pair: b != nil) ?? 0) : 0
            Tokenizer.truncate(&a, &b, to: max(maxLength - reserved, 0))
        }
        guard addSpecialTokens, let postProcessor else {
            guard let b else { return a }
            return IdentityPostProcessor().process(a, b)
        }
        return postProcessor.process(a, b)
    }

    /// The ids of `text`, or of a prefix of it that gives more than `needed` ids (the ids
    /// truncation keeps are then the same): a 10 MB line is not tokenized whole to keep 512
    /// tokens. The prefix ends at a space, well past the last id kept, so no pre-token that
    /// contributes a kept id is cut; it grows fourfold until it gives enough ids.
    func tokenize(_ text: String, atLeast needed: Int?) -> [Int32] {
        guard let needed, text.utf8.count > 64 * needed + 4096 else { return tokenize(text) }
        let scalars = text.unicodeScalars
        var limit = 16 * needed + 1024
        while true {
            guard var cut = scalars.index(scalars.startIndex, offsetBy: limit, limitedBy: scalars.endIndex),
                  cut < scalars.endIndex else { return tokenize(text) }
            // Move the cut to the next space, within 1024 scalars.
            var steps = 0
            while cut < scalars.endIndex, !scalars[cut].properties.isWhitespace, steps < 1024 {
                cut = scalars.index(after: cut)
                steps += 1
            }
            let ids = tokenize(String(scalars[..<cut]))
            if ids.count > needed + 64 { return ids }
            limit *= 4
        }
    }

    /// Token ids for one text, without special tokens added by the post-processor.
    public func tokenize(_ text: String) -> [Int32] {
        var ids: [Int32] = []
        for segment in rawAddedTokens.split(text.scalars, atStart: true) {
            switch segment {
            case .token(let id): ids.append(id)
            case .text(let scalars, let atStart):
                let normalized = normalizer.map { $0.normalize(String(scalars[...])) } ?? String(scalars[...])
                for inner in normalizedAddedTokens.split(normalized.scalars, atStart: atStart) {
                    switch inner {
                    case .token(let id): ids.append(id)
                    case .text(let s, let innerAtStart):
                        let text = String(s[...])
                        let pieces = preTokenizer.map { preTokenize(text, with: $0, atStart: innerAtStart) } ?? [text]
                        for piece in pieces { model.tokenize(piece, into: &ids) }
                    }
                }
            }
        }
        return ids
    }

    /// The token strings for `ids` (vocabulary entries or added tokens), for display.
    public func tokens(for ids: [Int32]) -> [String] {
        let added = Dictionary(addedTokens.map { ($0.id, $0.content) }, uniquingKeysWith: { a, _ in a })
        return ids.map { added[$0] ?? model.token(of: $0) ?? "<\($0)>" }
    }

    /// Truncation as `tokenizers` does it with the LongestFirst strategy and stride 0.
    static func truncate(_ a: inout Encoding, _ b: inout Encoding?, to maxLength: Int) {
        guard var second = b else {
            if a.count > maxLength { a = a.prefix(maxLength) }
            return
        }
        guard a.count + second.count > maxLength else { return }
        // Give the shorter text as much as it needs up to its share, the longer the rest.
        var n1 = a.count, n2 = second.count
        let swap = n1 > n2
        if swap { Swift.swap(&n1, &n2) }
        n2 = n1 > maxLength ? n1 : max(n1, maxLength - n1)
        if n1 + n2 > maxLength {
            n1 = maxLength / 2
            n2 = n1 + maxLength % 2
        }
        if swap { Swift.swap(&n1, &n2) }
        if a.count > n1 { a = a.prefix(n1) }
        if second.count > n2 { second = second.prefix(n2) }
        b = second
    }
}

extension Encoding {
    /// The first `n` tokens, marked truncated.
    func prefix(_ n: Int) -> Encoding {
        Encoding(ids: Array(ids.prefix(n)), typeIds: Array(typeIds.prefix(n)),
                 attentionMask: Array(attentionMask.prefix(n)), truncated: true)
    }
}
