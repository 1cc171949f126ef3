// Unigram scores as tokenizers holds them, which is not always the value the JSON text
// denotes.
//
// tokenizers reads tokenizer.json with serde_json, built without its `float_roundtrip`
// feature. Its float parser then takes the decimal digits as an integer (up to 19 digits;
// further fraction digits are dropped), converts that to a double, and multiplies or
// divides by a power of ten: two roundings, so the result can be one ulp off the
// correctly rounded value. "-3.9134063720703125" (a float32 score, as SentencePiece
// stores them) becomes -3.913406372070313. Viterbi ties between paths of equal
// mathematical score are decided by those last bits, so Sift must hold the same doubles.
//
// The config gives Sift the correctly rounded double, not the text. Files are written
// by tokenizers (Rust's shortest round-trip formatting) or by Python's json (also the
// shortest round-trip digits), so the text is recovered as the shortest digits of the
// double — Swift's `description` — and parsed again the serde way.

enum SerdeFloat {
    /// 1e0 … 1e308, each correctly rounded, as serde_json's table.
    private static let powersOfTen: [Double] = (0 ... 308).map { Double("1e\($0)") ?? .infinity }

    /// The double serde_json would produce from the shortest decimal text of `value`.
    static func reparsed(_ value: Double) -> Double {
        guard value.isFinite, value != 0 else { return value }
        let text = value.magnitude.description
        var significand: UInt64 = 0
        var exponent = 0
        var overflowed = false
        var afterPoint = false
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let c = utf8[index]
            if c == UInt8(ascii: ".") {
                // serde_json's fraction loop starts over with its own overflow check.
                afterPoint = true
                overflowed = false
            } else if c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") {
                let digit = UInt64(c - UInt8(ascii: "0"))
                if !overflowed, significand > (UInt64.max - digit) / 10 { overflowed = true }
                if overflowed {
                    // Integer digits past the limit still scale the value; fraction digits are dropped.
                    if !afterPoint { exponent += 1 }
                } else {
                    significand = significand * 10 + digit
                    if afterPoint { exponent -= 1 }
                }
            } else if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                exponent += Int(text[utf8.index(after: index)...].replacingOccurrences(of: "+", with: "")) ?? 0
                break
            } else {
                return value
            }
            index = utf8.index(after: index)
        }
        var f = Double(significand)
        while true {
            let magnitude = exponent.magnitude
            if magnitude < UInt(powersOfTen.count) {
                if exponent >= 0 { f *= powersOfTen[Int(magnitude)] } else { f /= powersOfTen[Int(magnitude)] }
                break
            }
            // Beyond the table: serde_json steps down by 1e308 at a time (overflow is an
            // error there; it cannot happen for a value that came from a finite double).
            if f == 0 || exponent >= 0 { break }
            f /= 1e308
            exponent += 308
        }
        return value < 0 ? -f : f
    }
}
