import Foundation
import Testing
import TestSupport
@testable import Sift
@testable import SiftTokenizers

private let fixtures = testsDirectory.appendingPathComponent("SiftTokenizersTests/Fixtures")

private func goldens(_ name: String) throws -> [[Int32]] {
    struct Golden: Decodable { let ids: [Int32] }
    let data = try Data(contentsOf: fixtures.appendingPathComponent("goldens/\(name).jsonl"))
    return try data.split(separator: 0x0A).map { try JSONDecoder().decode(Golden.self, from: Data($0)).ids }
}

private func corpus() throws -> [String] {
    let data = try Data(contentsOf: fixtures.appendingPathComponent("corpus.txt"))
    var lines = data.split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    if lines.last == "" { lines.removeLast() }
    return lines
}

/// SmolLM2's vocabulary read from GGUF metadata (tokenizer.ggml.*, pre = "smollm"), against
/// the goldens of the same vocabulary with llama.cpp's smollm pre-tokenizer (digits split
/// off, then GPT-2 byte-level): the tokenizer the model was trained with.
@Suite struct GGUFTokenizerTests {
    @Test func smolLM2VocabularyFromGGUF() throws {
        let gguf = try GGUFFile(url: fixtures.appendingPathComponent("tokenizers/smollm2/vocab.gguf"))
        let vocabulary = try gguf.vocabulary()
        #expect(vocabulary.model == "gpt2")
        #expect(vocabulary.pre == "smollm")
        #expect(vocabulary.tokens.count == 49152)
        let tokenizer = try gguf.tokenizer()
        let lines = try corpus()
        let expected = try goldens("smollm2-digits")
        #expect(expected.count == lines.count)
        var failures = 0
        for (i, (line, want)) in zip(lines, expected).enumerated() {
            let got = tokenizer.encode(line).ids
            if got != want {
                failures += 1
                if failures <= 5 { Issue.record("line \(i) \(line.debugDescription)\n got  \(got)\n want \(want)") }
            }
        }
        #expect(failures == 0)
    }

    @Test func missingTokenizerIsATypedError() throws {
        let url = testsDirectory.appendingPathComponent("SiftTests/Fixtures/formats/reference.gguf")
        #expect(throws: TokenizerError.self) { try GGUFFile(url: url).tokenizer() }
    }

    @Test func unknownPreTokenizerIsNamed() throws {
        var v = GGUFVocabulary(model: "gpt2", tokens: ["a", "b", "ab"])
        v.merges = ["a b"]
        v.pre = "made-up"
        #expect(throws: TokenizerError.unsupported(component: "GGUF pre-tokenizer (tokenizer.ggml.pre)", type: "made-up")) {
            try Tokenizer(gguf: v)
        }
        v.model = "rwkv"
        #expect(throws: TokenizerError.unsupported(component: "GGUF tokenizer model", type: "rwkv")) { try Tokenizer(gguf: v) }
    }
}
