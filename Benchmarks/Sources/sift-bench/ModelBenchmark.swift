import ArgumentParser
import CSiftKernels
import Foundation
@_spi(Benchmarks) import Sift

/// Prefill latency of one text per model shape and token count, with the time per stage,
/// the GEMMs' share of the machine's int8 peak, load time, memory and batch throughput.
struct ModelBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Classification latency per model shape and input length (random weights, Q8_0)."
    )

    @Option(help: "Shapes to run (comma-separated): minilm, bert-base, qwen2.5-0.5b, llama-3.2-1b, llama-3.2-3b, llama-3.1-8b.")
    var shape: String?

    @Option(help: "Input lengths in tokens (comma-separated).")
    var tokens = "16,64,128,256"

    @Option(help: "Threads per classification.")
    var threads = 2

    @Option(help: "Timed runs per point (after 3 warm-up runs).")
    var runs = 20

    @Flag(help: "Also the Llama-3.2-3B and Llama-3.1-8B shapes (8B needs ~9 GB of disk and memory).")
    var large = false

    @Flag(help: "Measure 1 thread as well, and project a 16-core server from the scaling.")
    var scaling = false

    @Option(help: "Also time these model files (GGUF or HF folders), comma-separated.")
    var model: String?

    @Option(help: "Where generated shape files are kept between runs.")
    var cache = "/tmp/sift-bench-models"

    @Option(help: "The tokenizer.json embedded in the generated models.")
    var tokenizer = "../Tests/SiftTokenizersTests/Fixtures/tokenizers/minilm/tokenizer.json"

    @Option(help: "Texts per batch for the throughput column.")
    var batch = 32

    @Option(help: "int8 activation block scales: power-of-two or exact.")
    var activationScales: ActivationScales = .powerOfTwo

    @Flag(inversion: .prefixedNo, help: "Keep int8 weights in transparent huge pages (ClassifierOptions.hugePages).")
    var hugePages = true

    @Flag(help: "Print JSON lines instead of a table.")
    var json = false

    func run() throws {
        let lengths = tokens.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        var shapes = Shape.all + (large ? Shape.large : [])
        if let shape {
            let wanted = Set(shape.split(separator: ",").map(String.init))
            shapes = (Shape.all + Shape.large).filter { wanted.contains($0.name) }
        }
        let peak = Self.calibratePeak(threads: threads)
        let floor = peak.map { Floor(peak: $0, bandwidth: readBandwidth(threads: threads), cacheBytes: CacheSize.lastLevel) }
        if !json {
            print("Sift \(String(cString: sk_isa_name(sk_isa_active()))), \(threads) threads; \(Peak.describe(peak)); "
                + (floor?.bandwidth.map { "reads \(fixed($0, 1)) GB/s; " } ?? "")
                + (floor?.cacheBytes.map { "last-level cache \($0 >> 20) MiB; " } ?? "")
                + "\(runs) runs per point; ms are p50/p90 per classification")
            print([pad("shape", 13), leftPad("tokens", 6), leftPad("p50 ms", 8), leftPad("p90 ms", 8), leftPad("floor ms", 10), leftPad("tok/s", 8),
                   leftPad("GOP/s", 6), leftPad("%peak", 6), leftPad("gemm%", 6), "  stages ms: tok/emb/gemm/attn/head/other", leftPad("load s", 7),
                   leftPad("RSS MB", 7), leftPad("batch/s", 8), leftPad("x-core ns", 9)].joined(separator: " "))
        }
        let tokenizerJSON = try String(contentsOfFile: tokenizer, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        for s in shapes {
            let url = URL(fileURLWithPath: cache).appendingPathComponent("\(s.name).q8_0.gguf")
            if !FileManager.default.fileExists(atPath: url.path) {
                if !json { FileHandle.standardError.write(Data("writing \(url.path)\n".utf8)) }
                try RandomModelWriter(shape: s, tokenizerJSON: tokenizerJSON).write(to: url)
            }
            try measure(name: s.name, url: url, lengths: lengths, shape: s, peak: peak, floor: floor)
        }
        for path in (model ?? "").split(separator: ",").map(String.init) where !path.isEmpty {
            try measure(name: URL(fileURLWithPath: path).lastPathComponent, url: URL(fileURLWithPath: path), lengths: lengths,
                        shape: nil, peak: peak, floor: floor)
        }
    }

    /// `shape`, when known, gives the Linear layers' multiply-adds and weight bytes.
    func measure(name: String, url: URL, lengths: [Int], shape: Shape?, peak: Peak?, floor: Floor?) throws {
        let macs = shape.map { s in { n in s.linearMACs(tokens: n) } }
        Memory.resetPeak()
        let loadStart = now()
        let classifier = try Classifier(contentsOf: url, options: .init(threads: threads, maxTokens: (lengths.max() ?? 16) + 2, profile: true,
                                                                        activationScales: activationScales, hugePages: hugePages))
        let load = Double(now() - loadStart) / 1e9
        for n in lengths {
            // Each point's own peak (the mark restarts at the resident weights): neither
            // loading nor the previous point's one-thread copy for --scaling counts.
            if n != lengths.first { Memory.resetPeak() }
            // Token ids from a real ticket, repeated to length: [CLS]-like first id included.
            let ids = (0 ..< n).map { Int32(1000 + ($0 * 7919) % 20000) }
            for _ in 0 ..< 3 { _ = try classifier.classify(tokenIds: ids) }
            // The machine's state for this point (see crossCoreRoundTrip), just before it.
            let roundTrip = threads > 1 ? crossCoreRoundTrip() : nil
            var samples: [Double] = [], stages = StageTimings()
            for _ in 0 ..< runs {
                let r = try classifier.classify(tokenIds: ids)
                samples.append(r.seconds * 1000)
                stages = stages + (r.timings ?? StageTimings())
            }
            // A text of about this many tokens, for the tokenize and batch columns.
            let text = String(repeating: "refund my duplicate charge please ", count: max(1, (n - 2) / 5))
            let p50 = percentile(samples, 50), p90 = percentile(samples, 90)
            let k = 1000 / Double(runs)
            // Effective int8 rate over the whole classification, and over the GEMM stage alone
            // (activation quantization included): the Linear layers' 2·MACs per time.
            let gops = macs.map { 2 * Double($0(n)) / (p50 / 1000) / 1e9 }
            let gemmGops = macs.map { 2 * Double($0(n)) / (stages.matmul * k / 1000) / 1e9 }
            let least = shape.flatMap { s in floor?.bound(macs: s.leastLinearMACs(tokens: n), weightBytes: s.linearWeightBytes) }
            // Batch throughput: `batch` texts of about n tokens in one call (packed for
            // encoders), tokenization included.
            let texts = [String](repeating: text, count: batch)
            _ = try classifier.classify(texts)
            let batchStart = now()
            _ = try classifier.classify(texts)
            let perSecond = Double(batch) / (Double(now() - batchStart) / 1e9)
            let rss = Double(Memory.peakRSS()) / 1_048_576
            if scaling, threads > 1 {
                // One thread for the same point, and Amdahl's law fitted to the two: with
                // t1 and tN, the parallel share is p = (1 − tN/t1) · N/(N − 1), and a 16-core
                // server would take t1 · ((1 − p) + p/16). A projection, not a measurement.
                let one = try Classifier(contentsOf: url, options: .init(threads: 1, maxTokens: (lengths.max() ?? 16) + 2,
                                                            activationScales: activationScales, hugePages: hugePages))
                var single: [Double] = []
                for _ in 0 ..< max(3, runs / 2) { single.append(try one.classify(tokenIds: ids).seconds * 1000) }
                let t1 = percentile(single, 50), tn = p50, nThreads = Double(threads)
                let p = min(1, max(0, (1 - tn / t1) * nThreads / (nThreads - 1)))
                let projected = t1 * ((1 - p) + p / 16)
                print("  scaling \(name) \(n) tokens: 1 thread \(fixed(t1, 2)) ms, \(threads) threads \(fixed(tn, 2)) ms "
                    + "(speed-up \(fixed(t1 / tn, 2))x, parallel share \(fixed(p * 100, 0))%); projected 16 cores: \(fixed(projected, 2)) ms")
            }
            let tokenize = try classifier.classify(text).timings?.tokenize ?? 0
            if json {
                var fields = [#""shape":"\#(name)""#, #""tokens":\#(n)"#, #""threads":\#(threads)"#, #""p50_ms":\#(fixed(p50, 3))"#,
                              #""p90_ms":\#(fixed(p90, 3))"#, #""tokens_per_s":\#(fixed(Double(n) / p50 * 1000, 0))"#]
                if let gops, let gemmGops {
                    fields += [#""gops":\#(fixed(gops, 1))"#, #""gemm_gops":\#(fixed(gemmGops, 1))"#]
                    if let peak {
                        fields += [#""peak_fraction":\#(fixed(gops / peak.gops, 3))"#, #""gemm_peak_fraction":\#(fixed(gemmGops / peak.gops, 3))"#]
                    }
                }
                fields += [#""stages_ms":{"tokenize_text":\#(fixed(tokenize * 1000, 3)),"embeddings":\#(fixed(stages.embeddings * k, 3)),"matmul":\#(fixed(stages.matmul * k, 3)),"attention":\#(fixed(stages.attention * k, 3)),"head":\#(fixed(stages.head * k, 3)),"other":\#(fixed(stages.other * k, 3))}"#,
                           #""load_s":\#(fixed(load, 3))"#, #""peak_rss_mb":\#(fixed(rss, 1))"#, #""batch_texts_per_s":\#(fixed(perSecond, 1))"#]
                if let least { fields += [#""floor_ms":\#(fixed(least.ms, 3))"#, #""floor_by":"\#(least.by)""#] }
                if let roundTrip { fields.append(#""cross_core_round_trip_ns":\#(fixed(roundTrip, 0))"#) }
                print("{" + fields.joined(separator: ",") + "}")
            } else {
                let stageText = [tokenize * 1000, stages.embeddings * k, stages.matmul * k, stages.attention * k, stages.head * k, stages.other * k]
                    .map { fixed($0, 2) }.joined(separator: "/")
                print([pad(name, 13), leftPad(String(n), 6), leftPad(fixed(p50, 2), 8), leftPad(fixed(p90, 2), 8),
                       leftPad(least.map { fixed($0.ms, 2) + ($0.by == "memory" ? " m" : " c") } ?? "-", 10),
                       leftPad(fixed(Double(n) / p50 * 1000, 0), 8), leftPad(gops.map { fixed($0, 0) } ?? "-", 6),
                       leftPad(Peak.percent(gops, of: peak), 6),
                       leftPad(Peak.percent(gemmGops, of: peak), 6), "  " + pad(stageText, 38),
                       leftPad(fixed(load, 2), 7), leftPad(fixed(rss, 0), 7), leftPad(fixed(perSecond, 1), 8),
                       leftPad(roundTrip.map { fixed($0, 0) } ?? "-", 9)].joined(separator: " "))
            }
        }
    }

    /// The int8 multiply-add peak in GOP/s (2 ops per multiply-add) on `threads` threads and on
    /// one; nil at a level with no peak loop (scalar: `sk_int8_peak_loop` returns 0), where no
    /// % of peak is stated. A peak is a maximum, so each is the best of three timings: one
    /// taken while the machine was busy elsewhere, or while a pool worker was still waking (the
    /// caller then runs the worker's loop too), would report half the peak and push %peak past
    /// 100.
    static func calibratePeak(threads: Int) -> Peak? {
        let iterations: Int64 = 20_000_000
        // The warm-up's multiply-adds, for a tenth of the iterations.
        let macs = Double(sk_int8_peak_loop(iterations / 10)) * 10
        guard macs > 0 else { return nil }
        func best(loops: Int, _ run: () -> Void) -> Double {
            (0 ..< 3).map { _ in
                let start = now()
                run()
                return 2 * macs * Double(loops) / (Double(now() - start) / 1e9) / 1e9
            }.max()!
        }
        let one = best(loops: 1) { _ = sk_int8_peak_loop(iterations) }
        guard threads > 1 else { return Peak(gops: one, one: one) }
        let pool = ThreadPool(threads: threads)
        let all = best(loops: threads) { pool.parallel(threads) { _ in _ = sk_int8_peak_loop(iterations) } }
        return Peak(gops: all, one: one)
    }
}

enum Memory {
    /// Resets the kernel's peak-RSS mark (Linux: writing 5 to clear_refs), so each shape's
    /// peak is its own.
    static func resetPeak() {
        #if os(Linux)
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        #endif
    }

    /// Peak resident set size since the last reset, in bytes (VmHWM on Linux; else the
    /// process's peak from getrusage).
    static func peakRSS() -> Int { statusKilobytes("VmHWM:").map { $0 * 1024 } ?? processPeakRSS() }

    /// A "Name:  1234 kB" line of /proc/self/status, in kB. The kernel pads the number to 8
    /// columns, so from 10 GB on there is no space between the tab and the digits.
    static func statusKilobytes(_ name: String) -> Int? {
        #if os(Linux)
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return nil }
        return Int(line.dropFirst(name.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
        #else
        return nil
        #endif
    }
}

extension ActivationScales: @retroactive ExpressibleByArgument {}
