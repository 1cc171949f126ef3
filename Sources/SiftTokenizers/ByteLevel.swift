// GPT-2's byte-level pre-tokenizer: optionally a space in front, optionally the GPT-2 split
// pattern, then every UTF-8 byte of every piece replaced by one printable character, so a
// byte-level BPE vocabulary covers any text without an unknown token.
//
// The byte → character alphabet: bytes that are printable and not whitespace in Latin-1
// (! … ~, ¡ … ¬, ® … ÿ) stand for themselves; the other 68 take U+0100, U+0101, … in byte
// order. Space (0x20) thus becomes Ġ (U+0120) and newline (0x0A) Ċ (U+010A).

/// The 256 characters that byte-level BPE vocabularies spell bytes with.
public enum ByteLevelAlphabet {
    /// The character standing for each byte, indexed by the byte.
    public static let characters: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 0x100
        for b in 0 ..< 256 {
            let printable = (0x21 ... 0x7E).contains(b) || (0xA1 ... 0xAC).contains(b) || (0xAE ... 0xFF).contains(b)
            // Both ranges hold valid scalars (at most U+0143), so the fallback never runs.
            table[b] = Unicode.Scalar(printable ? UInt32(b) : next) ?? " "
            if !printable { next += 1 }
        }
        return table
    }()

    /// The byte a character stands for, or nil if it is not one of the 256.
    public static func byte(for c: Unicode.Scalar) -> UInt8? {
        let v = c.value
        guard v < 0x144 else { return nil }
        let b = bytesByCharacter[Int(v)]
        return b < 0 ? nil : UInt8(b)
    }

    /// `text`'s UTF-8 bytes, each spelled with its character.
    public static func encode(_ text: String) -> String {
        var text = text
        return text.withUTF8 { encode($0) }
    }

    /// The bytes a byte-level token spells, or nil if it has a character outside the alphabet.
    public static func decode(_ token: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(token.unicodeScalars.count)
        for c in token.unicodeScalars {
            guard let b = byte(for: c) else { return nil }
            bytes.append(b)
        }
        return bytes
    }

    /// Character value → byte, -1 for characters outside the alphabet (all are below U+0144).
    private static let bytesByCharacter: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x144)
        for (b, c) in characters.enumerated() { table[Int(c.value)] = Int16(b) }
        return table
    }()

    /// Each byte's character as UTF-8 (one or two bytes), packed: low byte first, 0 if unused.
    private static let utf8OfByte: [UInt16] = characters.map { c in
        c.value < 0x80 ? UInt16(c.value) : UInt16(0xC0 | (c.value >> 6)) | UInt16(0x80 | (c.value & 0x3F)) << 8
    }

    static func encode(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        // Every character is one or two bytes of UTF-8.
        String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            var n = 0
            for b in bytes {
                let u = utf8OfByte[Int(b)]
                out[n] = UInt8(truncatingIfNeeded: u)
                n += 1
                if u > 0xFF {
                    out[n] = UInt8(truncatingIfNeeded: u >> 8)
                    n += 1
                }
            }
            return n
        }
    }
}

/// The ByteLevel pre-tokenizer of `tokenizers`.
struct ByteLevelPreTokenizer: PreTokenizer {
    /// Put a space in front of a piece that does not start with one, so that the first word
    /// is spelled like any other. tokenizers tests for the space character itself (U+0020),
    /// not any whitespace, and does it for every piece it receives.
    let addPrefixSpace: Bool
    /// Split with GPT-2's pattern first (off when a Split stage before it did the cutting).
    let useRegex: Bool

    private static let gpt2 = HandMatcher(alternatives: SplitPatterns.gpt2Alternatives)

    func split(_ text: String) -> [String] {
        if text.isEmpty { return [] }
        var text = addPrefixSpace && text.utf8.first != 0x20 ? " " + text : text
        return text.withUTF8 { utf8 in
            guard useRegex else { return [ByteLevelAlphabet.encode(utf8)] }
            let scanned = ScannedText(utf8)
            var pieces: [String] = []
            var previous = 0
            func emit(_ r: Range<Int>) {
                let a = Int(scanned.utf8Offsets[r.lowerBound]), b = Int(scanned.utf8Offsets[r.upperBound])
                pieces.append(ByteLevelAlphabet.encode(UnsafeBufferPointer(rebasing: utf8[a ..< b])))
            }
            // GPT-2's pattern ends in \s+, so every scalar is matched; gaps are kept anyway,
            // as Isolated would.
            for m in Self.gpt2.matches(in: scanned) {
                if m.lowerBound > previous { emit(previous ..< m.lowerBound) }
                emit(m)
                previous = m.upperBound
            }
            if previous < scanned.count { emit(previous ..< scanned.count) }
            return pieces
        }
    }
}
