import ArgumentParser
import Foundation
import Sift
import SiftTokenizers

struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the token ids of each line of standard input.",
        discussion: """
            MODEL is a tokenizer.json file, a Hugging Face model folder or a GGUF file. Each input line gives one JSON object on standard output:
              {"ids": [101, 7592, 102], "type_ids": [0, 0, 0], "truncated": false}
            so that Sift's tokens can be compared with any other tool's.
            """
    )

    @Option(name: .shortAndLong, help: "A tokenizer.json file, a Hugging Face folder or a GGUF file.")
    var model: String

    @Flag(help: "Also print the token strings.")
    var tokens = false

    @Flag(help: "Leave out the special tokens the model adds ([CLS], <s>, …).")
    var noSpecialTokens = false

    @Option(help: "Truncate to at most this many tokens, special tokens included.")
    var maxLength: Int?

    func run() throws {
        let tokenizer: Tokenizer
        do {
            tokenizer = try Tokenizer.load(from: URL(fileURLWithPath: model))
        } catch {
            throw CLIError("\(model): \(error)")
        }
        var output = LineWriter()
        for line in LineReader.standardInput() {
            let text = String(decoding: line, as: UTF8.self)
            let e = tokenizer.encode(text, addSpecialTokens: !noSpecialTokens, maxLength: maxLength)
            var object = "{\"ids\":[\(e.ids.map(String.init).joined(separator: ","))]"
            object += ",\"type_ids\":[\(e.typeIds.map(String.init).joined(separator: ","))]"
            object += ",\"truncated\":\(e.truncated)"
            if tokens {
                object += ",\"tokens\":[\(tokenizer.tokens(for: e.ids).map(jsonString).joined(separator: ","))]"
            }
            object += "}"
            guard output.write(object) else { return }
        }
    }
}
