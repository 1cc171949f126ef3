// Character classes of the Split pre-tokenizer's matchers (see Split.swift): the Unicode
// categories the recognised patterns test, with tables for ASCII and the BMP.
// MARK: - Character classes

/// The Unicode classes Oniguruma's patterns test a scalar against, as bits.
struct RegexCategories: OptionSet, Sendable {
    let rawValue: UInt16
    static let space = Self(rawValue: 1 << 0)        // \s: the White_Space property
    static let uppercase = Self(rawValue: 1 << 1)    // Lu
    static let lowercase = Self(rawValue: 1 << 2)    // Ll
    static let titlecase = Self(rawValue: 1 << 3)    // Lt
    static let modifier = Self(rawValue: 1 << 4)     // Lm
    static let otherLetter = Self(rawValue: 1 << 5)  // Lo
    static let mark = Self(rawValue: 1 << 6)         // Mn Mc Me
    static let digit = Self(rawValue: 1 << 7)        // Nd (\d)
    static let otherNumber = Self(rawValue: 1 << 8)  // Nl No
    static let punctuation = Self(rawValue: 1 << 9)  // Pc Pd Ps Pe Pi Pf Po
    static let symbol = Self(rawValue: 1 << 10)      // Sm Sc Sk So

    static let letter: Self = [.uppercase, .lowercase, .titlecase, .modifier, .otherLetter]
    static let number: Self = [.digit, .otherNumber]

    init(rawValue: UInt16) { self.rawValue = rawValue }

    init(of v: UInt32) {
        if v < 0x80 { self = asciiCategories[Int(v)] } else if v < 0x10000 { self = bmpCategories[Int(v)] } else { self = computeCategories(v) }
    }
}

/// The categories of one scalar as Oniguruma sees them. tokenizers 0.23 links Oniguruma
/// with Unicode 16.0 tables, while Swift's runtime may be newer: a character assigned
/// later is unassigned (matches no class) there, and U+0295 was still Ll. (On a runtime
/// older than Unicode 16, characters added since are unknown to both Swift and these rules.)
private func computeCategories(_ v: UInt32) -> RegexCategories {
    guard let s = Unicode.Scalar(v) else { return [] }
    let p = s.properties
    let space: RegexCategories = p.isWhitespace ? .space : []
    if let age = p.age, age.major > 16 { return space }
    if v == 0x0295 { return space.union(.lowercase) }
    switch p.generalCategory {
    case .uppercaseLetter: return space.union(.uppercase)
    case .lowercaseLetter: return space.union(.lowercase)
    case .titlecaseLetter: return space.union(.titlecase)
    case .modifierLetter: return space.union(.modifier)
    case .otherLetter: return space.union(.otherLetter)
    case .nonspacingMark, .spacingMark, .enclosingMark: return space.union(.mark)
    case .decimalNumber: return space.union(.digit)
    case .letterNumber, .otherNumber: return space.union(.otherNumber)
    case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
         .initialPunctuation, .finalPunctuation, .otherPunctuation:
        return space.union(.punctuation)
    case .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol: return space.union(.symbol)
    default: return space
    }
}

let asciiCategories: [RegexCategories] = (0 ..< 0x80).map { computeCategories(UInt32($0)) }

/// The Basic Multilingual Plane, computed once on first use (a property lookup costs ~100 ns;
/// the table makes it one load). The large uniform blocks are filled without asking.
private let bmpCategories: [RegexCategories] = {
    var table = [RegexCategories](repeating: [], count: 0x10000)
    var v: UInt32 = 0
    while v < 0x10000 {
        switch v {
        case 0x3400 ... 0x4DBF, 0x4E00 ... 0x9FFF, 0xAC00 ... 0xD7A3:  // CJK ideographs, Hangul: Lo
            table[Int(v)] = .otherLetter
        case 0xD800 ... 0xF8FF:  // surrogates (not scalars) and private use (Co)
            break
        default:
            table[Int(v)] = computeCategories(v)
        }
        v += 1
    }
    return table
}()

/// A bracket expression or class escape: scalars in any of `categories` or listed
/// explicitly, or (when `negated`) in none of them. Plain data, so that testing a scalar
/// touches no reference counts: listed ASCII scalars are a bitmap, others up to eight ranges.
struct CharClass: Sendable {
    var categories: RegexCategories = []
    private var ascii: (UInt64, UInt64) = (0, 0)
    // Unused lanes hold the empty range 1...0.
    private var low = SIMD8<UInt32>(repeating: 1)
    private var high = SIMD8<UInt32>(repeating: 0)
    var negated = false

    /// `ranges` may hold at most eight ranges beyond ASCII (the tables below need six).
    init(categories: RegexCategories = [], ranges: [ClosedRange<UInt32>] = [], negated: Bool = false) {
        self.categories = categories
        self.negated = negated
        var lane = 0
        for r in ranges {
            var v = r.lowerBound
            while v <= min(r.upperBound, 0x7F) {
                if v < 64 { ascii.0 |= 1 << v } else { ascii.1 |= 1 << (v - 64) }
                v += 1
            }
            guard r.upperBound >= 0x80, lane < 8 else { continue }
            low[lane] = max(r.lowerBound, 0x80)
            high[lane] = r.upperBound
            lane += 1
        }
    }

    @inline(__always)
    func contains(_ v: UInt32, _ c: RegexCategories) -> Bool {
        var hit = c.rawValue & categories.rawValue != 0
        if !hit {
            if v < 64 {
                hit = ascii.0 >> v & 1 != 0
            } else if v < 128 {
                hit = ascii.1 >> (v - 64) & 1 != 0
            } else {
                let s = SIMD8(repeating: v)
                hit = any((s .>= low) .& (s .<= high))
            }
        }
        return hit != negated
    }

    static func of(_ categories: RegexCategories) -> CharClass { CharClass(categories: categories) }
    static func scalars(_ s: String) -> CharClass { CharClass(ranges: s.unicodeScalars.map { $0.value ... $0.value }) }
    static func not(_ categories: RegexCategories, _ s: String = "") -> CharClass {
        CharClass(categories: categories, ranges: s.unicodeScalars.map { $0.value ... $0.value }, negated: true)
    }
}
