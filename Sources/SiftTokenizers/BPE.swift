// Byte-pair encoding as Hugging Face `tokenizers` runs it (models/bpe/model.rs, word.rs):
//
//   1. a word becomes one symbol per Unicode scalar, spelled `prefix + c` after the first
//      (continuing_subword_prefix) and `c + suffix` at the end (end_of_word_suffix); a scalar
//      missing from the vocabulary becomes its UTF-8 bytes as <0xXX> tokens (byte_fallback),
//      else the unknown token (consecutive ones fused into one with fuse_unk), else nothing;
//   2. while some adjacent pair has a merge, the pair of lowest rank is merged, the leftmost
//      first among equals — a min-heap of candidate pairs over a linked list of symbols,
//      with stale candidates skipped when popped, exactly as word.rs does;
//   3. with ignore_merges (Llama 3), a word that is itself in the vocabulary is emitted whole.
//
// Tokens are compared as exact UTF-8. Swift's String equality is canonical equivalence,
// and SentencePiece vocabularies hold both "é" and "e\u{301}" as different tokens.
import Foundation

public struct BPEModel: TokenizerModel {
    private let vocabulary: ExactVocabulary
    private let tokensById: [Int32: String]
    /// (left id, right id) → (rank, merged id).
    private let merges: PackedTable
    /// (spelling variant, scalar) → id of the token that spells that one scalar; the
    /// variant's bit 0 adds the prefix, bit 1 the suffix.
    private let characters: PackedTable
    /// The id of each "<0xXX>" token, -1 where the vocabulary lacks it.
    private let byteIds: [Int32]
    private let unknownId: Int32?
    private let prefix: [UInt8]
    private let suffix: [UInt8]
    private let fuseUnknown: Bool
    private let byteFallback: Bool
    private let ignoreMerges: Bool
    private let cache: WordCache?

    public let vocabularySize: Int

    /// Builds the model from tokenizer.json's configuration.
    ///
    /// Note: a `[String: Int32]` vocabulary has already merged canonically equivalent
    /// tokens (see the file comment); use `init(vocabulary:merges:…)` with the exact list.
    public init(_ config: ModelConfig.BPE) throws(TokenizerError) {
        try self.init(vocabulary: config.vocab.map { ($0.key, $0.value) }, merges: config.merges,
                      unkToken: config.unkToken, continuingSubwordPrefix: config.continuingSubwordPrefix,
                      endOfWordSuffix: config.endOfWordSuffix, fuseUnk: config.fuseUnk,
                      byteFallback: config.byteFallback, ignoreMerges: config.ignoreMerges)
    }

    /// - Parameters:
    ///   - vocabulary: every token and its id; a token listed twice keeps its last id.
    ///   - merges: pairs in rank order. Every pair, and its concatenation (less the prefix
    ///     of the right half), must be in the vocabulary, as tokenizers requires.
    ///   - cacheCapacity: words whose tokens are remembered (0: none). Results never depend on it.
    public init(vocabulary: [(String, Int32)], merges mergeList: [(String, String)], unkToken: String? = nil,
                continuingSubwordPrefix: String? = nil, endOfWordSuffix: String? = nil, fuseUnk: Bool = false,
                byteFallback: Bool = false, ignoreMerges: Bool = false, cacheCapacity: Int = 16384) throws(TokenizerError) {
        var exact = ExactVocabulary(capacity: vocabulary.count)
        for (token, id) in vocabulary {
            guard id >= 0 else { throw .invalidConfig("token \(token.debugDescription) has negative id \(id)") }
            exact.insert(Array(token.utf8), id: id)
        }
        var tokensById: [Int32: String] = [:]
        tokensById.reserveCapacity(vocabulary.count)
        for (token, id) in vocabulary where exact.id(of: Array(token.utf8)) == id { tokensById[id] = token }
        self.vocabulary = exact
        self.tokensById = tokensById
        vocabularySize = exact.count

        // An empty prefix or suffix (as RoBERTa's and Qwen's files write) changes nothing.
        prefix = Array((continuingSubwordPrefix ?? "").utf8)
        suffix = Array((endOfWordSuffix ?? "").utf8)

        var characters = PackedTable(capacity: vocabulary.count)
        for (token, id) in vocabulary {
            let bytes = Array(token.utf8)
            for variant in 0 ..< 4 where (variant & 1 == 0 || !prefix.isEmpty) && (variant & 2 == 0 || !suffix.isEmpty) {
                let p = variant & 1 == 0 ? 0 : prefix.count, s = variant & 2 == 0 ? 0 : suffix.count
                guard bytes.count > p + s, bytes.starts(with: prefix[..<p]), bytes.reversed().starts(with: suffix[..<s].reversed()) else { continue }
                let (scalar, width) = utf8Scalar(bytes, at: p)
                if width == bytes.count - p - s, exact.id(of: bytes) == id {
                    characters.insert(UInt64(variant) << 32 | UInt64(scalar), id, 0)
                }
            }
        }
        self.characters = characters

        var merges = PackedTable(capacity: mergeList.count)
        for (rank, (a, b)) in mergeList.enumerated() {
            func id(_ token: [UInt8]) throws(TokenizerError) -> Int32 {
                guard let id = exact.id(of: token) else {
                    throw .invalidConfig("merge \"\(a) \(b)\" (rank \(rank)): token \(String(decoding: token, as: UTF8.self).debugDescription) is not in the vocabulary")
                }
                return id
            }
            let left = Array(a.utf8), right = Array(b.utf8)
            // tokenizers drops the prefix's length in bytes from the right half, whatever it holds.
            guard right.count >= prefix.count, right.count == prefix.count || right[prefix.count] & 0xC0 != 0x80 else {
                throw .invalidConfig("merge \"\(a) \(b)\" (rank \(rank)): the right half is not a continuation starting with \(String(decoding: prefix, as: UTF8.self).debugDescription)")
            }
            let merged = try id(left + right[prefix.count...])
            merges.insert(UInt64(UInt32(try id(left))) << 32 | UInt64(UInt32(try id(right))), Int32(rank), merged)
        }
        self.merges = merges

        byteIds = (0 ..< 256).map { b in
            let hex = String(b, radix: 16, uppercase: true)
            return exact.id(of: Array("<0x\(b < 16 ? "0" : "")\(hex)>".utf8)) ?? -1
        }
        if let unkToken {
            // tokenizers fails only when an unknown character turns up; Sift cannot fail while
            // encoding, so it refuses the configuration instead.
            guard let id = exact.id(of: Array(unkToken.utf8)) else { throw .unknownToken(unkToken, role: "unk") }
            unknownId = id
        } else {
            unknownId = nil
        }
        fuseUnknown = fuseUnk
        self.byteFallback = byteFallback
        self.ignoreMerges = ignoreMerges
        cache = cacheCapacity > 0 ? WordCache(capacity: cacheCapacity) : nil
    }

    public func id(of token: String) -> Int32? { vocabulary.id(of: Array(token.utf8)) }

    public func token(of id: Int32) -> String? { tokensById[id] }

    public func tokenize(_ piece: String, into ids: inout [Int32]) {
        var piece = piece
        piece.withUTF8 { word in
            guard !word.isEmpty else { return }
            if ignoreMerges, let id = vocabulary.id(of: word) {
                ids.append(id)
                return
            }
            // tokenizers caches words under 256 bytes.
            guard let cache, word.count < 256 else { return encode(word, into: &ids) }
            let hash = hashBytes(word)
            if let hit = cache.lookup(hash, word) {
                ids.append(contentsOf: hit)
                return
            }
            let start = ids.count
            encode(word, into: &ids)
            cache.store(hash, word, Array(ids[start...]))
        }
    }

    private func encode(_ word: UnsafeBufferPointer<UInt8>, into ids: inout [Int32]) {
        characters.withReader { characters in
            merges.withReader { merges in encode(word, characters, merges, into: &ids) }
        }
    }

    private func encode(_ word: UnsafeBufferPointer<UInt8>, _ characters: PackedTable.Reader, _ merges: PackedTable.Reader,
                        into ids: inout [Int32]) {
        // At most one symbol per byte of each spelled scalar (byte fallback).
        let bound = word.count * (1 + prefix.count) + suffix.count
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: bound) { symbols in
            var count = 0
            var pendingUnknown = false
            var i = 0
            while i < word.count {
                let (scalar, width) = utf8Scalar(word, at: i)
                let variant = (i == 0 || prefix.isEmpty ? 0 : 1) | (i + width == word.count && !suffix.isEmpty ? 2 : 0)
                defer { i += width }
                if let hit = characters.get(UInt64(variant) << 32 | UInt64(scalar)) {
                    if pendingUnknown, let unknownId { symbols[count] = unknownId; count += 1 }
                    pendingUnknown = false
                    symbols[count] = hit.0
                    count += 1
                } else if byteFallback, let spelled = fallbackIds(word[i ..< i + width], variant) {
                    // As tokenizers does, a pending unknown token is not flushed first.
                    for id in spelled { symbols[count] = id; count += 1 }
                } else if let unknownId {
                    if pendingUnknown, !fuseUnknown { symbols[count] = unknownId; count += 1 }
                    pendingUnknown = true
                }
            }
            if pendingUnknown, let unknownId { symbols[count] = unknownId; count += 1 }
            let merged = count <= 32 ? Self.mergeShort(symbols, count, merges) : Self.mergeLong(symbols, count, merges)
            ids.append(contentsOf: UnsafeBufferPointer(rebasing: symbols[..<merged]))
        }
    }

    /// The <0xXX> ids spelling one scalar with its prefix/suffix, or nil if one is missing.
    private func fallbackIds(_ scalar: Slice<UnsafeBufferPointer<UInt8>>, _ variant: Int) -> [Int32]? {
        var out: [Int32] = []
        for b in (variant & 1 == 0 ? [] : prefix) + Array(scalar) + (variant & 2 == 0 ? [] : suffix) {
            let id = byteIds[Int(b)]
            if id < 0 { return nil }
            out.append(id)
        }
        return out
    }

    /// Short words: the pairs' ranks in an array, scanned for the lowest (the first, so the
    /// leftmost, among equals) at every step. Applies the same merges in the same order as
    /// the heap below, since each current pair has exactly one live candidate there.
    /// Returns the number of symbols left at the front of `symbols`.
    private static func mergeShort(_ symbols: UnsafeMutableBufferPointer<Int32>, _ count: Int, _ merges: PackedTable.Reader) -> Int {
        guard count > 1 else { return count }
        return withUnsafeTemporaryAllocation(of: (rank: Int32, merged: Int32).self, capacity: count) { pairs in
            func pair(_ k: Int) -> (rank: Int32, merged: Int32) {
                merges.get(UInt64(UInt32(symbols[k])) << 32 | UInt64(UInt32(symbols[k + 1]))) ?? (.max, 0)
            }
            var n = count
            for k in 0 ..< n - 1 { pairs[k] = pair(k) }
            while n > 1 {
                var best = 0
                for k in 1 ..< n - 1 where pairs[k].rank < pairs[best].rank { best = k }
                if pairs[best].rank == .max { break }
                symbols[best] = pairs[best].merged
                for k in best + 1 ..< n - 1 { symbols[k] = symbols[k + 1]; pairs[k] = pairs[k + 1] }
                n -= 1
                if best > 0 { pairs[best - 1] = pair(best - 1) }
                if best < n - 1 { pairs[best] = pair(best) }
            }
            return n
        }
    }

    private struct Symbol {
        var id: Int32
        var prev: Int32
        var next: Int32
        var alive: Bool
    }

    /// A candidate merge of the symbol at `pos` with the one after it.
    private struct Candidate {
        var rank: Int32
        var pos: Int32
        var merged: Int32

        func precedes(_ o: Candidate) -> Bool { rank != o.rank ? rank < o.rank : pos < o.pos }
    }

    /// Long words: word.rs's algorithm — a min-heap of candidates (rank, then position) over
    /// a linked list of symbols; a popped candidate whose pair has changed is skipped.
    private static func mergeLong(_ ids: UnsafeMutableBufferPointer<Int32>, _ count: Int, _ merges: PackedTable.Reader) -> Int {
        withUnsafeTemporaryAllocation(of: Symbol.self, capacity: count) { symbols in
            for k in 0 ..< count { symbols[k] = Symbol(id: ids[k], prev: Int32(k - 1), next: k + 1 < count ? Int32(k + 1) : -1, alive: true) }
            // Each merge adds at most two candidates to the initial count - 1.
            withUnsafeTemporaryAllocation(of: Candidate.self, capacity: 3 * count) { heap in
                var size = 0
                func push(_ c: Candidate) {
                    var k = size
                    size += 1
                    while k > 0 {
                        let parent = (k - 1) / 2
                        guard c.precedes(heap[parent]) else { break }
                        heap[k] = heap[parent]
                        k = parent
                    }
                    heap[k] = c
                }
                func pop() -> Candidate {
                    let top = heap[0]
                    size -= 1
                    let last = heap[size]
                    var k = 0
                    while true {
                        var child = 2 * k + 1
                        if child >= size { break }
                        if child + 1 < size, heap[child + 1].precedes(heap[child]) { child += 1 }
                        guard heap[child].precedes(last) else { break }
                        heap[k] = heap[child]
                        k = child
                    }
                    heap[k] = last
                    return top
                }
                func candidate(_ pos: Int, _ left: Int32, _ right: Int32) {
                    if let m = merges.get(UInt64(UInt32(left)) << 32 | UInt64(UInt32(right))) {
                        push(Candidate(rank: m.rank, pos: Int32(pos), merged: m.merged))
                    }
                }
                for k in 0 ..< count - 1 { candidate(k, symbols[k].id, symbols[k + 1].id) }
                while size > 0 {
                    let top = pop()
                    let pos = Int(top.pos)
                    guard symbols[pos].alive, symbols[pos].next >= 0 else { continue }
                    let nextPos = Int(symbols[pos].next)
                    let right = symbols[nextPos]
                    // A candidate is stale if either side has changed since it was pushed.
                    let key = UInt64(UInt32(symbols[pos].id)) << 32 | UInt64(UInt32(right.id))
                    guard let m = merges.get(key), m.merged == top.merged else { continue }
                    symbols[pos].id = m.merged
                    symbols[pos].next = right.next
                    symbols[nextPos].alive = false
                    if right.next >= 0 { symbols[Int(right.next)].prev = Int32(pos) }
                    let prev = symbols[pos].prev
                    if prev >= 0 { candidate(Int(prev), symbols[Int(prev)].id, m.merged) }
                    if right.next >= 0 { candidate(pos, m.merged, symbols[Int(right.next)].id) }
                }
            }
            var n = 0
            for k in 0 ..< count where symbols[k].alive { ids[n] = symbols[k].id; n += 1 }
            return n
        }
    }
}

// MARK: - Storage

/// The scalar starting at `i` of valid UTF-8, and its length in bytes.
@inline(__always)
private func utf8Scalar<C: RandomAccessCollection>(_ b: C, at i: Int) -> (UInt32, Int) where C.Element == UInt8, C.Index == Int {
    let b0 = UInt32(b[i])
    if b0 < 0x80 { return (b0, 1) }
    if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | UInt32(b[i + 1]) & 0x3F, 2) }
    if b0 < 0xF0 { return ((b0 & 0x0F) << 12 | (UInt32(b[i + 1]) & 0x3F) << 6 | UInt32(b[i + 2]) & 0x3F, 3) }
    return ((b0 & 0x07) << 18 | (UInt32(b[i + 1]) & 0x3F) << 12 | (UInt32(b[i + 2]) & 0x3F) << 6 | UInt32(b[i + 3]) & 0x3F, 4)
}

/// FNV-1a over the bytes, then a multiply–xorshift so that the low bits are mixed too.
private func hashBytes<C: Sequence>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in bytes { h = (h ^ UInt64(b)) &* 0x0100_0000_01B3 }
    h ^= h >> 32
    h = h &* 0xD6E8_FEB8_6659_FD93
    return h ^ (h >> 32)
}

/// Open addressing from 64-bit keys to two Int32 values (linear probing, Fibonacci hashing),
/// key and value side by side so that a probe touches one cache line.
private struct PackedTable: Sendable {
    typealias Entry = (key: UInt64, rank: Int32, merged: Int32)
    private var entries: [Entry]  // key UInt64.max marks an empty slot; ids never reach it
    private let shift: UInt64

    init(capacity: Int) {
        var bits = 4
        while 1 << bits < capacity * 2 { bits += 1 }
        entries = Array(repeating: (.max, 0, 0), count: 1 << bits)
        shift = UInt64(64 - bits)
    }

    /// Adds or replaces (a later merge of the same pair replaces an earlier, as in tokenizers).
    mutating func insert(_ key: UInt64, _ a: Int32, _ b: Int32) {
        let mask = entries.count - 1
        var i = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
        while entries[i].key != .max, entries[i].key != key { i = (i + 1) & mask }
        entries[i] = (key, a, b)
    }

    /// Lookups through a plain pointer, for the loops that run per symbol.
    struct Reader {
        fileprivate let entries: UnsafeBufferPointer<Entry>
        fileprivate let shift: UInt64

        @inline(__always)
        func get(_ key: UInt64) -> (rank: Int32, merged: Int32)? {
            let mask = entries.count - 1
            var i = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
            while true {
                let e = entries[i]
                if e.key == key { return (e.rank, e.merged) }
                if e.key == .max { return nil }
                i = (i + 1) & mask
            }
        }
    }

    func withReader<R>(_ body: (Reader) -> R) -> R {
        entries.withUnsafeBufferPointer { body(Reader(entries: $0, shift: shift)) }
    }
}

/// Token bytes → id, compared byte for byte.
private struct ExactVocabulary: Sendable {
    private var arena: [UInt8] = []
    private var entries: [(start: Int, count: Int, hash: UInt64, id: Int32)] = []
    private var slots: [Int32]  // entry index, -1 empty

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: -1, count: size)
    }

    var count: Int { entries.count }

    /// Adds a token, or gives an existing one a new id; returns the id it replaced.
    @discardableResult
    mutating func insert(_ token: [UInt8], id: Int32) -> Int32? {
        let hash = hashBytes(token)
        let slot = token.withUnsafeBufferPointer { find($0, hash) }
        if slots[slot] >= 0 {
            let old = entries[Int(slots[slot])].id
            entries[Int(slots[slot])].id = id
            return old
        }
        if entries.count * 2 >= slots.count { grow() }
        let free = token.withUnsafeBufferPointer { find($0, hash) }
        slots[free] = Int32(entries.count)
        entries.append((arena.count, token.count, hash, id))
        arena.append(contentsOf: token)
        return nil
    }

    func id(of token: [UInt8]) -> Int32? { token.withUnsafeBufferPointer { id(of: $0) } }

    func id(of token: UnsafeBufferPointer<UInt8>) -> Int32? {
        let e = slots[find(token, hashBytes(token))]
        return e < 0 ? nil : entries[Int(e)].id
    }

    /// The slot holding `token`, or the empty slot where it would go.
    private func find(_ token: UnsafeBufferPointer<UInt8>, _ hash: UInt64) -> Int {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: hash) & mask
        while true {
            let e = slots[i]
            if e < 0 { return i }
            let entry = entries[Int(e)]
            if entry.hash == hash, entry.count == token.count, arena.withUnsafeBufferPointer({ a in
                guard let x = a.baseAddress, let y = token.baseAddress else { return token.isEmpty }
                return memcmp(x + entry.start, y, token.count) == 0
            }) {
                return i
            }
            i = (i + 1) & mask
        }
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for (k, entry) in entries.enumerated() {
            var i = Int(truncatingIfNeeded: entry.hash) & mask
            while slots[i] >= 0 { i = (i + 1) & mask }
            slots[i] = Int32(k)
        }
    }
}

/// Recently tokenized words and their ids: a fixed number of slots, each word's slot chosen
/// by its hash (a newer word simply replaces an older one), split into shards with their
/// own locks so that threads tokenizing at once rarely wait for each other.
private final class WordCache: @unchecked Sendable {
    // Safe to share: every access to a shard's slots happens under that shard's lock.
    private final class Shard {
        let lock = NSLock()
        var slots: [(hash: UInt64, key: [UInt8], ids: [Int32])?]
        init(_ n: Int) { slots = Array(repeating: nil, count: n) }
    }

    private static let shardCount = 16
    private let shards: [Shard]
    private let mask: Int

    init(capacity: Int) {
        var perShard = 1
        while perShard * Self.shardCount < capacity { perShard <<= 1 }
        shards = (0 ..< Self.shardCount).map { _ in Shard(perShard) }
        mask = perShard - 1
    }

    func lookup(_ hash: UInt64, _ word: UnsafeBufferPointer<UInt8>) -> [Int32]? {
        let shard = shards[Int(hash & UInt64(Self.shardCount - 1))]
        shard.lock.lock()
        defer { shard.lock.unlock() }
        guard let entry = shard.slots[Int(hash >> 8) & mask], entry.hash == hash, entry.key.elementsEqual(word) else { return nil }
        return entry.ids
    }

    func store(_ hash: UInt64, _ word: UnsafeBufferPointer<UInt8>, _ ids: [Int32]) {
        let entry = (hash, Array(word), ids)
        let shard = shards[Int(hash & UInt64(Self.shardCount - 1))]
        shard.lock.lock()
        shard.slots[Int(hash >> 8) & mask] = entry
        shard.lock.unlock()
    }
}
