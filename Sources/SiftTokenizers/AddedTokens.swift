/// Added and special tokens: found in the text before anything else runs, and never split.
///
/// As in `tokenizers`, tokens with `normalized == false` (all special tokens, usually) are
/// matched in the raw text; those with `normalized == true` are matched in each segment
/// after normalization. At each position the longest token wins (leftmost-longest); a
/// `singleWord` token only matches with no word character on either side; `lstrip` and
/// `rstrip` swallow the whitespace beside the token.
struct AddedTokenMatcher: Sendable {
    /// A trie over Unicode scalars.
    private struct Node: Sendable {
        var children: [Unicode.Scalar: Int] = [:]
        var token: Int?  // index into `tokens`
    }

    let tokens: [AddedTokenConfig]
    private var nodes = [Node()]
    /// Which ASCII characters start a token: most positions of a text are ruled out with a
    /// bit test instead of a dictionary lookup.
    private var asciiFirst: (UInt64, UInt64) = (0, 0)

    init(_ tokens: [AddedTokenConfig]) {
        self.tokens = tokens
        for t in tokens {
            guard let c = t.content.unicodeScalars.first, c.isASCII else { continue }
            if c.value < 64 { asciiFirst.0 |= 1 << UInt64(c.value) } else { asciiFirst.1 |= 1 << UInt64(c.value - 64) }
        }
        for (i, t) in tokens.enumerated() where !t.content.isEmpty {
            var n = 0
            for c in t.content.unicodeScalars {
                if let next = nodes[n].children[c] {
                    n = next
                } else {
                    nodes.append(Node())
                    nodes[n].children[c] = nodes.count - 1
                    n = nodes.count - 1
                }
            }
            if nodes[n].token == nil { nodes[n].token = i }
        }
    }

    var isEmpty: Bool { nodes[0].children.isEmpty }

    /// A piece of input: a run of text, or an added token's id.
    enum Segment: Equatable {
        case text(Scalars, atStart: Bool)
        case token(Int32)
    }

    /// Splits `text` (whose first scalar is at the start of the input iff `atStart`) around
    /// the added tokens it contains.
    func split(_ text: Scalars, atStart: Bool) -> [Segment] {
        guard !isEmpty, !text.isEmpty else { return text.isEmpty ? [] : [.text(text, atStart: atStart)] }
        var segments: [Segment] = []
        var consumed = 0  // end of the last emitted piece
        var i = 0
        while i < text.count {
            guard let (index, length) = longestMatch(text, at: i) else { i += 1; continue }
            let token = tokens[index]
            var start = i, stop = i + length
            if token.singleWord {
                let before = start > 0 && text[start - 1].isAlphanumeric
                let after = stop < text.count && text[stop].isAlphanumeric
                if before || after { i += 1; continue }
            }
            if token.lstrip {
                while start > consumed, text[start - 1].isWhitespace { start -= 1 }
            }
            if token.rstrip {
                while stop < text.count, text[stop].isWhitespace { stop += 1 }
            }
            if consumed < start { segments.append(.text(Array(text[consumed ..< start]), atStart: atStart && consumed == 0)) }
            segments.append(.token(token.id))
            consumed = stop
            i = stop
        }
        if consumed < text.count { segments.append(.text(Array(text[consumed...]), atStart: atStart && consumed == 0)) }
        return segments
    }

    /// The longest token starting at `position`: (token index, length in scalars).
    private func longestMatch(_ text: Scalars, at position: Int) -> (Int, Int)? {
        let first = text[position].value
        if first < 64 {
            if asciiFirst.0 & (1 << UInt64(first)) == 0 { return nil }
        } else if first < 128 {
            if asciiFirst.1 & (1 << UInt64(first - 64)) == 0 { return nil }
        }
        var n = 0
        var best: (Int, Int)?
        var j = position
        while j < text.count, let next = nodes[n].children[text[j]] {
            n = next
            j += 1
            if let t = nodes[n].token { best = (t, j - position) }
        }
        return best
    }
}
