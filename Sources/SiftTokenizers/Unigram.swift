// Unigram (SentencePiece's unigram language model), as tokenizers 0.23 encodes with it
// (src/models/unigram/model.rs, the "optimized" Viterbi it always uses).
//
// A piece is cut into vocabulary entries so that the sum of their scores (log
// probabilities) is largest. Positions are UTF-8 byte offsets; from each character start,
// every entry that begins there is a candidate edge. A character that no single-character
// entry covers gets an edge of its own scored min(score) - 10 (SentencePiece's
// kUnkPenalty) and labelled with unk_id. Ties keep the first candidate to reach a
// position, i.e. the one that starts earliest (the longest entry), and at equal starts the
// shorter one, since an edge only replaces another if it is strictly better.
//
// Reading the best path back, runs of consecutive unknown edges are fused into one
// string, which is looked up in the vocabulary again (it might be an entry), then turned
// into <0xXX> byte tokens if byte_fallback is on and all of them exist, else into unk_id.
// An edge whose entry *is* the unknown token (the text spelled "<unk>") counts as unknown
// too, as in tokenizers.
//
// Divergence: with no unk_id, tokenizers fails the whole encoding when it meets an unknown
// character; Sift's models cannot fail, so such characters produce byte tokens when
// byte_fallback allows and are otherwise dropped.
import Foundation

public struct UnigramModel: TokenizerModel {
    private let tokens: [String]
    private let scores: [Double]
    /// Also the token → id map: a String dictionary would not do, since Swift's String
    /// equality is canonical equivalence and tokenizers' HashMap compares bytes.
    private let trie: ByteTrie
    private let unkId: Int32?
    private let unkScore: Double
    /// With byte_fallback, the ids of <0x00> … <0xFF> (see byteTokenIds); nil without.
    private let byteIds: [Int32]?

    /// The id of an unknown-character edge when the model has no unk_id.
    private static let missingUnk: Int32 = -2

    public init(_ config: ModelConfig.Unigram) throws(TokenizerError) {
        let vocab = config.vocab
        guard vocab.count < Int(Int32.max) else {
            throw .invalidConfig("Unigram vocabulary has \(vocab.count) entries, more than ids can hold")
        }
        if let unk = config.unkId {
            guard !vocab.isEmpty else { throw .invalidConfig("Unigram vocabulary is empty but unk_id is set") }
            guard unk >= 0, unk < vocab.count else {
                throw .invalidConfig("Unigram unk_id \(unk) is outside the vocabulary of \(vocab.count) entries")
            }
        }
        tokens = vocab.map(\.0)
        // The doubles tokenizers' JSON parser makes of the scores (see Unigram+Scores).
        let scores = vocab.map { SerdeFloat.reparsed($0.1) }
        self.scores = scores
        // A token listed twice maps to its last id, as tokenizers' HashMap insertions do.
        let trie = ByteTrie(tokens)
        self.trie = trie
        unkId = config.unkId.map { Int32($0) }
        unkScore = (scores.min() ?? .infinity) - 10
        byteIds = config.byteFallback ? UnigramModel.byteTokenIds(trie) : nil
    }

    /// The ids of <0x00> … <0xFF>, -1 for those the vocabulary lacks: an unknown run falls
    /// back to bytes only if every byte it needs has a token.
    private static func byteTokenIds(_ trie: ByteTrie) -> [Int32] {
        (0 ..< 256).map { byte in
            let hex = String(byte, radix: 16, uppercase: true)
            return trie.id(of: ("<0x" + (byte < 16 ? "0" : "") + hex + ">").utf8) ?? -1
        }
    }

    public var vocabularySize: Int { tokens.count }
    public func id(of token: String) -> Int32? { trie.id(of: token.utf8) }
    public func token(of id: Int32) -> String? { id >= 0 && Int(id) < tokens.count ? tokens[Int(id)] : nil }

    public func tokenize(_ piece: String, into ids: inout [Int32]) {
        var storage = piece
        storage.withUTF8 { encode($0, into: &ids) }
    }

    /// The best path ending at a byte position.
    private struct BestPath {
        var score: Double
        /// Where its last edge starts, or -1 while no edge reaches the position.
        var start: Int32
        var id: Int32
    }

    private func encode(_ bytes: UnsafeBufferPointer<UInt8>, into ids: inout [Int32]) {
        let n = bytes.count
        guard n > 0 else { return }
        withUnsafeTemporaryAllocation(of: BestPath.self, capacity: n + 1) { best in
            best.initialize(repeating: BestPath(score: 0, start: -1, id: 0))
            let unknown = unkId ?? UnigramModel.missingUnk
            scores.withUnsafeBufferPointer { scores in
                trie.withView { trie in
                    var position = 0
                    while position < n {
                        let scoreHere = best[position].score
                        let characterLength = Swift.min(GraphemeClusters.scalarLength(lead: bytes[position]), n - position)
                        var coversCharacter = false
                        var node = 0
                        var end = position
                        while end < n {
                            node = trie.child(of: node, bytes[end])
                            if node < 0 { break }
                            end += 1
                            let id = trie.id(at: node)
                            guard id >= 0 else { continue }
                            let candidate = scores[Int(id)] + scoreHere
                            if best[end].start < 0 || candidate > best[end].score {
                                best[end] = BestPath(score: candidate, start: Int32(position), id: id)
                            }
                            if end - position == characterLength { coversCharacter = true }
                        }
                        if !coversCharacter {
                            let target = position + characterLength
                            let candidate = unkScore + scoreHere
                            if best[target].start < 0 || candidate > best[target].score {
                                best[target] = BestPath(score: candidate, start: Int32(position), id: unknown)
                            }
                        }
                        position += characterLength
                    }
                }
            }

            // Back from the end; ids come out reversed and are put in order at the end.
            let first = ids.count
            var end = n
            var unknownRunEnd = -1
            while end > 0 {
                let path = best[end]
                if path.id == unknown {
                    if unknownRunEnd < 0 { unknownRunEnd = end }
                } else {
                    if unknownRunEnd >= 0 {
                        appendUnknown(UnsafeBufferPointer(rebasing: bytes[end ..< unknownRunEnd]), reversed: &ids)
                        unknownRunEnd = -1
                    }
                    ids.append(path.id)
                }
                end = Int(path.start)
            }
            if unknownRunEnd >= 0 { appendUnknown(UnsafeBufferPointer(rebasing: bytes[0 ..< unknownRunEnd]), reversed: &ids) }
            ids[first...].reverse()
        }
    }

    /// Appends, back to front, the ids for a run of unknown characters.
    private func appendUnknown(_ run: UnsafeBufferPointer<UInt8>, reversed ids: inout [Int32]) {
        if let id = trie.id(of: run) {
            ids.append(id)
            return
        }
        if let byteIds, run.allSatisfy({ byteIds[Int($0)] >= 0 }) {
            for byte in run.reversed() { ids.append(byteIds[Int(byte)]) }
            return
        }
        if let unkId { ids.append(unkId) }
    }
}
