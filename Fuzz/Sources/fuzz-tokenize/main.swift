import Foundation
import FuzzDriver
import SiftTokenizers

/// Every fixture tokenizer (WordPiece, byte-level BPE, SentencePiece BPE with byte
/// fallback, Unigram with a Precompiled charsmap, …) on arbitrary bytes, decoded lossily
/// as UTF-8 the way `sift classify` decodes a line, alone, as a pair and truncated.
let tokenizers: [Tokenizer] = {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Tests")
    var urls: [URL] = []
    for folder in ["SiftTokenizersTests/Fixtures/tokenizers", "SiftTests/Fixtures/models"] {
        let base = fixtures.appendingPathComponent(folder)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: base.path))?.sorted() ?? [] {
            let url = base.appendingPathComponent(name).appendingPathComponent("tokenizer.json")
            // SmolLM2's 49k-merge vocabulary is covered by the GGUF target; skip it for speed.
            if FileManager.default.fileExists(atPath: url.path), name != "smollm2" { urls.append(url) }
        }
    }
    let loaded = urls.compactMap { try? Tokenizer(contentsOf: $0) }
    precondition(!loaded.isEmpty, "no fixture tokenizers found under \(fixtures.path)")
    return loaded
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTokenize(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let half = text.index(text.startIndex, offsetBy: text.count / 2)
    for t in tokenizers {
        _ = t.encode(text)
        _ = t.encode(String(text[..<half]), pair: String(text[half...]), maxLength: 16)
    }
    return 0
}

runFuzzer { data, size in fuzzTokenize(data ?? UnsafePointer(bitPattern: 1)!, size) }
