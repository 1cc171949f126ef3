import Foundation
import Testing
import TestSupport
@testable import SiftTokenizers

/// Fixtures/README.md describes every file: the corpus, the tokenizers and the golden
/// encodings that Hugging Face `tokenizers` produced for them.
let tokenizerFixtures = testsDirectory.appendingPathComponent("SiftTokenizersTests/Fixtures")

struct GoldenEncoding: Decodable {
    let ids: [Int32]
    let type_ids: [Int32]?
    let mask: [Int32]?
    // Truncation goldens only.
    let input: String?
    let line: Int?
    let max_length: Int?
    let truncated: Bool?
}

enum Corpus {
    /// corpus.txt split on 0x0A only (lines contain \r, U+2028 and other breaks).
    static let lines: [String] = {
        guard let data = try? Data(contentsOf: tokenizerFixtures.appendingPathComponent("corpus.txt")) else { return [] }
        var lines = data.split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        if lines.last == "" { lines.removeLast() }
        return lines
    }()

    static let multiline: [String] = jsonLines("corpus_multiline.jsonl", as: String.self)
    static let pairs: [[String]] = jsonLines("corpus_pairs.jsonl", as: [String].self)

    static func jsonLines<T: Decodable>(_ file: String, as _: T.Type, in folder: URL = tokenizerFixtures) -> [T] {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent(file)) else { return [] }
        let decoder = JSONDecoder()
        return data.split(separator: 0x0A).compactMap { try? decoder.decode(T.self, from: Data($0)) }
    }

    static func goldens(_ name: String, _ kind: String) -> [GoldenEncoding] {
        let file = kind.isEmpty ? "\(name).jsonl" : "\(name).\(kind).jsonl"
        return jsonLines(file, as: GoldenEncoding.self, in: tokenizerFixtures.appendingPathComponent("goldens"))
    }
}

/// Compares `tokenizer` with every golden of `name`; returns the number of mismatches and
/// records the first few with their input.
func checkGoldens(_ tokenizer: Tokenizer, name: String) -> Int {
    var failures = 0
    func compare(_ got: Encoding, _ want: GoldenEncoding, _ what: @autoclosure () -> String) {
        let typeIds = want.type_ids ?? [Int32](repeating: 0, count: want.ids.count)
        let mask = want.mask ?? [Int32](repeating: 1, count: want.ids.count)
        let ok = got.ids == want.ids && got.typeIds == typeIds && got.attentionMask == mask
            && (want.truncated == nil || want.truncated == got.truncated)
        if !ok {
            failures += 1
            if failures <= 5 {
                Issue.record("\(name) \(what()):\n got  \(got.ids) types \(got.typeIds) truncated \(got.truncated)\n want \(want.ids) types \(typeIds) truncated \(want.truncated.map { "\($0)" } ?? "-")")
            }
        }
    }
    let single = Corpus.goldens(name, "")
    #expect(single.count == Corpus.lines.count, "\(name): golden count")
    for (i, (line, want)) in zip(Corpus.lines, single).enumerated() {
        compare(tokenizer.encode(line), want, "line \(i) \(line.debugDescription)")
    }
    let multi = Corpus.goldens(name, "multiline")
    #expect(multi.count == Corpus.multiline.count, "\(name): multiline golden count")
    for (i, (text, want)) in zip(Corpus.multiline, multi).enumerated() {
        compare(tokenizer.encode(text), want, "multiline \(i) \(text.debugDescription)")
    }
    let pairs = Corpus.goldens(name, "pairs")
    #expect(pairs.count == Corpus.pairs.count, "\(name): pair golden count")
    for (i, (pair, want)) in zip(Corpus.pairs, pairs).enumerated() {
        compare(tokenizer.encode(pair[0], pair: pair[1]), want, "pair \(i) \(pair.debugDescription)")
    }
    let truncated = Corpus.goldens(name, "trunc")
    #expect(!truncated.isEmpty, "\(name): truncation goldens")
    for want in truncated {
        guard let line = want.line, let maxLength = want.max_length else { continue }
        if want.input == "pair" {
            let pair = Corpus.pairs[line]
            compare(tokenizer.encode(pair[0], pair: pair[1], maxLength: maxLength), want, "pair \(line) at \(maxLength)")
        } else {
            compare(tokenizer.encode(Corpus.lines[line], maxLength: maxLength), want, "line \(line) at \(maxLength)")
        }
    }
    return failures
}

@Suite struct GoldenTests {
    static let names = ["minilm", "bert-cased", "bert-uncased-keep-accents", "roberta", "llama3", "qwen2.5",
                        "llama2", "mistral", "gemma", "xlm-roberta", "xlm-roberta-v5", "deberta-v3", "smollm2"]

    @Test func corpusIsComplete() {
        #expect(Corpus.lines.count >= 2000)
        #expect(Corpus.multiline.count == 200)
        #expect(Corpus.pairs.count == 240)
    }

    @Test(arguments: names)
    func identicalToHuggingFace(name: String) throws {
        let tokenizer = try Tokenizer(contentsOf: tokenizerFixtures.appendingPathComponent("tokenizers/\(name)/tokenizer.json"))
        #expect(checkGoldens(tokenizer, name: name) == 0)
    }
}
