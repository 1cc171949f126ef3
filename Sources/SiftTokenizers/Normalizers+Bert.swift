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

struct BertNormalizer: Normalizer {
    let cleanText: Bool
    let handleChineseChars: Bool
    let stripAccents: Bool
    let lowercase: Bool

    private static let nfd = UnicodeFormNormalizer(.nfd)

    func normalize(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for u in text.unicodeScalars {
            var u = u
            if cleanText {
                if BertNormalizer.isRemoved(u) { continue }
                if u.properties.isWhitespace { u = " " }
            }
            if handleChineseChars, BertNormalizer.isChineseCharacter(u) {
                out.append(" ")
                out.append(u)
                out.append(" ")
            } else {
                out.append(u)
            }
        }
        guard stripAccents || lowercase else { return String(out) }

        var decomposed = String(out)
        if stripAccents { decomposed = BertNormalizer.nfd.normalize(decomposed) }
        var result = String.UnicodeScalarView()
        for u in decomposed.unicodeScalars {
            // No Mn character lies below U+0300.
            if stripAccents, u.value >= 0x300,
               CompatibilityTables.contains(CompatibilityTables.bertNonspacingMarks, u.value) { continue }
            if lowercase {
                LowercaseNormalizer.append(u, to: &result)
            } else {
                result.append(u)
            }
        }
        return String(result)
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
