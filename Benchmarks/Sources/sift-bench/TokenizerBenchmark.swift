import ArgumentParser
import Foundation
import Sift
import SiftTokenizers

/// Tokenizer throughput on the golden corpus, single-threaded: MB/s over the whole corpus
/// and µs for a 300-character support ticket. Compare with
/// `python3 Benchmarks/peers/tokenizers_hf.py`, which times Hugging Face `tokenizers` on the
/// same inputs in the same way.
struct TokenizerBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenizers",
        abstract: "Tokenizer throughput (MB/s) and latency for a 300-character ticket."
    )

    @Option(help: "The fixtures folder with corpus.txt and tokenizers/.")
    var fixtures = "../Tests/SiftTokenizersTests/Fixtures"

    @Option(help: "Passes over the corpus per tokenizer (the best pass is reported).")
    var passes = 5

    @Flag(help: "Print JSON lines instead of a table.")
    var json = false

    @Option(help: "Only these tokenizers (comma-separated).")
    var only: String?

    /// The same text as Benchmarks/peers/tokenizers_hf.py.
    static let ticket = String(
        ("Hi team, I was charged twice for my subscription this month (invoice #48213, 49.99 EUR) and the "
            + "app keeps logging me out when I try to update my card. I've cleared the cache, reinstalled it and "
            + "tried Wi-Fi and 4G. Could you refund the duplicate charge and tell me what's wrong? Thanks, Zoë. "
            + "Order 7731-B is also late.").prefix(300))

    static let names = ["minilm", "bert-cased", "roberta", "llama3", "qwen2.5", "llama2", "mistral", "gemma",
                        "xlm-roberta", "deberta-v3", "smollm2"]

    func run() throws {
        let root = URL(fileURLWithPath: fixtures)
        let data = try Data(contentsOf: root.appendingPathComponent("corpus.txt"))
        var lines = data.split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        if lines.last == "" { lines.removeLast() }
        let bytes = Double(lines.reduce(0) { $0 + $1.utf8.count })
        if !json {
            print("corpus: \(lines.count) lines, \(Int(bytes)) bytes; ticket: \(Self.ticket.count) characters; 1 thread")
            print("\(pad("tokenizer", 12))  \(leftPad("MB/s", 8))  \(leftPad("ticket µs", 10))  \(leftPad("tokens", 7))")
        }
        let wanted = only.map { Set($0.split(separator: ",").map(String.init)) }
        for name in Self.names where wanted?.contains(name) ?? true {
            let tokenizer = try Tokenizer(contentsOf: root.appendingPathComponent("tokenizers/\(name)/tokenizer.json"))
            var best = Double.infinity
            for _ in 0 ..< passes {
                let start = now()
                var count = 0
                for line in lines { count &+= tokenizer.encode(line).count }
                best = min(best, Double(now() - start) / 1e9)
                blackHole(count)
            }
            var samples: [Double] = []
            for _ in 0 ..< 2000 {
                let start = now()
                let e = tokenizer.encode(Self.ticket)
                samples.append(Double(now() - start) / 1e3)
                blackHole(e.count)
            }
            let mbs = bytes / best / 1e6
            let ticketMicros = percentile(samples, 50)
            let tokens = tokenizer.encode(Self.ticket).count
            if json {
                print(#"{"tokenizer":"\#(name)","mb_per_s":\#(fixed(mbs, 2)),"ticket_us_p50":\#(fixed(ticketMicros, 2)),"ticket_tokens":\#(tokens)}"#)
            } else {
                print("\(pad(name, 12))  \(leftPad(fixed(mbs, 2), 8))  \(leftPad(fixed(ticketMicros, 1), 10))  \(leftPad(String(tokens), 7))")
            }
        }
    }
}

/// Keeps a result alive so the optimizer cannot drop the work that made it.
@inline(never) func blackHole<T>(_ value: T) { withExtendedLifetime(value) {} }
