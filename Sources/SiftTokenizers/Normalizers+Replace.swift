// Replace: every match of a pattern becomes `content`, taken literally (tokenizers 0.23
// does not expand `$1` group references in the content).
//
// tokenizers runs both kinds of pattern through Oniguruma (a string pattern is escaped
// first) and walks the matches with the onig crate's iterator, whose one rule worth
// copying is for empty matches: an empty match that ends where the previous match ended
// is skipped, and the search moves on one character. So `""` matches before every
// character and at the end ("abc" → "XaXbXcX"), and `a*` on "baac" matches at 0, 1..3
// and 4 but not again at 3.
//
// Regex patterns run on NSRegularExpression (ICU) here, set up the way Oniguruma's Ruby
// syntax behaves: ^ and $ match at every line, only \n ends a line, and the inline flag
// (?m) means "dot matches newline" (see icuPattern). The two engines agree on the
// patterns tokenizer.json files use (`\s+`, ` {2,}`, classes, alternations). Known
// differences left: `\h` is a hex digit to Oniguruma and horizontal space to ICU, and
// Oniguruma-only syntax, which ICU rejects, so such a file fails to load instead of
// tokenizing differently.
import Foundation

struct ReplaceNormalizer: Normalizer {
    private enum Matcher: @unchecked Sendable {
        /// The pattern's UTF-8 bytes: matching bytes of valid UTF-8 finds the same
        /// occurrences as matching scalars, because no scalar's encoding starts inside another's.
        case literal([UInt8])
        /// One character repeated at least `minimum` times (" {2,}", "x+"): SentencePiece
        /// conversions put " {2,}" in front of every model, so it gets a plain scan. The
        /// greedy leftmost match of such a pattern is exactly each maximal run of the
        /// character that is long enough.
        case run(character: [UInt8], minimum: Int)
        /// NSRegularExpression is immutable and documented as safe to share between threads.
        case regex(NSRegularExpression)
    }

    private let matcher: Matcher
    private let content: String

    init(pattern: Pattern, content: String) throws(TokenizerError) {
        self.content = content
        switch pattern {
        case .string(let s):
            matcher = .literal(Array(s.utf8))
        case .regex(let r):
            if let (character, minimum) = ReplaceNormalizer.repeatedCharacter(r) {
                matcher = .run(character: Array(String(character).utf8), minimum: minimum)
                return
            }
            do {
                // Oniguruma's Ruby syntax: ^ and $ match at every line, and only \n ends a line.
                matcher = .regex(try NSRegularExpression(pattern: ReplaceNormalizer.icuPattern(r),
                                                         options: [.anchorsMatchLines, .useUnixLineSeparators]))
            } catch {
                throw .invalidConfig("Replace pattern \(r.debugDescription) is not a valid regular expression: \(error)")
            }
        }
    }

    func normalize(_ text: String) -> String {
        // tokenizers reports no match at all in empty text, not even for an empty pattern.
        guard !text.isEmpty else { return text }
        switch matcher {
        case .literal(let needle): return replaceLiteral(needle, in: text)
        case .run(let character, let minimum): return replaceRuns(of: character, minimum: minimum, in: text)
        case .regex(let regex): return replaceRegex(regex, in: text)
        }
    }

    /// Rewrites a pattern where Oniguruma's reading of inline flags differs from ICU's:
    /// - `m` means "dot matches newline" (ICU's `s`). A dot in its scope becomes [\s\S],
    ///   since ICU's own dot-all dot takes CR LF as one character and Oniguruma's does not.
    /// - A flag group without a body, "a(?i)b|c", extends to the end of the enclosing
    ///   group, alternatives included: Oniguruma reads a(?i:b|c), ICU (a(?i)b)|c. It is
    ///   written out as the explicit group.
    /// Escapes and bracketed classes are copied as they are.
    static func icuPattern(_ pattern: String) -> String {
        let scalars = Array(pattern.unicodeScalars)
        var out = String.UnicodeScalarView()
        // Open groups, innermost last: whether dot matches newline in them, and whether the
        // group is one this rewrite opened (closed where its enclosing group closes).
        var groups: [(dotAll: Bool, implicit: Bool)] = [(false, false)]
        var classDepth = 0
        var i = 0
        func closeImplicit() {
            while groups.count > 1, groups[groups.count - 1].implicit { groups.removeLast(); out.append(")") }
        }
        while i < scalars.count {
            let c = scalars[i]
            if c == "\\", i + 1 < scalars.count {
                out.append(contentsOf: scalars[i ... i + 1])
                i += 2
                continue
            }
            if classDepth > 0 || c == "[" {
                if c == "[" { classDepth += 1 } else if c == "]" { classDepth -= 1 }
                out.append(c)
                i += 1
                continue
            }
            let dotAll = groups[groups.count - 1].dotAll
            switch c {
            case ".":
                out.append(contentsOf: (dotAll ? "[\\s\\S]" : ".").unicodeScalars)
                i += 1
            case ")":
                closeImplicit()
                if groups.count > 1 { groups.removeLast() }
                out.append(c)
                i += 1
            case "(":
                // A flag group: "(?" flags ")" or "(?" flags ":".
                var j = i + 2
                while j < scalars.count, "imx-".unicodeScalars.contains(scalars[j]) { j += 1 }
                guard i + 1 < scalars.count, scalars[i + 1] == "?", j > i + 2, j < scalars.count,
                      scalars[j] == ")" || scalars[j] == ":" else {
                    groups.append((dotAll, false))
                    out.append(c)
                    i += 1
                    continue
                }
                var on = true, m: Bool?
                var kept = String.UnicodeScalarView()
                for f in scalars[i + 2 ..< j] {
                    if f == "-" { on = false; kept.append(f) } else if f == "m" { m = on } else { kept.append(f) }
                }
                // "-" alone, or a trailing "-", is not a flag list ICU accepts.
                while kept.last == "-" { kept.removeLast() }
                groups.append((m ?? dotAll, scalars[j] == ")"))
                out.append(contentsOf: "(?".unicodeScalars)
                out.append(contentsOf: kept)
                out.append(":")
                i = j + 1
            default:
                out.append(c)
                i += 1
            }
        }
        closeImplicit()
        return String(out)
    }

    /// Recognizes `c{n,}` and `c+` for a character c that is not a regex metacharacter
    /// (or is one escaped with a backslash), n ≥ 1.
    static func repeatedCharacter(_ pattern: String) -> (Unicode.Scalar, Int)? {
        let meta = Set("\\.^$|?*+()[]{}".unicodeScalars)
        var scalars = Array(pattern.unicodeScalars)
        guard let first = scalars.first else { return nil }
        let character: Unicode.Scalar
        if first == "\\" {
            guard scalars.count >= 2, meta.contains(scalars[1]) else { return nil }
            character = scalars[1]
            scalars.removeFirst(2)
        } else {
            guard !meta.contains(first) else { return nil }
            character = first
            scalars.removeFirst()
        }
        let rest = String(String.UnicodeScalarView(scalars))
        if rest == "+" { return (character, 1) }
        guard rest.hasPrefix("{"), rest.hasSuffix(",}"), let n = Int(rest.dropFirst().dropLast(2)), n >= 1 else { return nil }
        return (character, n)
    }

    private func replaceRuns(of character: [UInt8], minimum: Int, in text: String) -> String {
        let haystack = Array(text.utf8)
        let width = character.count
        var out: [UInt8] = []
        var copied = 0
        var i = 0
        while i < haystack.count {
            guard haystack[i] == character[0], i + width <= haystack.count,
                  haystack[i ..< i + width].elementsEqual(character) else { i += 1; continue }
            var end = i + width, count = 1
            while end + width <= haystack.count, haystack[end ..< end + width].elementsEqual(character) {
                end += width
                count += 1
            }
            if count >= minimum {
                out.append(contentsOf: haystack[copied ..< i])
                out.append(contentsOf: content.utf8)
                copied = end
            }
            i = end
        }
        guard copied > 0 else { return text }
        out.append(contentsOf: haystack[copied...])
        return String(decoding: out, as: UTF8.self)
    }

    private func replaceLiteral(_ needle: [UInt8], in text: String) -> String {
        let haystack = Array(text.utf8)
        let replacement = Array(content.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(haystack.count)
        if needle.isEmpty {
            // Before every scalar and at the end.
            for (i, byte) in haystack.enumerated() {
                if byte & 0xC0 != 0x80 { out.append(contentsOf: replacement) }
                out.append(haystack[i])
            }
            out.append(contentsOf: replacement)
            return String(decoding: out, as: UTF8.self)
        }
        let first = needle[0], n = needle.count
        var i = 0, copied = 0
        var changed = false
        while i + n <= haystack.count {
            if haystack[i] == first, haystack[i ..< i + n].elementsEqual(needle) {
                out.append(contentsOf: haystack[copied ..< i])
                out.append(contentsOf: replacement)
                i += n
                copied = i
                changed = true
            } else {
                i += 1
            }
        }
        guard changed else { return text }
        out.append(contentsOf: haystack[copied...])
        return String(decoding: out, as: UTF8.self)
    }

    private func replaceRegex(_ regex: NSRegularExpression, in text: String) -> String {
        let ns = NSString(string: text)
        // ICU moves one position past an empty match, as the onig iterator does; what it
        // reports and onig does not is an empty match right where the previous one ended.
        var out = ""
        var copied = 0
        var previousEnd = -1
        for match in regex.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
            let r = match.range
            if r.length == 0, r.location == previousEnd { continue }
            out += ns.substring(with: NSRange(location: copied, length: r.location - copied))
            out += content
            copied = r.location + r.length
            previousEnd = copied
        }
        guard previousEnd >= 0 else { return text }
        out += ns.substring(from: copied)
        return out
    }
}
