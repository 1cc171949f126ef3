// The character-class pre-tokenizers of `tokenizers`, and the factory that builds any
// pre-tokenizer from its configuration. ByteLevel and Split live in their own files.

/// Character classes as Rust's `char` methods define them.
extension Unicode.Scalar {
    /// `char::is_whitespace`: the Unicode White_Space property.
    var isWhitespace: Bool {
        if isASCII { return value == 0x20 || (0x09 ... 0x0D).contains(value) }
        return properties.isWhitespace
    }

    /// `char::is_numeric`: general categories Nd, Nl, No.
    var isNumeric: Bool {
        switch properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    /// `char::is_alphanumeric`: Alphabetic or numeric.
    var isAlphanumeric: Bool { properties.isAlphabetic || isNumeric }

    /// tokenizers' `is_punc`: ASCII punctuation (which includes symbols like $ + < = > ^ ` | ~)
    /// or a Unicode punctuation category (Pc, Pd, Ps, Pe, Pi, Pf, Po).
    var isPunctuation: Bool {
        if isASCII {
            let v = value
            return (0x21 ... 0x2F).contains(v) || (0x3A ... 0x40).contains(v) || (0x5B ... 0x60).contains(v) || (0x7B ... 0x7E).contains(v)
        }
        switch properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// Oniguruma's `\w` for Unicode text: letters, marks, decimal digits, connector
    /// punctuation (and the joiners).
    var isWordCharacter: Bool {
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation:
            return true
        default:
            return properties.isAlphabetic || value == 0x200C || value == 0x200D
        }
    }
}

/// BERT's rule: split on whitespace (dropped), then isolate each punctuation character.
struct BertPreTokenizer: PreTokenizer {
    /// Whitespace separates (and is dropped), each punctuation character stands alone: one
    /// pass over the scalars, pieces cut from the text's UTF-8 without per-scalar strings.
    func split(_ text: String) -> [String] {
        var pieces: [String] = []
        let utf8 = text.utf8
        var start: String.Index? = nil
        var i = text.unicodeScalars.startIndex
        let end = text.unicodeScalars.endIndex
        while i < end {
            let c = text.unicodeScalars[i]
            let next = text.unicodeScalars.index(after: i)
            if c.isWhitespace || c.isPunctuation {
                if let s = start { pieces.append(String(utf8[s ..< i])!) }
                start = nil
                if !c.isWhitespace { pieces.append(String(utf8[i ..< next])!) }
            } else if start == nil {
                start = i
            }
            i = next
        }
        if let s = start { pieces.append(String(utf8[s ..< end])!) }
        return pieces
    }
}

/// Splits on whitespace, which is dropped.
struct WhitespaceSplitPreTokenizer: PreTokenizer {
    func split(_ text: String) -> [String] {
        SplitBehavior.removed.split(text.scalars, where: \.isWhitespace)
    }
}

/// The `\w+|[^\w\s]+` rule: runs of word characters, and runs of other non-space characters.
struct WhitespacePreTokenizer: PreTokenizer {
    func split(_ text: String) -> [String] {
        var pieces: [String] = []
        var current = Scalars()
        var currentIsWord = false
        for c in text.unicodeScalars {
            if c.isWhitespace {
                if !current.isEmpty { pieces.append(String(current[...])); current.removeAll(keepingCapacity: true) }
                continue
            }
            let isWord = c.isWordCharacter
            if !current.isEmpty, isWord != currentIsWord {
                pieces.append(String(current[...]))
                current.removeAll(keepingCapacity: true)
            }
            current.append(c)
            currentIsWord = isWord
        }
        if !current.isEmpty { pieces.append(String(current[...])) }
        return pieces
    }
}

struct PunctuationPreTokenizer: PreTokenizer {
    let behavior: SplitBehavior
    func split(_ text: String) -> [String] {
        behavior.split(text.scalars, where: \.isPunctuation)
    }
}

/// Digits: each digit alone (`individual`), or runs of digits kept together.
struct DigitsPreTokenizer: PreTokenizer {
    let individual: Bool
    func split(_ text: String) -> [String] {
        individual
            ? SplitBehavior.isolated.split(text.scalars, where: \.isNumeric)
            : SplitBehavior.contiguous.split(text.scalars, where: \.isNumeric)
    }
}

/// A pre-tokenizer whose result depends on whether the text starts the input (Metaspace's
/// "first" prepend scheme adds its marker only there, not after an added token).
protocol StartAwarePreTokenizer: PreTokenizer {
    func split(_ text: String, atStart: Bool) -> [String]
}

/// SentencePiece's whitespace handling: every space becomes the replacement character
/// (▁), which is prepended as the scheme says; then the text is split before each ▁.
struct MetaspacePreTokenizer: StartAwarePreTokenizer {
    let replacement: Unicode.Scalar
    let prependScheme: PrependScheme
    let splits: Bool

    func split(_ text: String) -> [String] { split(text, atStart: true) }

    func split(_ text: String, atStart: Bool) -> [String] {
        var s = Scalars()
        s.reserveCapacity(text.unicodeScalars.count + 1)
        for c in text.unicodeScalars { s.append(c == " " ? replacement : c) }
        let prepend: Bool
        switch prependScheme {
        case .always: prepend = s.first != replacement
        case .first: prepend = atStart && s.first != replacement
        case .never: prepend = false
        }
        if prepend { s.insert(replacement, at: 0) }
        guard splits else { return s.isEmpty ? [] : [String(s[...])] }
        var delimiters: [Range<Int>] = []
        for (i, c) in s.enumerated() where c == replacement { delimiters.append(i ..< i + 1) }
        return SplitBehavior.mergedWithNext.split(s, delimiters: delimiters)
    }
}

/// Runs each stage on every piece of the previous one.
struct SequencePreTokenizer: StartAwarePreTokenizer {
    let stages: [any PreTokenizer]

    func split(_ text: String) -> [String] { split(text, atStart: true) }

    func split(_ text: String, atStart: Bool) -> [String] {
        var pieces = [text]
        for stage in stages {
            var next: [String] = []
            for (i, p) in pieces.enumerated() {
                next.append(contentsOf: preTokenize(p, with: stage, atStart: atStart && i == 0))
            }
            pieces = next
        }
        return pieces
    }
}

/// Applies `stage`, telling a start-aware stage whether `text` begins the input.
func preTokenize(_ text: String, with stage: any PreTokenizer, atStart: Bool) -> [String] {
    stage.split(text, atStart: atStart)
}

func makePreTokenizer(_ config: PreTokenizerConfig) throws(TokenizerError) -> any PreTokenizer {
    switch config {
    case .bert: return BertPreTokenizer()
    case .whitespace: return WhitespacePreTokenizer()
    case .whitespaceSplit: return WhitespaceSplitPreTokenizer()
    case .punctuation(let behavior): return PunctuationPreTokenizer(behavior: behavior)
    case .digits(let individual): return DigitsPreTokenizer(individual: individual)
    case .metaspace(let replacement, let scheme, let split):
        guard let r = replacement.unicodeScalars.first, replacement.unicodeScalars.count == 1 else {
            throw .invalidConfig("Metaspace replacement \(replacement) must be a single Unicode scalar")
        }
        return MetaspacePreTokenizer(replacement: r, prependScheme: scheme, splits: split)
    case .byteLevel(let addPrefixSpace, let useRegex):
        return ByteLevelPreTokenizer(addPrefixSpace: addPrefixSpace, useRegex: useRegex)
    case .split(let pattern, let behavior, let invert):
        return try SplitPreTokenizer(pattern: pattern, behavior: behavior, invert: invert)
    case .sequence(let stages):
        var built: [any PreTokenizer] = []
        for s in stages { built.append(try makePreTokenizer(s)) }
        return SequencePreTokenizer(stages: built)
    case .unsupported(let type):
        throw .unsupported(component: "pre-tokenizer", type: type)
    }
}
