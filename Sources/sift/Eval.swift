import ArgumentParser
import Foundation
import Sift
import SiftTokenizers

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure a model on labelled data: accuracy, F1, confusion, latency.",
        discussion: """
            DATA is JSON lines, one example each: {"text": "…", "label": "billing"} (optional "text_pair"). Labels match the model's ignoring case, "_", "-" and spaces, so SNIPS's "get_weather" matches a zero-shot label "get weather". With --reference, a second model classifies the same data and the report gives how often the two agree: Q8_0 against F32, or a fine-tune before and after a change.

            Example:
              sift eval -m tickets.q8_0.gguf --reference tickets.f32.gguf test.jsonl
            """
    )

    @OptionGroup var model: ModelOptions

    @Argument(help: "Labelled examples, JSON lines with text and label.")
    var data: String

    @Option(help: ArgumentHelp("A second model to compare with (same options).", valueName: "MODEL2"))
    var reference: String?

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        let examples = try Eval.read(data)
        let classifier = try model.load()
        let referenceClassifier = try reference.map { path in
            do {
                return try Classifier(contentsOf: URL(fileURLWithPath: path), options: model.classifierOptions())
            } catch {
                throw CLIError("\(path): \(error)")
            }
        }
        let report = EvaluationReport.evaluate(classifier, on: examples, reference: referenceClassifier)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(Eval.render(report, model: try model.modelURL().path, reference: reference), terminator: "")
        }
    }

    static func read(_ path: String) throws -> [LabelledExample] {
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("\(path): cannot read the file") }
        var examples: [LabelledExample] = []
        for (i, line) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let bytes = line.last == 0x0D ? line.dropLast() : line[...]
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let where_ = "\(path):\(i + 1)"
            let value: JSONValue
            do { value = try JSONParser.parse(bytes) } catch { throw CLIError("\(where_): \(error)") }
            guard let text = value["text"]?.string else { throw CLIError("\(where_): no \"text\" string") }
            let label: String
            if let s = value["label"]?.string { label = s } else if let n = value["label"]?.int { label = String(n) } else {
                throw CLIError("\(where_): no \"label\" (a string)")
            }
            examples.append(LabelledExample(text: text, pair: value["text_pair"]?.string, label: label))
        }
        guard !examples.isEmpty else { throw CLIError("\(path): no examples") }
        return examples
    }

    static func render(_ r: EvaluationReport, model: String, reference: String?) -> String {
        func pct(_ x: Double) -> String { String(format: "%.1f%%", x * 100) }
        var out = "model       \(model)\n"
        out += "examples    \(r.examples)\(r.failures > 0 ? " (\(r.failures) could not be classified)" : "")\n"
        out += "accuracy    \(pct(r.accuracy))\n"
        out += "macro-F1    \(String(format: "%.3f", r.macroF1))\n"
        let l = r.latencyMilliseconds
        out += String(format: "latency     p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, mean %.2f ms\n", l.p50, l.p95, l.p99, l.mean)
        if let a = r.agreement, let reference {
            out += "reference   \(reference): accuracy \(pct(r.referenceAccuracy ?? 0)), agreement \(pct(a))\n"
        }
        let width = max(5, r.labels.map(\.label.count).max() ?? 5)
        out += "\n" + "label".padding(toLength: width, withPad: " ", startingAt: 0) + "  precision  recall     f1  support\n"
        for m in r.labels {
            out += m.label.padding(toLength: width, withPad: " ", startingAt: 0)
            out += String(format: "  %9.3f  %6.3f  %5.3f  %7d\n", m.precision, m.recall, m.f1, m.support)
        }
        out += "\nconfusion (rows: true label, columns: predicted, both in this order)\n"
        let cw = max(4, String(r.confusion.flatMap { $0 }.max() ?? 0).count + 1)
        for (i, row) in r.confusion.enumerated() {
            out += r.confusionLabels[i].padding(toLength: width, withPad: " ", startingAt: 0)
            for n in row { out += String(repeating: " ", count: max(0, cw - String(n).count)) + String(n) }
            out += "\n"
        }
        return out
    }
}
