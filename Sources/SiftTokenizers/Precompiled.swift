// SentencePiece's precompiled normalization rules ("precompiled_charsmap"), applied the way
// tokenizers' Precompiled normalizer (spm_precompiled crate) applies them.
//
// The blob, base64 in tokenizer.json:
//   u32 LE        trie size in bytes
//   [u32 LE]      a Darts double-array trie over UTF-8 bytes (size / 4 units; any
//                 remainder bytes belong to the pool, as in the crate)
//   [u8]          the pool: NUL-terminated UTF-8 replacements; a trie value is an offset
//
// Each unit of the double array packs, from the low bit: an 8-bit label, a has-leaf flag
// (bit 8), an offset scale flag (bit 9) and the offset to the children (bits 10–31,
// shifted left by 8 when the scale flag is set). A node's value lives in the unit its
// own offset points at; bit 31 marks a unit that is not a label.
//
// The walk over the text follows tokenizers, quirks included. The text is cut into
// extended grapheme clusters. A cluster shorter than 6 UTF-8 bytes is first looked up
// whole; otherwise, or when that finds nothing, each scalar is looked up on its own. A
// lookup takes the *shortest* key that is a prefix of the chunk and replaces the *whole*
// chunk with its value, so a cluster like "①" + U+0301 becomes "1": the accent goes with it.
//
// Where the crate would index out of bounds on a malformed trie (and panic), Sift treats
// the lookup as finding nothing.
import Foundation

struct PrecompiledNormalizer: Normalizer {
    private let units: [UInt32]
    private let pool: [UInt8]
    /// The replacement of each ASCII character on its own (the common case), or nil.
    private let asciiReplacements: [Range<Int>?]

    init(base64: String) throws(TokenizerError) {
        guard let data = Data(base64Encoded: base64) else {
            throw .invalidConfig("Precompiled precompiled_charsmap is not valid base64")
        }
        let blob = [UInt8](data)
        guard blob.count >= 4 else {
            throw .invalidConfig("Precompiled charsmap has \(blob.count) bytes, fewer than its 4-byte header")
        }
        let trieBytes = Int(blob[0]) | Int(blob[1]) << 8 | Int(blob[2]) << 16 | Int(blob[3]) << 24
        let unitCount = trieBytes / 4
        guard unitCount > 0 else { throw .invalidConfig("Precompiled charsmap has an empty trie") }
        guard unitCount <= (blob.count - 4) / 4 else {
            throw .invalidConfig("Precompiled charsmap declares a \(trieBytes)-byte trie but has \(blob.count - 4) bytes after its header")
        }
        var units = [UInt32](repeating: 0, count: unitCount)
        for i in 0 ..< unitCount {
            let o = 4 + 4 * i
            units[i] = UInt32(blob[o]) | UInt32(blob[o + 1]) << 8 | UInt32(blob[o + 2]) << 16 | UInt32(blob[o + 3]) << 24
        }
        let pool = Array(blob[(4 + 4 * unitCount)...])
        // Decoding repairs invalid UTF-8, so a round trip that changes the bytes means the
        // pool was not valid UTF-8 (tokenizers refuses such a charsmap too).
        guard Array(String(decoding: pool, as: UTF8.self).utf8) == pool else {
            throw .invalidConfig("Precompiled charsmap replacements are not valid UTF-8")
        }
        self.units = units
        self.pool = pool
        asciiReplacements = units.withUnsafeBufferPointer { trie in
            (0 ..< 128).map { byte in
                withUnsafeBytes(of: UInt8(byte)) { PrecompiledNormalizer.replacement(for: $0.bindMemory(to: UInt8.self), trie: trie, pool: pool) }
            }
        }
    }

    func normalize(_ text: String) -> String {
        // withUTF8 needs a variable (it may first make the string contiguous).
        var storage = text
        var output: [UInt8] = []
        var modified = false
        storage.withUTF8 { bytes in
            units.withUnsafeBufferPointer { trie in
                var walk = Walk(bytes: bytes, trie: trie, pool: pool, ascii: asciiReplacements)
                walk.run()
                if walk.modified {
                    walk.flush(upTo: bytes.count)
                    output = walk.output
                    modified = true
                }
            }
        }
        return modified ? String(decoding: output, as: UTF8.self) : text
    }

    /// One pass over a text. Unchanged bytes are copied in bulk, when a replacement (or the
    /// end) comes, so text the rules leave alone costs no copying at all.
    private struct Walk {
        let bytes: UnsafeBufferPointer<UInt8>
        let trie: UnsafeBufferPointer<UInt32>
        let pool: [UInt8]
        let ascii: [Range<Int>?]
        var output: [UInt8] = []
        var modified = false
        /// bytes[..<copied] are accounted for in `output`.
        var copied = 0

        init(bytes: UnsafeBufferPointer<UInt8>, trie: UnsafeBufferPointer<UInt32>, pool: [UInt8], ascii: [Range<Int>?]) {
            self.bytes = bytes
            self.trie = trie
            self.pool = pool
            self.ascii = ascii
        }

        mutating func run() {
            let clusters = GraphemeClusters(bytes)
            var start = 0
            while start < bytes.count {
                let next = clusters.scalarEnd(start)
                if clusters.isBoundary(next) {
                    // A one-scalar cluster: looking it up whole is looking up the scalar.
                    transformScalar(start ..< next)
                    start = next
                    continue
                }
                let end = clusters.regionEnd(from: start)
                clusters.forEachCluster(in: start ..< end) { transformCluster($0) }
                start = end
            }
        }

        /// A cluster: whole if shorter than 6 bytes and in the trie, else scalar by scalar.
        mutating func transformCluster(_ cluster: Range<Int>) {
            if cluster.count < 6, let replacement = lookup(cluster) {
                replace(cluster, with: replacement)
                return
            }
            var i = cluster.lowerBound
            while i < cluster.upperBound {
                let next = Swift.min(i + GraphemeClusters.scalarLength(lead: bytes[i]), cluster.upperBound)
                transformScalar(i ..< next)
                i = next
            }
        }

        @inline(__always)
        mutating func transformScalar(_ chunk: Range<Int>) {
            let lead = bytes[chunk.lowerBound]
            let replacement = lead < 0x80 ? ascii[Int(lead)] : lookup(chunk)
            if let replacement { replace(chunk, with: replacement) }
        }

        func lookup(_ chunk: Range<Int>) -> Range<Int>? {
            PrecompiledNormalizer.replacement(for: UnsafeBufferPointer(rebasing: bytes[chunk]), trie: trie, pool: pool)
        }

        mutating func replace(_ chunk: Range<Int>, with replacement: Range<Int>) {
            if !modified {
                output.reserveCapacity(bytes.count + bytes.count / 4 + 16)
                modified = true
            }
            flush(upTo: chunk.lowerBound)
            output.append(contentsOf: pool[replacement])
            copied = chunk.upperBound
        }

        mutating func flush(upTo end: Int) {
            if copied < end { output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied ..< end])) }
            copied = end
        }
    }

    /// The pool bytes that replace `chunk`: the value of the shortest trie key that is a
    /// prefix of `chunk`, up to the next NUL.
    private static func replacement(for chunk: UnsafeBufferPointer<UInt8>, trie: UnsafeBufferPointer<UInt32>,
                                    pool: [UInt8]) -> Range<Int>? {
        guard let value = firstPrefixValue(chunk, trie: trie) else { return nil }
        let start = Int(value)
        // The crate slices the pool as a String: the offset must be in bounds and not inside
        // a multi-byte scalar.
        guard start <= pool.count else { return nil }
        if start < pool.count, pool[start] & 0xC0 == 0x80 { return nil }
        var end = start
        while end < pool.count, pool[end] != 0 { end += 1 }
        return start ..< end
    }

    /// The value of the shortest key in the trie that is a prefix of `key`. A NUL byte ends
    /// the key, as in Darts.
    @inline(__always)
    private static func firstPrefixValue(_ key: UnsafeBufferPointer<UInt8>, trie units: UnsafeBufferPointer<UInt32>) -> UInt32? {
        var position = offset(units[0])
        for byte in key {
            if byte == 0 { return nil }
            position ^= Int(byte)
            guard position < units.count else { return nil }
            let unit = units[position]
            // The label test also fails for a unit with bit 31 set (a value, not a label).
            guard unit & (0x8000_0000 | 0xFF) == UInt32(byte) else { return nil }
            position ^= offset(unit)
            if unit & 0x100 != 0 {
                guard position < units.count else { return nil }
                return units[position] & 0x7FFF_FFFF
            }
        }
        return nil
    }

    @inline(__always)
    private static func offset(_ unit: UInt32) -> Int {
        Int((unit >> 10) << ((unit & 0x200) >> 6))
    }
}

/// Extended grapheme cluster boundaries in UTF-8 text, as tokenizers' unicode-segmentation
/// finds them. Between two scalars of `graphemeIsolated` (most letters, digits, symbols
/// and CJK) there is always a boundary, which is decided here; any stretch of text
/// between two such boundaries is segmented by Swift's `Character` rules.
struct GraphemeClusters {
    private let bytes: UnsafeBufferPointer<UInt8>

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Length of the UTF-8 sequence a lead byte starts.
    @inline(__always)
    static func scalarLength(lead: UInt8) -> Int {
        lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
    }

    /// Where the scalar starting at byte `i` ends.
    @inline(__always)
    func scalarEnd(_ i: Int) -> Int {
        Swift.min(i + GraphemeClusters.scalarLength(lead: bytes[i]), bytes.count)
    }

    /// Whether the scalar starting at byte `i` is in `graphemeIsolated`.
    @inline(__always)
    private func isIsolated(_ i: Int) -> Bool {
        let lead = bytes[i]
        if lead < 0x80 { return lead != 0x0D }
        var value = UInt32(lead & (lead < 0xE0 ? 0x1F : lead < 0xF0 ? 0x0F : 0x07))
        var k = i + 1
        let end = scalarEnd(i)
        while k < end { value = value << 6 | UInt32(bytes[k] & 0x3F); k += 1 }
        return value < 0x300 || CompatibilityTables.contains(CompatibilityTables.graphemeIsolated, value)
    }

    /// Whether byte offset `i`, the start of a scalar after at least one other, is a known
    /// cluster boundary: the end of the text, or between two isolated scalars.
    @inline(__always)
    func isBoundary(_ i: Int) -> Bool {
        guard i < bytes.count else { return true }
        var previous = i - 1
        while previous > 0, bytes[previous] & 0xC0 == 0x80 { previous -= 1 }
        return isIsolated(previous) && isIsolated(i)
    }

    /// The first known boundary after `start`.
    func regionEnd(from start: Int) -> Int {
        var previousIsolated = isIsolated(start)
        var i = scalarEnd(start)
        while i < bytes.count {
            let isolated = isIsolated(i)
            if previousIsolated, isolated { return i }
            previousIsolated = isolated
            i = scalarEnd(i)
        }
        return bytes.count
    }

    /// Calls `body` with the byte range of each cluster in `region`, which must start and
    /// end on boundaries.
    func forEachCluster(in region: Range<Int>, _ body: (Range<Int>) -> Void) {
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[region]), as: UTF8.self)
        var start = region.lowerBound
        for character in text {
            let end = start + character.utf8.count
            body(start ..< end)
            start = end
        }
    }
}
