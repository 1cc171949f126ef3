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
    let table: ByteKeyTable

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
        table = ByteKeyTable(vocab, continuationPrefix: config.continuingSubwordPrefix)
    }

    public var vocabularySize: Int { vocab.count }
    public func id(of token: String) -> Int32? { vocab[TokenString(token)] }
    public func token(of id: Int32) -> String? { tokens[id] }

    public func tokenize(_ piece: String, into ids: inout [Int32]) {
        var piece = piece
        piece.withUTF8 { bytes in tokenize(bytes, into: &ids) }
    }

    /// Greedy longest-match on the piece's UTF-8, ends only at scalar boundaries, looked up
    /// in a byte-keyed table (no string is built per candidate).
    private func tokenize(_ bytes: UnsafeBufferPointer<UInt8>, into ids: inout [Int32]) {
        guard !bytes.isEmpty else { return }
        // Scalar start offsets, and the end.
        var bounds: [Int] = []
        bounds.reserveCapacity(bytes.count + 1)
        for (i, b) in bytes.enumerated() where b & 0xC0 != 0x80 { bounds.append(i) }
        let scalars = bounds.count
        bounds.append(bytes.count)
        guard scalars <= maxInputCharsPerWord else { ids.append(unkId); return }
        let first = ids.count
        var start = 0
        while start < scalars {
            var end = min(scalars, start + longestToken)
            var match: Int32?
            while end > start {
                let candidate = UnsafeBufferPointer(rebasing: bytes[bounds[start] ..< bounds[end]])
                if let id = table.lookup(continuation: start > 0, candidate) { match = id; break }
                end -= 1
            }
            guard let id = match else {
                ids.removeSubrange(first...)
                ids.append(unkId)
                return
            }
            ids.append(id)
            start = end
        }
    }
}

/// Vocabulary ids by UTF-8 bytes, with the continuation prefix ("##") folded into the key,
/// in one open-addressing table; keys are verified byte for byte.
struct ByteKeyTable: Sendable {
    private var slots: [Int32]
    private var entries: [(hash: UInt64, start: Int32, count: Int32, id: Int32)] = []
    private var bytes: [UInt8] = []
    private let prefix: [UInt8]
    /// The hash state after the continuation prefix.
    private let continuationSeed: UInt64

    init(_ vocab: [TokenString: Int32], continuationPrefix: String) {
        prefix = Array(continuationPrefix.utf8)
        continuationSeed = ByteKeyTable.hash(prefix)
        var size = 16
        while size < vocab.count * 2 { size <<= 1 }
        slots = [Int32](repeating: -1, count: size)
        for (token, id) in vocab {
            let utf8 = Array(token.string.utf8)
            let entry = (ByteKeyTable.hash(utf8), Int32(bytes.count), Int32(utf8.count), id)
            bytes += utf8
            var i = Int(truncatingIfNeeded: entry.0) & (size - 1)
            while slots[i] >= 0 { i = (i + 1) & (size - 1) }
            slots[i] = Int32(entries.count)
            entries.append(entry)
        }
    }

    static let offsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325

    /// FNV-1a over the bytes.
    @inline(__always)
    static func hash(_ b: [UInt8], seed: UInt64 = offsetBasis) -> UInt64 {
        b.withUnsafeBufferPointer { hash($0, seed: seed) }
    }

    @inline(__always)
    static func hash(_ b: UnsafeBufferPointer<UInt8>, seed: UInt64 = offsetBasis) -> UInt64 {
        var h = seed
        for x in b { h = (h ^ UInt64(x)) &* 0x100_0000_01B3 }
        return h
    }

    func lookup(continuation: Bool, _ key: UnsafeBufferPointer<UInt8>) -> Int32? {
        let h = ByteKeyTable.hash(key, seed: continuation ? continuationSeed : ByteKeyTable.offsetBasis)
        let count = key.count + (continuation ? prefix.count : 0)
        return slots.withUnsafeBufferPointer { slots in
            entries.withUnsafeBufferPointer { entries in
                let mask = slots.count - 1
                var i = Int(truncatingIfNeeded: h) & mask
                while true {
                    let slot = slots[i]
                    if slot < 0 { return nil }
                    let e = entries[Int(slot)]
                    if e.hash == h, Int(e.count) == count, matches(e.start, continuation, key) { return e.id }
                    i = (i + 1) & mask
                }
            }
        }
    }

    private func matches(_ start: Int32, _ continuation: Bool, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        var j = Int(start)
        if continuation {
            for b in prefix { if bytes[j] != b { return false }; j += 1 }
        }
        for b in key { if bytes[j] != b { return false }; j += 1 }
        return true
    }
}
