// The normalizers of `tokenizers`, and the factory that builds any normalizer from its
// configuration. BertNormalizer, the Unicode forms and SentencePiece's precompiled
// charsmap live in their own files (Normalizers+Bert, Normalizers+Unicode, Precompiled).
//
// Reference: tokenizers 0.23, src/normalizers/ and the NormalizedString methods they call.
// Each normalizer here rewrites the text as a whole; Sift does not track alignments.
import Foundation

/// Builds the normalizer a tokenizer.json `normalizer` object describes.
func makeNormalizer(_ config: NormalizerConfig) throws(TokenizerError) -> any Normalizer {
    switch config {
    case .bert(let cleanText, let handleChineseChars, let stripAccents, let lowercase):
        // A null strip_accents means "strip when lowercasing", as BERT's uncased models do.
        return BertNormalizer(cleanText: cleanText, handleChineseChars: handleChineseChars,
                              stripAccents: stripAccents ?? lowercase, lowercase: lowercase)
    case .nfc: return UnicodeFormNormalizer(.nfc)
    case .nfd: return UnicodeFormNormalizer(.nfd)
    case .nfkc: return UnicodeFormNormalizer(.nfkc)
    case .nfkd: return UnicodeFormNormalizer(.nfkd)
    case .lowercase: return LowercaseNormalizer()
    case .stripAccents: return StripAccentsNormalizer()
    case .strip(let left, let right): return StripNormalizer(left: left, right: right)
    case .replace(let pattern, let content): return try ReplaceNormalizer(pattern: pattern, content: content)
    case .prepend(let prefix): return PrependNormalizer(prefix: prefix)
    case .precompiled(let charsmap): return try PrecompiledNormalizer(base64: charsmap)
    case .sequence(let configs):
        var stages: [any Normalizer] = []
        for c in configs { stages.append(try makeNormalizer(c)) }
        return SequenceNormalizer(stages: stages)
    case .unsupported(let type): throw .unsupported(component: "normalizer", type: type)
    }
}

/// Runs normalizers one after the other.
struct SequenceNormalizer: Normalizer {
    let stages: [any Normalizer]

    func normalize(_ text: String) -> String {
        stages.reduce(text) { $1.normalize($0) }
    }
}

/// Lowercases each scalar on its own, with the full (possibly multi-scalar) mapping and no
/// context, as Rust's `char::to_lowercase` does: "İ" becomes "i̇", a final "Σ" becomes "σ".
struct LowercaseNormalizer: Normalizer {
    func normalize(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for u in text.unicodeScalars {
            if u.isASCII {
                out.append(LowercaseNormalizer.lowerASCII(UInt8(u.value)))
            } else if u.properties.changesWhenLowercased {
                for l in u.properties.lowercaseMapping.unicodeScalars { out.append(contentsOf: UTF8.encode(l) ?? UTF8.EncodedScalar()) }
            } else {
                out.append(contentsOf: UTF8.encode(u) ?? UTF8.EncodedScalar())
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    @inline(__always)
    static func lowerASCII(_ b: UInt8) -> UInt8 {
        b &- 0x41 < 26 ? b | 0x20 : b
    }
}

/// Removes Unicode White_Space (Rust's `char::is_whitespace`) from either end.
struct StripNormalizer: Normalizer {
    let left: Bool
    let right: Bool

    func normalize(_ text: String) -> String {
        let scalars = text.unicodeScalars
        var start = scalars.startIndex, end = scalars.endIndex
        if left {
            while start < end, scalars[start].properties.isWhitespace { start = scalars.index(after: start) }
        }
        if right {
            while end > start, scalars[scalars.index(before: end)].properties.isWhitespace { end = scalars.index(before: end) }
        }
        return String(scalars[start ..< end])
    }
}

/// Removes combining marks (Mn, Mc, Me) without decomposing first: "é" precomposed stays,
/// "e" + U+0301 loses its accent. Pair it with NFD or NFKD to strip all accents.
struct StripAccentsNormalizer: Normalizer {
    func normalize(_ text: String) -> String {
        // No combining mark lies below U+0300.
        guard text.unicodeScalars.contains(where: { $0.value >= 0x300 }) else { return text }
        var out = String.UnicodeScalarView()
        for u in text.unicodeScalars where !CompatibilityTables.contains(CompatibilityTables.combiningMarks, u.value) {
            out.append(u)
        }
        return String(out)
    }
}

/// Puts `prefix` in front of any non-empty text.
struct PrependNormalizer: Normalizer {
    let prefix: String

    func normalize(_ text: String) -> String {
        text.isEmpty ? text : prefix + text
    }
}
