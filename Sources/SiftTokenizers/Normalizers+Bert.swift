// BertNormalizer (tokenizers src/normalizers/bert.rs), in its four steps and order:
//   clean_text            drop NUL, U+FFFD and control/format/private-use characters
//                         (keeping \t \n \r), then turn every White_Space character into ' '
//   handle_chinese_chars  put a space on each side of a CJK ideograph
//   strip_accents         NFD, then drop nonspacing marks (Mn)
//   lowercase             per-scalar full lowercase mapping, as Lowercase does
//
// The control and Mn tests use the sets of tokenizers' own category tables (see
// Normalizers+Tables.swift), not Swift's: they predate some Unicode versions, and know no
// unassigned (Cn) characters, so a newer emoji survives cleaning.
//
// The steps run in one pass. ASCII, the bulk of most text, goes through a 128-entry
// table. Other characters are cleaned and spaced one by one; with strip_accents, runs of
// those NFD can change are decomposed together (NFD never reorders across a starter that
// decomposes to itself, such as any ASCII character), then filtered and lowercased.

struct BertNormalizer: Normalizer {
    let cleanText: Bool
    let handleChineseChars: Bool
    let stripAccents: Bool
    let lowercase: Bool
    /// What each ASCII byte becomes; `removed` if clean_text drops it.
    private let ascii: [UInt8]
    private static let removed: UInt8 = 0xFF
    private static let nfd = UnicodeFormNormalizer(.nfd)

    init(cleanText: Bool, handleChineseChars: Bool, stripAccents: Bool, lowercase: Bool) {
        self.cleanText = cleanText
        self.handleChineseChars = handleChineseChars
        self.stripAccents = stripAccents
        self.lowercase = lowercase
        ascii = (0 ..< 128).map { (b: UInt8) -> UInt8 in
            let u = Unicode.Scalar(b)
            if cleanText, BertNormalizer.isRemoved(u) { return BertNormalizer.removed }
            if cleanText, u.properties.isWhitespace { return 0x20 }
            if lowercase, (0x41 ... 0x5A).contains(b) { return b + 0x20 }
            return b
        }
    }

    func normalize(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 8)
        // Non-ASCII scalars waiting to be decomposed together (strip_accents only).
        var pending = String.UnicodeScalarView()
        for u in text.unicodeScalars {
            if u.isASCII {
                if !pending.isEmpty { flush(&pending, into: &out) }
                let b = ascii[Int(u.value)]
                if b != BertNormalizer.removed { out.append(b) }
                continue
            }
            if cleanText {
                if BertNormalizer.isRemoved(u) { continue }
                if u.properties.isWhitespace {
                    if !pending.isEmpty { flush(&pending, into: &out) }
                    out.append(0x20)
                    continue
                }
            }
            let spaced = handleChineseChars && BertNormalizer.isChineseCharacter(u)
            if spaced {
                if !pending.isEmpty { flush(&pending, into: &out) }
                out.append(0x20)
            }
            if !stripAccents {
                finish(u, into: &out)
            } else if CompatibilityTables.contains(CompatibilityTables.canonicalActive, u.value) {
                pending.append(u)
            } else {
                // Its own NFD, and a starter that no reordering crosses.
                if !pending.isEmpty { flush(&pending, into: &out) }
                if !BertNormalizer.isNonspacingMark(u) { finish(u, into: &out) }
            }
            if spaced {
                if !pending.isEmpty { flush(&pending, into: &out) }
                out.append(0x20)
            }
        }
        if !pending.isEmpty { flush(&pending, into: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decomposes a run of non-ASCII scalars, drops its nonspacing marks, lowercases.
    private func flush(_ pending: inout String.UnicodeScalarView, into out: inout [UInt8]) {
        for u in BertNormalizer.nfd.normalize(String(pending)).unicodeScalars where !BertNormalizer.isNonspacingMark(u) {
            finish(u, into: &out)
        }
        pending = String.UnicodeScalarView()
    }

    /// The last step for one scalar: lowercase if asked, and append as UTF-8.
    @inline(__always)
    private func finish(_ u: Unicode.Scalar, into out: inout [UInt8]) {
        if u.isASCII {
            // Only NFD puts ASCII here ("Å" → "A" + ring), already cleaned.
            out.append(lowercase ? LowercaseNormalizer.lowerASCII(UInt8(u.value)) : UInt8(u.value))
        } else if lowercase, u.properties.changesWhenLowercased {
            for l in u.properties.lowercaseMapping.unicodeScalars { BertNormalizer.append(l, to: &out) }
        } else {
            BertNormalizer.append(u, to: &out)
        }
    }

    private static func append(_ u: Unicode.Scalar, to out: inout [UInt8]) {
        out.append(contentsOf: UTF8.encode(u) ?? UTF8.EncodedScalar())
    }

    /// Mn, in tokenizers' tables (none lies below U+0300).
    @inline(__always)
    static func isNonspacingMark(_ u: Unicode.Scalar) -> Bool {
        u.value >= 0x300 && CompatibilityTables.contains(CompatibilityTables.bertNonspacingMarks, u.value)
    }

    /// What clean_text drops. \t \n \r are controls too, but count as whitespace.
    static func isRemoved(_ u: Unicode.Scalar) -> Bool {
        let v = u.value
        if v == 0x09 || v == 0x0A || v == 0x0D { return false }
        if v >= 0x20 && v < 0x7F { return false }
        return CompatibilityTables.contains(CompatibilityTables.bertRemoved, v)
    }

    /// The CJK Unified Ideographs blocks and extensions tokenizers treats as Chinese. Its
    /// list has a gap at U+2B820…U+2B91F (the start of Extension E) and stops before U+30000.
    static func isChineseCharacter(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x4E00 ... 0x9FFF, 0x3400 ... 0x4DBF, 0x20000 ... 0x2A6DF, 0x2A700 ... 0x2B73F,
             0x2B740 ... 0x2B81F, 0x2B920 ... 0x2CEAF, 0xF900 ... 0xFAFF, 0x2F800 ... 0x2FA1F:
            return true
        default:
            return false
        }
    }
}
