// NFC, NFD, NFKC and NFKD, computed by Foundation and corrected to tokenizers' tables.
//
// tokenizers normalizes with the `unicode-normalization-alignments` crate, whose data is
// older than Foundation's. Measured over every code point, the two agree except on
// characters that newer Unicode versions gave a decomposition (U+11938, U+32FF, U+1E030…)
// or a non-zero combining class (U+1AC1, U+1E4EC…). To tokenizers those are plain
// starters that nothing touches, so Sift cuts the text at them ("barriers"), normalizes
// the pieces in between with Foundation, and copies the barriers through. Cutting at a
// starter cannot change what the crate computes: decomposition and reordering stop at
// starters, and the old tables compose nothing with these characters. The one effect the
// cut cannot prevent, Foundation composing two new characters into a new composite
// (U+11935 U+11930 → U+11938), is undone afterwards.
import Foundation

struct UnicodeFormNormalizer: Normalizer {
    enum Form { case nfc, nfd, nfkc, nfkd }

    let form: Form
    private let barriers: [UInt32]
    /// Below this value no scalar changes, and none makes its neighbours change.
    private let unchangedBelow: UInt32

    init(_ form: Form) {
        self.form = form
        switch form {
        case .nfc, .nfd: barriers = CompatibilityTables.canonicalBarriers
        case .nfkc, .nfkd: barriers = CompatibilityTables.compatibilityBarriers
        }
        // Every character below U+0300 is already composed, and composition needs a
        // combining character (U+0300 or above) to follow; decomposition and compatibility
        // mappings start at U+00A0.
        unchangedBelow = form == .nfc ? 0x300 : 0x80
    }

    func normalize(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value >= unchangedBelow }) else { return text }
        // The lowest barrier is U+07FD; checking the value first keeps the common case cheap.
        let lowestBarrier = barriers.first ?? 0
        let isBarrier = { (u: Unicode.Scalar) in
            u.value >= lowestBarrier && CompatibilityTables.contains(barriers, u.value)
        }
        guard text.unicodeScalars.contains(where: isBarrier) else { return foundation(text) }
        var out = String.UnicodeScalarView()
        var piece = String.UnicodeScalarView()
        for u in text.unicodeScalars {
            if isBarrier(u) {
                out.append(contentsOf: foundation(String(piece)).unicodeScalars)
                piece = String.UnicodeScalarView()
                out.append(u)
            } else {
                piece.append(u)
            }
        }
        out.append(contentsOf: foundation(String(piece)).unicodeScalars)
        return String(out)
    }

    /// One barrier-free piece. Foundation (swift-foundation on Linux) gets three things
    /// wrong that are worked around here: its NFC leaves a precomposed LV syllable and a
    /// trailing jamo apart ("가" + U+11A8 stays, should be "각"), and its NFKC/NFKD neither
    /// reorder nor compose the marks that a compatibility mapping produces ("ｶﾞ" gives
    /// U+30AB U+3099, should be "ガ"). Its canonical decomposition is right, and so is its
    /// composition of fully decomposed, ordered text, so the composed forms recompose that.
    private func foundation(_ text: String) -> String {
        guard !text.isEmpty else { return text }
        switch form {
        case .nfd:
            return text.decomposedStringWithCanonicalMapping
        case .nfkd:
            return UnicodeFormNormalizer.reorder(text.decomposedStringWithCompatibilityMapping)
        case .nfc:
            let decomposed = text.decomposedStringWithCanonicalMapping
            return UnicodeFormNormalizer.undoNewComposites(decomposed.precomposedStringWithCanonicalMapping)
        case .nfkc:
            let decomposed = UnicodeFormNormalizer.reorder(text.decomposedStringWithCompatibilityMapping)
            return UnicodeFormNormalizer.undoNewComposites(decomposed.precomposedStringWithCanonicalMapping)
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

    /// Splits composites that only Foundation's newer tables form back into their parts.
    private static func undoNewComposites(_ text: String) -> String {
        let table = CompatibilityTables.newComposites
        let lowest = table.first ?? 0
        let isNew = { (u: Unicode.Scalar) in u.value >= lowest && CompatibilityTables.contains(table, u.value) }
        guard text.unicodeScalars.contains(where: isNew) else { return text }
        var out = String.UnicodeScalarView()
        for u in text.unicodeScalars {
            if isNew(u) {
                out.append(contentsOf: String(u).decomposedStringWithCanonicalMapping.unicodeScalars)
            } else {
                out.append(u)
            }
        }
        return String(out)
    }
}
