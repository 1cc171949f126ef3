import ArgumentParser
import Foundation
import Sift
import SiftTokenizers

struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify texts: arguments, or one per line of standard input.",
        discussion: """
            Each input line is plain text, or a JSON object with a "text" field (and an optional "text_pair"); its other fields ("id", …) are copied to the output. Every input line gives exactly one JSON line on standard output, in order, flushed at once:
              {"id":7,"label":"billing","score":0.93,"top":[…],"tokens":12,"ms":2.1,…}
            A line that cannot be classified (invalid JSON or UTF-8, no text, empty) gives {"line":N,"error":"…"} and the stream goes on; the exit status is 1 if any line failed. Sift never opens a network connection.

            Examples:
              sift classify "I was charged twice"
              sift classify -m model.gguf < tickets.jsonl > labels.jsonl
              sift classify -m SmolLM2.gguf --labels "billing,bug,account" "app crashes on login"
            """
    )

    @OptionGroup var model: ModelOptions

    @Option(help: "How many ranked labels to print per result.")
    var topK: Int = 3

    @Option(help: "Mark results whose top score is below this as abstained (route them elsewhere).")
    var threshold: Float?

    @Option(help: "Read this many lines before classifying them together (throughput; output order is kept).")
    var batch: Int = 1

    @Option(help: ArgumentHelp("Input lines: auto (JSON if the line starts with {), text or json.", valueName: "FORMAT"))
    var input: InputFormat = .auto

    @Argument(help: "Texts to classify; without them, standard input is read.")
    var texts: [String] = []

    enum InputFormat: String, ExpressibleByArgument { case auto, text, json }

    func validate() throws {
        guard topK >= 1 else { throw ValidationError("--top-k must be at least 1") }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
    }

    func run() throws {
        let classifier = try model.load(threshold: threshold)
        var output = LineWriter()
        var failed = false
        var pending: [(number: Int, item: Result<InputItem, LineError>)] = []
        func flush() -> Bool {
            defer { pending.removeAll(keepingCapacity: true) }
            // The good lines of the batch are classified together, in one packed batch.
            let good = pending.compactMap { try? $0.item.get() }
            var results: [Result<Classification, Error>]
            if good.count > 1, good.allSatisfy({ $0.pair == nil }), let all = try? classifier.classify(good.map(\.text)) {
                results = all.map { .success($0) }
            } else {
                results = good.map { item in Result { try classifier.classify(item.text, pair: item.pair) } }
            }
            results.reverse()
            for (number, item) in pending {
                let line: String
                switch item {
                case .failure(let e):
                    failed = true
                    line = errorLine(number, e.message, passthrough: e.passthrough)
                case .success(let input):
                    switch results.popLast()! {
                    case .success(let r): line = resultLine(r, passthrough: input.passthrough)
                    case .failure(let error):
                        failed = true
                        line = errorLine(number, "\(error)", passthrough: input.passthrough)
                    }
                }
                guard output.write(line) else { return false }
            }
            return true
        }
        if !texts.isEmpty {
            for (i, t) in texts.enumerated() {
                pending.append((i + 1, t.isEmpty ? .failure(LineError("empty text")) : .success(InputItem(text: t, pair: nil, passthrough: []))))
            }
            _ = flush()
        } else {
            var number = 0
            for bytes in LineReader.standardInput() {
                number += 1
                pending.append((number, parse(bytes)))
                if pending.count >= batch, !flush() { return }
            }
            _ = flush()
        }
        if failed { throw ExitCode(1) }
    }

    struct InputItem {
        let text: String
        let pair: String?
        let passthrough: [(String, JSONValue)]
    }

    struct LineError: Error {
        let message: String
        var passthrough: [(String, JSONValue)] = []
        init(_ message: String, passthrough: [(String, JSONValue)] = []) {
            self.message = message
            self.passthrough = passthrough
        }
    }

    func parse(_ bytes: [UInt8]) -> Result<InputItem, LineError> {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return .failure(LineError("the line is not valid UTF-8"))
        }
        let isJSON = input == .json || (input == .auto && text.first == "{")
        guard isJSON else {
            return text.isEmpty ? .failure(LineError("empty line")) : .success(InputItem(text: text, pair: nil, passthrough: []))
        }
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch { return .failure(LineError("invalid JSON: \(error)")) }
        guard let members = value.members else { return .failure(LineError("a JSON line must be an object with a \"text\" field")) }
        let passthrough = members.filter { $0.key != "text" && $0.key != "text_pair" }.map { ($0.key, $0.value) }
        guard let t = value["text"]?.string else {
            return .failure(LineError("the object has no \"text\" string", passthrough: passthrough))
        }
        guard !t.isEmpty else { return .failure(LineError("empty text", passthrough: passthrough)) }
        return .success(InputItem(text: t, pair: value["text_pair"]?.string, passthrough: passthrough))
    }

    func resultLine(_ r: Classification, passthrough: [(String, JSONValue)]) -> String {
        var fields = passthrough.map { (jsonString($0.0), serialize($0.1)) }
        fields.append(("\"label\"", jsonString(r.label)))
        fields.append(("\"score\"", number(r.score)))
        let top = r.ranked.prefix(topK).map { "{\"label\":\(jsonString($0.label)),\"score\":\(number($0.score))}" }
        fields.append(("\"top\"", "[" + top.joined(separator: ",") + "]"))
        if r.predicted.count != 1 || r.predicted.first != r.label {
            fields.append(("\"predicted\"", "[" + r.predicted.map(jsonString).joined(separator: ",") + "]"))
        }
        fields.append(("\"tokens\"", "\(r.tokens)"))
        fields.append(("\"truncated\"", "\(r.truncated)"))
        fields.append(("\"abstained\"", "\(r.abstained)"))
        fields.append(("\"ms\"", String(format: "%.2f", r.seconds * 1000)))
        return "{" + fields.map { "\($0.0):\($0.1)" }.joined(separator: ",") + "}"
    }

    func errorLine(_ number: Int, _ message: String, passthrough: [(String, JSONValue)]) -> String {
        var fields = [("\"line\"", "\(number)")] + passthrough.map { (jsonString($0.0), serialize($0.1)) }
        fields.append(("\"error\"", jsonString(message)))
        return "{" + fields.map { "\($0.0):\($0.1)" }.joined(separator: ",") + "}"
    }

    func number(_ x: Float) -> String { x.isFinite ? String(format: "%.6g", Double(x)) : "null" }
}

/// JSON text for a parsed value (numbers that are integers print without a fraction).
func serialize(_ v: JSONValue) -> String {
    switch v {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .number(let n): return n.rounded() == n && abs(n) < 1e15 ? String(Int64(n)) : "\(n)"
    case .string(let s): return jsonString(s)
    case .array(let a): return "[" + a.map(serialize).joined(separator: ",") + "]"
    case .object(let m): return "{" + m.map { jsonString($0.key) + ":" + serialize($0.value) }.joined(separator: ",") + "}"
    }
}
