import Foundation
import FuzzDriver
import SiftTokenizers

/// Any bytes as tokenizer.json: parse, build the tokenizer, and if it builds, encode a few
/// texts (single and pair, truncated and not).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTokenizerJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let tokenizer = try? Tokenizer(json: Data(bytes: data, count: size)) else { return 0 }
    for text in ["", "Hello, world! 123", "naïve café ﬁ 日本語 🤷🏽‍♀️", "  \t\n[CLS] <s> </s> <unk>  "] {
        _ = tokenizer.encode(text)
        _ = tokenizer.encode(text, pair: "second", maxLength: 8)
        _ = tokenizer.tokens(for: tokenizer.encode(text).ids)
    }
    return 0
}

runFuzzer { data, size in fuzzTokenizerJSON(data ?? UnsafePointer(bitPattern: 1)!, size) }
