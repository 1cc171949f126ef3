// NFC, NFD, NFKC and NFKD, as tokenizers computes them.
//
// tokenizers normalizes with the `unicode-normalization-alignments` crate, whose data is
// older than Foundation's: newer Unicode versions gave some characters a decomposition
// (U+11938, U+32FF, U+1E030…) or a non-zero combining class (U+1AC1, U+1E4EC…), which
// to tokenizers are plain starters that nothing touches. So Sift decides itself which
// characters normalization can touch, from tables measured on tokenizers
// (Normalizers+UnicodeTables.swift), copies every other character through, and hands only
// the stretches around the touchable ones to Foundation. Cutting there cannot change the
// result: decomposition is per character, reordering stops at starters, and composition
// needs a combining character after its starter. It is also what makes ASCII, CJK and
// most letters cost a table lookup instead of a Foundation call.
//
// Foundation (swift-foundation on Linux) gets three things wrong that are worked around
// here: its NFC leaves a precomposed LV syllable and a trailing jamo apart ("가" + U+11A8
// stays, should be "각"), and its NFKC/NFKD neither reorder nor compose the marks that a
// compatibility mapping produces ("ｶﾞ" gives U+30AB U+3099, should be "ガ"). Its
// canonical decomposition is right, and so is its composition of fully decomposed,
// ordered text, so the composed forms recompose that.
import Foundation

struct UnicodeFormNormalizer: Normalizer {
    enum Form { case nfc, nfd, nfkc, nfkd }

    let form: Form
    private let active: [UInt32]
    private let composes: Bool

    init(_ form: Form) {
        self.form = form
        switch form {
        case .nfc, .nfd: active = CompatibilityTables.canonicalActive
        case .nfkc, .nfkd: active = CompatibilityTables.compatibilityActive
        }
        composes = form == .nfc || form == .nfkc
    }

    /// Whether normalization leaves `u` alone whatever surrounds it — except, in the
    /// composed forms, that it may combine with characters after it.
    @inline(__always)
    private func isInert(_ u: Unicode.Scalar) -> Bool {
        let v = u.value
        if v < 0xA0 { return true }
        if CompatibilityTables.contains(active, v) { return false }
        return !composes || !CompatibilityTables.contains(CompatibilityTables.compositionSeconds, v)
    }

    func normalize(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let firstActive = scalars.firstIndex(where: { !isInert($0) }) else { return text }
        // Collected as scalars and encoded once at the end (appending to a
        // UnicodeScalarView one scalar at a time was most of this normalizer's time).
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.utf8.count)
        var region = String.UnicodeScalarView()
        // Everything before the first active character is copied, except that a composed
        // form keeps the starter just before it, which may combine with what follows.
        var start = firstActive
        if composes, start > scalars.startIndex { start = scalars.index(before: start) }
        out.append(contentsOf: scalars[..<start])
        var previousInert: Unicode.Scalar?
        for u in scalars[start...] {
            if isInert(u) {
                if let p = previousInert { flushRegion(&region, then: p, into: &out) }
                previousInert = u
            } else {
                if let p = previousInert {
                    // A starter followed by an active character: in the composed forms it
                    // joins the region; in the decomposed forms it closes the last one.
                    if composes {
                        flushRegion(&region, then: nil, into: &out)
                        region.append(p)
                    } else {
                        flushRegion(&region, then: p, into: &out)
                    }
                    previousInert = nil
                }
                region.append(u)
            }
        }
        flushRegion(&region, then: previousInert, into: &out)
        return String(out[...])
    }

    /// Normalizes and appends the pending region, then `next` as it is.
    private func flushRegion(_ region: inout String.UnicodeScalarView, then next: Unicode.Scalar?,
                             into out: inout [Unicode.Scalar]) {
        if !region.isEmpty {
            out.append(contentsOf: foundation(String(region)).unicodeScalars)
            region = String.UnicodeScalarView()
        }
        if let next { out.append(next) }
    }

    private func foundation(_ text: String) -> String {
        switch form {
        case .nfd:
            return text.decomposedStringWithCanonicalMapping
        case .nfkd:
            return UnicodeFormNormalizer.reorder(text.decomposedStringWithCompatibilityMapping)
        case .nfc:
            return text.decomposedStringWithCanonicalMapping.precomposedStringWithCanonicalMapping
        case .nfkc:
            return UnicodeFormNormalizer.reorder(text.decomposedStringWithCompatibilityMapping).precomposedStringWithCanonicalMapping
        }
    }

    /// The canonical ordering step: each run of non-starters sorted by combining class,
    /// keeping the order of equal classes.
    static func reorder(_ text: String) -> String {
        var scalars = Array(text.unicodeScalars)
        let classes = scalars.map { $0.properties.canonicalCombiningClass.rawValue }
        var changed = false
        var i = 0
        while i < scalars.count {
            guard classes[i] != 0 else { i += 1; continue }
            var end = i + 1
            while end < scalars.count, classes[end] != 0 { end += 1 }
            // Insertion sort: the runs are short, and it is stable.
            var run = Array(zip(scalars[i ..< end], classes[i ..< end]))
            for k in 1 ..< run.count {
                var m = k
                while m > 0, run[m - 1].1 > run[m].1 {
                    run.swapAt(m - 1, m)
                    m -= 1
                    changed = true
                }
            }
            for (k, pair) in run.enumerated() { scalars[i + k] = pair.0 }
            i = end
        }
        guard changed else { return text }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars)
        return String(out)
    }
}
