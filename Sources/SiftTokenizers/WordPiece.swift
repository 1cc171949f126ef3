/// WordPiece (BERT): each word becomes the longest vocabulary prefix, then the longest
/// `##`-prefixed continuation, and so on; a word with any unmatched remainder, or longer
/// than `maxInputCharsPerWord` scalars, becomes the single unknown token.
public struct WordPieceModel: TokenizerModel {
    let vocab: [TokenString: Int32]
    let tokens: [Int32: String]
    let unkId: Int32
    let prefix: String
    let maxInputCharsPerWord: Int
    /// The longest vocabulary entry in scalars, which bounds the prefix search.
    let longestToken: Int

    public init(_ config: ModelConfig.WordPiece) throws(TokenizerError) {
        // A token listed twice keeps its last id, as in tokenizers.
        let vocab = Dictionary(config.vocab.map { (TokenString($0.key), $0.value) }, uniquingKeysWith: { _, b in b })
        guard let unk = vocab[TokenString(config.unkToken)] else { throw .unknownToken(config.unkToken, role: "WordPiece unknown") }
        self.vocab = vocab
        tokens = Dictionary(vocab.map { ($1, $0.string) }, uniquingKeysWith: { a, _ in a })
        unkId = unk
        prefix = config.continuingSubwordPrefix
        maxInputCharsPerWord = config.maxInputCharsPerWord
        longestToken = vocab.keys.map(\.string.unicodeScalars.count).max() ?? 1
    }

    public var vocabularySize: Int { vocab.count }
    public func id(of token: String) -> Int32? { vocab[TokenString(token)] }
    public func token(of id: Int32) -> String? { tokens[id] }

    public func tokenize(_ piece: String, into ids: inout [Int32]) {
        let chars = piece.scalars
        guard !chars.isEmpty else { return }
        guard chars.count <= maxInputCharsPerWord else { ids.append(unkId); return }
        var found: [Int32] = []
        var start = 0
        while start < chars.count {
            var end = min(chars.count, start + longestToken)
            var match: Int32?
            while end > start {
                var candidate = start > 0 ? prefix : ""
                candidate.unicodeScalars.append(contentsOf: chars[start ..< end])
                if let id = vocab[TokenString(candidate)] { match = id; break }
                end -= 1
            }
            guard let id = match else { ids.append(unkId); return }
            found.append(id)
            start = end
        }
        ids.append(contentsOf: found)
    }
}
