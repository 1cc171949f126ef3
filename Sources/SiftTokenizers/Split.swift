// The Split pre-tokenizer: cuts text around the matches of a string or a regular
// expression, treating each match as its SplitBehavior says (optionally inverted, so that
// the text *between* matches is the delimiter).
//
// Hugging Face `tokenizers` compiles the regex with Oniguruma. Real tokenizer.json files use
// a handful of patterns (GPT-2's, cl100k/Llama 3's, Qwen2's, o200k/GPT-4o's, digit and
// CJK splits), so those are recognised by their exact text (the table at the bottom of this
// file) and run by hand-written matchers: faster than any engine, and with Oniguruma's
// semantics spelled out — leftmost position first, then the first
// alternative that matches there, greedy quantifiers giving back one character at a time.
// Any other regex falls back to NSRegularExpression (ICU), with Oniguruma's iteration rule
// for empty matches; ICU and Oniguruma can differ in corner cases (Unicode version, `\h`,
// class set operations), which is why the common patterns never go through it.
import Foundation

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

private let asciiCategories: [RegexCategories] = (0 ..< 0x80).map { computeCategories(UInt32($0)) }

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

// MARK: - Matching

/// A text decoded once for matching: scalars, their categories, and where each starts in
/// the UTF-8 (`utf8Offsets` has one extra entry, the total length).
struct ScannedText {
    let scalars: [Unicode.Scalar]
    let categories: [RegexCategories]
    let utf8Offsets: [Int32]

    init(_ utf8: UnsafeBufferPointer<UInt8>) {
        // Valid UTF-8 (it comes from a String): at most one scalar per byte.
        var count = 0
        var categories: [RegexCategories] = []
        var offsets: [Int32] = []
        let ascii = asciiCategories
        scalars = [Unicode.Scalar](unsafeUninitializedCapacity: utf8.count) { out, initialized in
            categories = [RegexCategories](unsafeUninitializedCapacity: utf8.count) { cats, catCount in
                offsets = [Int32](unsafeUninitializedCapacity: utf8.count + 1) { offs, offCount in
                    var i = 0
                    while i < utf8.count {
                        let b0 = UInt32(utf8[i])
                        var v = b0, width = 1
                        if b0 >= 0x80 {
                            if b0 < 0xE0 {
                                v = (b0 & 0x1F) << 6 | UInt32(utf8[i + 1]) & 0x3F; width = 2
                            } else if b0 < 0xF0 {
                                v = (b0 & 0x0F) << 12 | (UInt32(utf8[i + 1]) & 0x3F) << 6 | UInt32(utf8[i + 2]) & 0x3F; width = 3
                            } else {
                                v = (b0 & 0x07) << 18 | (UInt32(utf8[i + 1]) & 0x3F) << 12 | (UInt32(utf8[i + 2]) & 0x3F) << 6
                                    | UInt32(utf8[i + 3]) & 0x3F; width = 4
                            }
                        }
                        // The decoded value is a valid scalar; the fallback is never taken.
                        out[count] = Unicode.Scalar(v) ?? "\u{FFFD}"
                        cats[count] = v < 0x80 ? ascii[Int(v)] : RegexCategories(of: v)
                        offs[count] = Int32(i)
                        count += 1
                        i += width
                    }
                    offs[count] = Int32(utf8.count)
                    offCount = count + 1
                }
                catCount = count
            }
            initialized = count
        }
        self.categories = categories
        utf8Offsets = offsets
    }

    var count: Int { scalars.count }
}

/// One alternative of a recognised pattern, written out by hand.
enum Alternative: Sendable {
    /// `'s|'t|'re|'ve|'m|'ll|'d`, optionally inside `(?i:…)`.
    case contraction(ignoringCase: Bool)
    /// `prefix? body{min,max} trailing*` (or a required prefix), all greedy.
    case run(Run)
    /// o200k's letter branches: `P?[Lu Lt Lm Lo M]*[Ll Lm Lo M]+C?` (`upperFirst` false) or
    /// `P?[Lu Lt Lm Lo M]+[Ll Lm Lo M]*C?` (true), P = `[^\r\n\p{L}\p{N}]`, C a contraction.
    case casedWord(upperFirst: Bool, contraction: Bool)
    /// `\s*[\r\n]+`
    case lineBreaks
    /// `\s+(?!\S)`: a whitespace run, less its last character when a non-space follows.
    case spacesNotBeforeText

    struct Run: Sendable {
        var prefix: CharClass?
        var prefixRequired = false
        var body: CharClass
        var min = 1
        var max = Int.max
        var trailing: CharClass?
    }

    static func run(_ body: CharClass, prefix: CharClass? = nil, min: Int = 1, max: Int = .max, trailing: CharClass? = nil) -> Alternative {
        .run(Run(prefix: prefix, body: body, min: min, max: max, trailing: trailing))
    }
}

/// Runs a pattern written as alternatives: at each position, the first alternative that
/// matches wins; where none does, the search moves on one scalar.
struct HandMatcher: Sendable {
    /// The alternatives as small plain records, their classes in a table: the loops below
    /// then copy nothing larger than a few bytes.
    fileprivate struct Step: Sendable {
        enum Kind: UInt8 { case contraction, run, casedWord, lineBreaks, spacesNotBeforeText }
        var kind: Kind
        /// ignoringCase (contraction), upperFirst (casedWord), prefixRequired (run).
        var flag = false
        /// The contraction suffix of casedWord.
        var suffix = false
        var prefix: Int8 = -1, body: Int8 = -1, trailing: Int8 = -1
        var min = 1, max = Int.max
    }

    private let steps: [Step]
    private let classes: [CharClass]

    init(alternatives: [Alternative]) {
        var classes: [CharClass] = [CharClass.not(.letter.union(.number), "\r\n")]  // o200k's leading class
        func index(_ c: CharClass?) -> Int8 {
            guard let c else { return -1 }
            classes.append(c)
            return Int8(classes.count - 1)
        }
        steps = alternatives.map { a in
            switch a {
            case .contraction(let ignoringCase): return Step(kind: .contraction, flag: ignoringCase)
            case .run(let r):
                return Step(kind: .run, flag: r.prefixRequired, prefix: index(r.prefix), body: index(r.body),
                            trailing: index(r.trailing), min: r.min, max: r.max)
            case .casedWord(let upperFirst, let contraction): return Step(kind: .casedWord, flag: upperFirst, suffix: contraction)
            case .lineBreaks: return Step(kind: .lineBreaks)
            case .spacesNotBeforeText: return Step(kind: .spacesNotBeforeText)
            }
        }
        self.classes = classes
    }

    /// Non-overlapping matches, as scalar index ranges. None is empty.
    func matches(in t: ScannedText) -> [Range<Int>] {
        var out: [Range<Int>] = []
        out.reserveCapacity(t.count / 3 + 1)
        t.scalars.withUnsafeBufferPointer { s in
            t.categories.withUnsafeBufferPointer { c in
                classes.withUnsafeBufferPointer { classes in
                    steps.withUnsafeBufferPointer { steps in
                        let cursor = Cursor(s: s, c: c, classes: classes)
                        var i = 0
                        while i < s.count {
                            var end: Int?
                            for k in steps.indices {
                                end = cursor.match(steps[k], at: i)
                                if end != nil { break }
                            }
                            if let end {
                                out.append(i ..< end)
                                i = end
                            } else {
                                i += 1
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}

/// The text as unsafe buffers, so that the matching loops carry no reference counting.
private struct Cursor {
    let s: UnsafeBufferPointer<Unicode.Scalar>
    let c: UnsafeBufferPointer<RegexCategories>
    let classes: UnsafeBufferPointer<CharClass>

    @inline(__always) func has(_ k: Int, _ cls: Int8) -> Bool { k < s.count && classes[Int(cls)].contains(s[k].value, c[k]) }
    @inline(__always) func has(_ k: Int, _ cats: RegexCategories) -> Bool { k < s.count && c[k].rawValue & cats.rawValue != 0 }

    @inline(__always)
    func match(_ step: HandMatcher.Step, at i: Int) -> Int? {
        switch step.kind {
        case .contraction: return contraction(at: i, ignoringCase: step.flag)
        case .run: return run(step, at: i)
        case .casedWord: return casedWord(at: i, upperFirst: step.flag, contraction: step.suffix)
        case .lineBreaks: return lineBreaks(at: i)
        case .spacesNotBeforeText: return spacesNotBeforeText(at: i)
        }
    }

    func contraction(at i: Int, ignoringCase: Bool) -> Int? {
        guard i + 1 < s.count, s[i] == "'" else { return nil }
        // Under (?i), Oniguruma folds case as Unicode does: ASCII letters, and ſ (U+017F) is an s.
        func letter(_ k: Int) -> UInt32 {
            guard k < s.count else { return 0 }
            let v = s[k].value
            guard ignoringCase else { return v }
            if v >= 0x41, v <= 0x5A { return v + 0x20 }
            return v == 0x17F ? 0x73 : v
        }
        switch letter(i + 1) {
        case 0x73, 0x74, 0x6D, 0x64: return i + 2  // s t m d
        case 0x72, 0x76: return letter(i + 2) == 0x65 ? i + 3 : nil  // re ve
        case 0x6C: return letter(i + 2) == 0x6C ? i + 3 : nil  // ll
        default: return nil
        }
    }

    func run(_ r: HandMatcher.Step, at i: Int) -> Int? {
        // A greedy `?` tries the prefix first and gives it back if the rest then fails.
        if r.prefix >= 0, has(i, r.prefix), let end = body(r, from: i + 1) { return end }
        return r.prefix >= 0 && r.flag ? nil : body(r, from: i)
    }

    @inline(__always)
    private func body(_ r: HandMatcher.Step, from start: Int) -> Int? {
        var k = start
        while k - start < r.max, has(k, r.body) { k += 1 }
        guard k - start >= r.min else { return nil }
        if r.trailing >= 0 { while has(k, r.trailing) { k += 1 } }
        return k
    }

    /// Class 0 of every matcher: `[^\r\n\p{L}\p{N}]`.
    private static let leading: Int8 = 0
    private static let head: RegexCategories = [.uppercase, .titlecase, .modifier, .otherLetter, .mark]
    private static let tail: RegexCategories = [.lowercase, .modifier, .otherLetter, .mark]

    func casedWord(at i: Int, upperFirst: Bool, contraction withSuffix: Bool) -> Int? {
        // With the optional leading character first, then without it.
        var start = has(i, Self.leading) ? i + 1 : i
        while true {
            defer { start = i }
            var headEnd = start
            while has(headEnd, Self.head) { headEnd += 1 }
            var tailStart: Int?
            if upperFirst {
                // [head]+[tail]*: the head run must be non-empty; the tail may be empty.
                if headEnd > start { tailStart = headEnd }
            } else {
                // [head]*[tail]+: the head gives back characters one at a time until a tail
                // character can start (the classes overlap in Lm, Lo and M).
                var k = headEnd
                while true {
                    if has(k, Self.tail) { tailStart = k; break }
                    if k == start { break }
                    k -= 1
                }
            }
            guard let tailStart else {
                if start == i { return nil }
                continue
            }
            var end = tailStart
            while has(end, Self.tail) { end += 1 }
            if withSuffix, let e = contraction(at: end, ignoringCase: true) { end = e }
            return end
        }
    }

    private func spaceRunEnd(from i: Int) -> Int {
        var k = i
        while has(k, .space) { k += 1 }
        return k
    }

    func lineBreaks(at i: Int) -> Int? {
        // \s* takes the whole run, then gives back until [\r\n]+ can match: the match ends
        // just after the run's last line break.
        var k = spaceRunEnd(from: i)
        while k > i {
            k -= 1
            if s[k] == "\n" || s[k] == "\r" { return k + 1 }
        }
        return nil
    }

    func spacesNotBeforeText(at i: Int) -> Int? {
        let end = spaceRunEnd(from: i)
        if end == i { return nil }
        if end == s.count { return end }
        return end - i >= 2 ? end - 1 : nil
    }
}

/// Any other regex, through ICU. Matches are found with ICU's own iteration, then filtered
/// by the rule of the `onig` crate's find_iter that tokenizers uses: an empty match where
/// the previous match ended is dropped (after a match, the search resumes at its end).
final class ICUMatcher: @unchecked Sendable {
    // NSRegularExpression is immutable and documented safe to share between threads.
    private let regex: NSRegularExpression

    init(_ pattern: String) throws(TokenizerError) {
        do {
            // Oniguruma's ^ and $ are line anchors, and only \n ends a line.
            regex = try NSRegularExpression(pattern: Self.translate(pattern), options: [.anchorsMatchLines, .useUnixLineSeparators])
        } catch {
            throw .invalidConfig("Split regex \(pattern.debugDescription) does not compile: \(error)")
        }
    }

    /// Oniguruma's escapes whose ICU meaning differs, spelled as explicit sets. `\w` leaves
    /// out the joiners and, outside brackets only, takes in ² ³ ¹ ¼ ½ ¾ (an Oniguruma quirk,
    /// checked against tokenizers); `\h` is a hex digit, not a horizontal space. ICU reads a
    /// bracketed set inside a bracket expression as a union, so one spelling serves both.
    static func translate(_ pattern: String) -> String {
        let word = #"\p{Alphabetic}\p{M}\p{Nd}\p{Pc}"#, latin = #"\u00B2\u00B3\u00B9\u00BC-\u00BE"#
        var out = ""
        var escaped = false
        var depth = 0
        for c in pattern.unicodeScalars {
            if escaped {
                switch c {
                case "w": out += depth > 0 ? "[\(word)]" : "[\(word)\(latin)]"
                case "W": out += depth > 0 ? "[^\(word)]" : "[^\(word)\(latin)]"
                case "h": out += "[0-9a-fA-F]"
                case "H": out += "[^0-9a-fA-F]"
                default: out.unicodeScalars.append("\\"); out.unicodeScalars.append(c)
                }
                escaped = false
                continue
            }
            if c == "\\" { escaped = true; continue }
            if c == "[" { depth += 1 } else if c == "]", depth > 0 { depth -= 1 }
            out.unicodeScalars.append(c)
        }
        if escaped { out += "\\" }
        return out
    }

    func matches(in text: String, _ t: ScannedText) -> [Range<Int>] {
        // UTF-16 offset → scalar index.
        var scalarIndex = [Int](repeating: 0, count: text.utf16.count + 1)
        var u = 0
        for (i, s) in t.scalars.enumerated() {
            let w = UTF16.width(s)
            for k in 0 ..< w { scalarIndex[u + k] = i }
            u += w
        }
        scalarIndex[u] = t.count
        var out: [Range<Int>] = []
        var previousEnd = -1
        for m in regex.matches(in: text, options: [], range: NSRange(location: 0, length: u)) {
            let r = m.range
            guard r.location != NSNotFound, r.length > 0 || r.location != previousEnd else { continue }
            previousEnd = r.location + r.length
            out.append(scalarIndex[r.location] ..< scalarIndex[r.location + r.length])
        }
        return out
    }
}

// MARK: - The pre-tokenizer

struct SplitPreTokenizer: PreTokenizer {
    private enum Matcher: Sendable {
        case hand(HandMatcher)
        case icu(ICUMatcher)
        case literal([Unicode.Scalar])
    }

    private let matcher: Matcher
    let behavior: SplitBehavior
    let invert: Bool

    init(pattern: Pattern, behavior: SplitBehavior, invert: Bool) throws(TokenizerError) {
        switch pattern {
        case .string(let s): matcher = .literal(Array(s.unicodeScalars))
        case .regex(let r):
            if let hand = SplitPatterns.matcher(for: r) { matcher = .hand(hand) } else { matcher = .icu(try ICUMatcher(r)) }
        }
        self.behavior = behavior
        self.invert = invert
    }

    func split(_ text: String) -> [String] {
        var text = text
        return text.withUTF8 { utf8 in
            let scanned = ScannedText(utf8)
            let found: [Range<Int>]
            switch matcher {
            case .hand(let m): found = m.matches(in: scanned)
            case .icu(let m): found = m.matches(in: String(decoding: utf8, as: UTF8.self), scanned)
            case .literal(let needle): found = Self.occurrences(of: needle, in: scanned.scalars)
            }
            if behavior == .isolated, !invert, !found.contains(where: { $0.isEmpty }) {
                // The common case, cut straight from the UTF-8: matches and the gaps between
                // them, each its own piece (what SplitBehavior.isolated yields).
                return Self.isolatedPieces(found, scanned, utf8)
            }
            if invert { return Self.invertedPieces(found, scanned.scalars, behavior) }
            return behavior.split(scanned.scalars, delimiters: found)
        }
    }

    /// Left-to-right, non-overlapping occurrences. An empty needle matches at every
    /// position (Oniguruma's empty regex), so each scalar ends up on its own.
    static func occurrences(of needle: [Unicode.Scalar], in s: [Unicode.Scalar]) -> [Range<Int>] {
        if needle.isEmpty { return (0 ... s.count).map { $0 ..< $0 } }
        var out: [Range<Int>] = []
        var i = 0
        while i + needle.count <= s.count {
            if s[i] == needle[0], s[i ..< i + needle.count].elementsEqual(needle) {
                out.append(i ..< i + needle.count)
                i += needle.count
            } else {
                i += 1
            }
        }
        return out
    }

    /// An inverted split: the text between matches is the delimiter, and each match stays
    /// its own span even when two touch (or one is empty) — which a list of delimiters
    /// cannot say, so the shared rule is applied here to explicit spans, as tokenizers does.
    static func invertedPieces(_ found: [Range<Int>], _ s: [Unicode.Scalar], _ behavior: SplitBehavior) -> [String] {
        var spans: [(Range<Int>, isDelimiter: Bool)] = []
        var previous = 0
        for m in found {
            if m.lowerBound > previous { spans.append((previous ..< m.lowerBound, true)) }
            spans.append((m, false))
            previous = m.upperBound
        }
        if previous < s.count { spans.append((previous ..< s.count, true)) }
        var pieces: [Range<Int>] = []
        switch behavior {
        case .isolated: pieces = spans.map(\.0)
        case .removed: pieces = spans.filter { !$0.isDelimiter }.map(\.0)
        case .contiguous, .mergedWithPrevious:
            var previousIsDelimiter = false
            for (r, isDelimiter) in spans {
                let merge = behavior == .contiguous ? isDelimiter == previousIsDelimiter : isDelimiter && !previousIsDelimiter
                if merge, let last = pieces.last { pieces[pieces.count - 1] = last.lowerBound ..< r.upperBound } else { pieces.append(r) }
                previousIsDelimiter = isDelimiter
            }
        case .mergedWithNext:
            var previousIsDelimiter = false
            for (r, isDelimiter) in spans.reversed() {
                if isDelimiter, !previousIsDelimiter, let last = pieces.last { pieces[pieces.count - 1] = r.lowerBound ..< last.upperBound } else { pieces.append(r) }
                previousIsDelimiter = isDelimiter
            }
            pieces.reverse()
        }
        return pieces.filter { !$0.isEmpty }.map { String(s[$0]) }
    }

    static func isolatedPieces(_ found: [Range<Int>], _ t: ScannedText, _ utf8: UnsafeBufferPointer<UInt8>) -> [String] {
        var pieces: [String] = []
        pieces.reserveCapacity(found.count * 2 + 1)
        func emit(_ r: Range<Int>) {
            let a = Int(t.utf8Offsets[r.lowerBound]), b = Int(t.utf8Offsets[r.upperBound])
            pieces.append(String(decoding: UnsafeBufferPointer(rebasing: utf8[a ..< b]), as: UTF8.self))
        }
        var previous = 0
        for m in found {
            if m.lowerBound > previous { emit(previous ..< m.lowerBound) }
            emit(m)
            previous = m.upperBound
        }
        if previous < t.count { emit(previous ..< t.count) }
        return pieces
    }
}

// MARK: - Recognised patterns

/// Patterns found in real tokenizer.json files (and llama.cpp's GGUF pre-tokenizer table),
/// keyed by their exact text, each written out as alternatives.
enum SplitPatterns {
    private static let letters = CharClass.of(.letter)
    private static let numbers = CharClass.of(.number)
    private static let spaces = CharClass.of(.space)
    private static let space = CharClass.scalars(" ")
    private static let lineBreak = CharClass.scalars("\r\n")
    /// `[^\s\p{L}\p{N}]`
    private static let other = CharClass.not([.space, .letter, .number])
    /// `[^\r\n\p{L}\p{N}]`
    private static let leading = CharClass.not([.letter, .number], "\r\n")
    private static let whitespaceTail: [Alternative] = [.lineBreaks, .spacesNotBeforeText, .run(spaces)]

    /// GPT-2's, which the ByteLevel pre-tokenizer runs when `use_regex` is set.
    static let gpt2Alternatives: [Alternative] = [
        .contraction(ignoringCase: false), .run(letters, prefix: space), .run(numbers, prefix: space),
        .run(other, prefix: space), .spacesNotBeforeText, .run(spaces),
    ]

    /// cl100k's shape (Llama 3, Qwen2, …), differing in how many digits go together.
    private static func cl100k(digits: Int, contractions: Bool = true) -> [Alternative] {
        (contractions ? [.contraction(ignoringCase: true)] : [])
            + [.run(letters, prefix: leading), .run(numbers, max: digits), .run(other, prefix: space, trailing: lineBreak)]
            + whitespaceTail
    }

    /// o200k's shape (GPT-4o, Llama 4, Tekken), which splits words at case changes.
    private static func o200k(digits: Int, contractions: Bool) -> [Alternative] {
        [.casedWord(upperFirst: false, contraction: contractions), .casedWord(upperFirst: true, contraction: contractions),
         .run(numbers, max: digits), .run(other, prefix: space, trailing: .scalars("\r\n/"))]
            + whitespaceTail
    }

    private static let entries: [(String, [Alternative])] = [
        (#"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#, gpt2Alternatives),
        (#"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)"#, gpt2Alternatives.dropLast()),
        (#"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#, cl100k(digits: 3)),
        (#"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#, cl100k(digits: 1)),
        (#"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}+| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#, cl100k(digits: .max)),
        (#"[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#, cl100k(digits: 1, contractions: false)),
        // Seed-Coder: the \r\n excluded from the symbol run are whitespace anyway.
        (#"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1}| ?[^\s\p{L}\p{N}\r\n]+|\s*[\r\n]+|\s+(?!\S)|\s+"#,
         [.contraction(ignoringCase: true), .run(letters, prefix: leading), .run(numbers, max: 1), .run(other, prefix: space)] + whitespaceTail),
        // Qwen3.5: marks join letters.
        (#"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#,
         [.contraction(ignoringCase: true), .run(.of(RegexCategories.letter.union(.mark)), prefix: leading), .run(numbers, max: 1),
          .run(.not([.space, .letter, .mark, .number]), prefix: space, trailing: lineBreak)] + whitespaceTail),
        (#"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"#,
         o200k(digits: 3, contractions: true)),
        (#"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"#,
         o200k(digits: 1, contractions: true)),
        (#"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"#,
         o200k(digits: 1, contractions: false)),
        (#"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"#,
         o200k(digits: 3, contractions: false)),
        // Digit splits (StarCoder, SmolLM, Falcon, DeepSeek) and line splits (Gemma 4).
        (#"\p{N}"#, [.run(numbers, max: 1)]),
        (#"\p{N}{1}"#, [.run(numbers, max: 1)]),
        (#"\p{N}{1,3}"#, [.run(numbers, max: 3)]),
        (#"\p{N}+"#, [.run(numbers)]),
        (#"\d"#, [.run(.of(.digit), max: 1)]),
        (#"\d+"#, [.run(.of(.digit))]),
        (#"[0-9]"#, [.run(CharClass(ranges: [0x30 ... 0x39]), max: 1)]),
        (#"[0-9][0-9][0-9]"#, [.run(CharClass(ranges: [0x30 ... 0x39]), min: 3, max: 3)]),
        (#"[\r\n]"#, [.run(lineBreak, max: 1)]),
        (#"[^\n]+|[\n]+"#, [.run(.not([], "\n")), .run(.scalars("\n"))]),
        // BLOOM: `[` inside a bracket expression opens a nested set, so both spellings
        // exclude the same characters, parentheses and bar included.
        (#" ?[^(\s|[.,!?…。，、।۔،])]+"#, [.run(.not(.space, "(|.,!?…。，、।۔،)"), prefix: space)]),
        (#" ?[^(\s|.,!?…。，、।۔،)]+"#, [.run(.not(.space, "(|.,!?…。，、।۔،)"), prefix: space)]),
        (#"[\p{P}\$\+<=>\^~\|`]+"#, [.run(CharClass(categories: .punctuation, ranges: "$+<=>^~|`".unicodeScalars.map { $0.value ... $0.value }))]),
        (#"[\p{P}\$\+<=>\^~\|]+"#, [.run(CharClass(categories: .punctuation, ranges: "$+<=>^~|".unicodeScalars.map { $0.value ... $0.value }))]),
        // DeepSeek Coder and V3.
        (#"\s?\p{L}+"#, [.run(letters, prefix: spaces)]),
        (#"\s?\p{P}+"#, [.run(.of(.punctuation), prefix: spaces)]),
        ("[\u{4E00}-\u{9FA5}\u{0800}-\u{4E00}\u{AC00}-\u{D7FF}]+", [.run(CharClass(ranges: [0x4E00 ... 0x9FA5, 0x0800 ... 0x4E00, 0xAC00 ... 0xD7FF]))]),
        ("[\u{4E00}-\u{9FA5}\u{3040}-\u{309F}\u{30A0}-\u{30FF}]+", [.run(CharClass(ranges: [0x4E00 ... 0x9FA5, 0x3040 ... 0x309F, 0x30A0 ... 0x30FF]))]),
        (##"[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"##,
         [.run(Alternative.Run(prefix: CharClass(ranges: [0x21 ... 0x2F, 0x3A ... 0x40, 0x5B ... 0x60, 0x7B ... 0x7E]), prefixRequired: true,
                               body: CharClass(ranges: [0x41 ... 0x5A, 0x61 ... 0x7A]))),
          .run(.of(RegexCategories.letter.union(.mark)), prefix: .not([.letter, .punctuation, .symbol], "\r\n")),
          .run(.of([.punctuation, .symbol]), prefix: space, trailing: lineBreak)] + whitespaceTail),
    ]

    /// Looked up by exact UTF-8 (a Swift String key would also match canonically
    /// equivalent spellings, which are different regexes).
    static func matcher(for pattern: String) -> HandMatcher? {
        entries.first { $0.0.utf8.elementsEqual(pattern.utf8) }.map { HandMatcher(alternatives: $0.1) }
    }
}
