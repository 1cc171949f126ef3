import ArgumentParser
import Foundation
import Sift

/// A long run on one Classifier: resident memory at the start, middle and end (it must stay
/// flat) and latency per tenth of the run (it must not drift).
struct SoakBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract: "Classify many texts and report memory and latency over time."
    )

    @Option(help: "Texts to classify.")
    var texts = 1_000_000

    @Option(help: "A model file or folder; default: the MiniLM shape with random weights.")
    var model: String?

    @Option(help: "Threads per classification.")
    var threads = 2

    @Option(help: "Where generated shape files are kept.")
    var cache = "/tmp/sift-bench-models"

    @Option(help: "The tokenizer.json embedded in the generated model.")
    var tokenizer = "../Tests/SiftTokenizersTests/Fixtures/tokenizers/minilm/tokenizer.json"

    func run() throws {
        let url: URL
        if let model { url = URL(fileURLWithPath: model) } else {
            let shape = Shape.all[0]
            url = URL(fileURLWithPath: cache).appendingPathComponent("\(shape.name).q8_0.gguf")
            if !FileManager.default.fileExists(atPath: url.path) {
                try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
                try RandomModelWriter(shape: shape, tokenizerJSON: String(contentsOfFile: tokenizer, encoding: .utf8)).write(to: url)
            }
        }
        let classifier = try Classifier(contentsOf: url, options: .init(threads: threads, maxTokens: 128))
        // Varied texts: tickets of different lengths and scripts, so sessions see every size.
        let words = ["refund", "charged", "twice", "login", "crash", "password", "order", "late", "café", "注文", "🙂", "invoice"]
        func text(_ i: Int) -> String { (0 ..< 3 + i % 40).map { words[($0 * 7 + i) % words.count] }.joined(separator: " ") }
        for i in 0 ..< 100 { _ = try classifier.classify(text(i)) }
        // Every latency slot is written before the first RSS reading, so the benchmark's own
        // bookkeeping (8 bytes a text) does not show up as growth.
        var latencies = [Double](repeating: 0, count: texts)
        let startRSS = Memory.currentRSS()
        var rss = [startRSS]
        let step = max(1, (texts + 9) / 10)
        let began = now()
        for i in 0 ..< texts {
            let t0 = now()
            _ = try classifier.classify(text(i))
            latencies[i] = Double(now() - t0) / 1e6
            if i == texts / 2 { rss.append(Memory.currentRSS()) }
        }
        rss.append(Memory.currentRSS())
        let deciles = stride(from: 0, to: texts, by: step).map { Array(latencies[$0 ..< min(texts, $0 + step)]) }
        let seconds = Double(now() - began) / 1e9
        print("soak: \(texts) texts in \(fixed(seconds, 1)) s on \(url.lastPathComponent), \(threads) threads")
        print("RSS MB start/middle/end: " + rss.map { fixed(Double($0) / 1_048_576, 1) }.joined(separator: " / ")
            + "  (end vs start \(fixed(100 * (Double(rss.last!) - Double(startRSS)) / Double(startRSS), 2))%)")
        print("latency ms by tenth of the run (p50 / p99):")
        for (i, d) in deciles.enumerated() where !d.isEmpty {
            print("  \(i + 1)/10  \(fixed(percentile(d, 50), 3)) / \(fixed(percentile(d, 99), 3))")
        }
    }
}

extension Memory {
    /// Current resident set size in bytes (VmRSS on Linux; else the peak).
    static func currentRSS() -> Int { statusKilobytes("VmRSS:").map { $0 * 1024 } ?? peakRSS() }
}
