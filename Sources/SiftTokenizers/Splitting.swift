/// Text as Unicode scalars, the unit `tokenizers` works in (a Rust `char`).
typealias Scalars = [Unicode.Scalar]

extension String {
    /// Encodes the scalars as UTF-8 directly (appending to a UnicodeScalarView goes through
    /// the generic slow path, measured at a quarter of BERT tokenization).
    init(_ scalars: ArraySlice<Unicode.Scalar>) {
        self = String(unsafeUninitializedCapacity: scalars.count * 4) { buffer in
            var n = 0
            for c in scalars {
                let v = c.value
                if v < 0x80 {
                    buffer[n] = UInt8(v); n += 1
                } else if v < 0x800 {
                    buffer[n] = UInt8(0xC0 | v >> 6); buffer[n + 1] = UInt8(0x80 | v & 0x3F); n += 2
                } else if v < 0x10000 {
                    buffer[n] = UInt8(0xE0 | v >> 12); buffer[n + 1] = UInt8(0x80 | v >> 6 & 0x3F)
                    buffer[n + 2] = UInt8(0x80 | v & 0x3F); n += 3
                } else {
                    buffer[n] = UInt8(0xF0 | v >> 18); buffer[n + 1] = UInt8(0x80 | v >> 12 & 0x3F)
                    buffer[n + 2] = UInt8(0x80 | v >> 6 & 0x3F); buffer[n + 3] = UInt8(0x80 | v & 0x3F); n += 4
                }
            }
            return n
        }
    }

    var scalars: Scalars { Array(unicodeScalars) }
}

extension SplitBehavior {
    /// Cuts `text` around `delimiters` (sorted, non-overlapping scalar ranges), treating
    /// each delimiter as the behaviour says; empty pieces are dropped. This is the rule
    /// every splitting pre-tokenizer shares (Split, Punctuation, Digits, BertPreTokenizer).
    func split(_ text: Scalars, delimiters: [Range<Int>]) -> [String] {
        // The whole text as alternating (range, isDelimiter) spans.
        var spans: [(Range<Int>, Bool)] = []
        spans.reserveCapacity(delimiters.count * 2 + 1)
        var previous = 0
        for d in delimiters {
            if previous < d.lowerBound { spans.append((previous ..< d.lowerBound, false)) }
            spans.append((d, true))
            previous = d.upperBound
        }
        if previous < text.count { spans.append((previous ..< text.count, false)) }

        var pieces: [Range<Int>] = []
        pieces.reserveCapacity(spans.count)
        switch self {
        case .isolated:
            pieces = spans.map(\.0)
        case .removed:
            pieces = spans.filter { !$0.1 }.map(\.0)
        case .contiguous:
            var previousIsDelimiter = false
            for (range, isDelimiter) in spans {
                if isDelimiter == previousIsDelimiter, let last = pieces.last {
                    pieces[pieces.count - 1] = last.lowerBound ..< range.upperBound
                } else {
                    pieces.append(range)
                }
                previousIsDelimiter = isDelimiter
            }
        case .mergedWithPrevious:
            var previousIsDelimiter = false
            for (range, isDelimiter) in spans {
                if isDelimiter, !previousIsDelimiter, let last = pieces.last {
                    pieces[pieces.count - 1] = last.lowerBound ..< range.upperBound
                } else {
                    pieces.append(range)
                }
                previousIsDelimiter = isDelimiter
            }
        case .mergedWithNext:
            var previousIsDelimiter = false
            for (range, isDelimiter) in spans.reversed() {
                if isDelimiter, !previousIsDelimiter, let last = pieces.last {
                    pieces[pieces.count - 1] = range.lowerBound ..< last.upperBound
                } else {
                    pieces.append(range)
                }
                previousIsDelimiter = isDelimiter
            }
            pieces.reverse()
        }
        return pieces.filter { !$0.isEmpty }.map { String(text[$0]) }
    }

    /// Splits on every scalar for which `isDelimiter` holds, each as its own delimiter.
    func split(_ text: Scalars, where isDelimiter: (Unicode.Scalar) -> Bool) -> [String] {
        var delimiters: [Range<Int>] = []
        for (i, c) in text.enumerated() where isDelimiter(c) { delimiters.append(i ..< i + 1) }
        return split(text, delimiters: delimiters)
    }
}
