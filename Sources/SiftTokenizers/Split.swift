// The Split pre-tokenizer: cuts text around the matches of a string or a regular
// expression, treating each match as its SplitBehavior says (optionally inverted, so that
// the text *between* matches is the delimiter).
//
// Hugging Face `tokenizers` compiles the regex with Oniguruma. Real tokenizer.json files use
// a handful of patterns (GPT-2's, cl100k/Llama 3's, Qwen2's, o200k/GPT-4o's, digit and
// CJK splits), so those are recognised by their exact text (the table in
// Split+Patterns.swift) and run by hand-written matchers: faster than any engine, and with Oniguruma's
// semantics spelled out — leftmost position first, then the first
// alternative that matches there, greedy quantifiers giving back one character at a time.
// Any other regex falls back to NSRegularExpression (ICU), with Oniguruma's iteration rule
// for empty matches; ICU and Oniguruma can differ in corner cases (Unicode version, `\h`,
// class set operations), which is why the common patterns never go through it.
import Foundation

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
