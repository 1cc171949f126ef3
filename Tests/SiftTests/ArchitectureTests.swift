import Foundation
import Testing
import TestSupport
@testable import Sift
@testable import SiftTokenizers

/// A tiny random-weight model and what transformers computed with it
/// (models/architectures/make_fixtures.py; see Fixtures/models/README.md).
struct ArchitectureGolden: Decodable {
    struct Case: Decodable {
        let text: String
        let text_pair: String?
        let ids: [Int32]
        let type_ids: [Int32]
        let logits: [Float]?
        let scores: [Float]?
        let last_hidden: [Float]?
        let next_token_logits: [Float]?
    }

    struct LabelScoring: Decodable {
        struct Label: Decodable {
            let name: String
            let ids: [Int32]
        }

        struct Case: Decodable {
            let prompt_ids: [Int32]
            let labels: [Label]
            let logprobs: [Float]
        }

        let cases: [Case]
    }

    let `class`: String
    let problem_type: String?
    let labels: [String]?
    let cases: [Case]
    let label_scoring: LabelScoring?

    static func load(_ name: String) throws -> ArchitectureGolden {
        try JSONDecoder().decode(ArchitectureGolden.self, from: Data(contentsOf: modelFolder(name).appendingPathComponent("golden.json")))
    }

    static func modelFolder(_ name: String) -> URL { fixtureURL("models/\(name)") }
}

/// max |a − b| / max |b|: the error relative to the vector's scale (a logit near zero is
/// judged against the others, not against itself).
func scaledError(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "compared arrays differ in length: \(a.count) vs \(b.count)")
    let scale = max(b.map(abs).max() ?? 0, 1e-6)
    return zip(a, b).map { abs($0 - $1) }.max().map { $0 / scale } ?? 0
}

/// int8's tolerance for logits whose largest magnitude is `scale`. The tiny fixtures'
/// logits are small (|logit| ≈ 0.1–1) and come from sums with much cancellation, so int8
/// rounding shows there as a few hundredths in absolute terms: 0.04 + 5% of the scale with
/// `.exact` activation scales. The power-of-two scales round with a step up to 2× as coarse
/// (1.44× on average), and two fixtures came out at 0.048 and 0.063 against 0.047 and 0.060,
/// so theirs is 1.5× that.
func int8Tolerance(scale: Float, _ scales: ActivationScales = .powerOfTwo) -> Float {
    (0.04 + 0.05 * scale) * (scales == .exact ? 1 : 1.5)
}

/// Whether int8 logits are close enough: |a − b| ≤ `int8Tolerance`.
func int8Close(_ a: [Float], _ b: [Float], _ scales: ActivationScales = .powerOfTwo) -> Bool {
    let tolerance = int8Tolerance(scale: b.map(abs).max() ?? 0, scales)
    return zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
}

/// Whether int8 picks the reference's top label, or one the reference scores within
/// int8's tolerance of it (a near tie, where either answer is the model's answer).
func sameTopLabel(_ a: [Float], _ b: [Float], _ scales: ActivationScales = .powerOfTwo) -> Bool {
    argmax(a) == argmax(b) || b[argmax(a)] >= b[argmax(b)] - int8Tolerance(scale: b.map(abs).max() ?? 0, scales)
}

func argmax(_ x: [Float]) -> Int { x.indices.max { x[$0] < x[$1] } ?? 0 }

/// Runs a loaded model on a golden's cases.
struct GoldenRunner {
    let model: LoadedModel
    let pool = ThreadPool(threads: 2)

    func logits(_ c: ArchitectureGolden.Case) throws -> [Float] {
        switch model {
        case .encoder(let e): return try e.logits(ids: c.ids, typeIds: c.type_ids, arena: e.arena(tokens: c.ids.count, threads: 2), pool: pool)
        case .decoder(let d): return try d.logits(ids: c.ids, session: d.makeSession(maxTokens: c.ids.count, threads: 2), pool: pool)
        }
    }

    func hidden(_ c: ArchitectureGolden.Case) throws -> [Float] {
        switch model {
        case .encoder(let e): return try e.hiddenStates(ids: c.ids, typeIds: c.type_ids, arena: e.arena(tokens: c.ids.count, threads: 2), pool: pool)
        case .decoder(let d): return try d.hiddenStates(ids: c.ids, session: d.makeSession(maxTokens: c.ids.count, threads: 2), pool: pool)
        }
    }
}

/// The fixtures with a classification head, and the ones with a language-model head.
let classifierFixtures = ["bert-cls", "bert-multilabel", "roberta-cls", "xlm-roberta-cls", "distilbert-cls",
                          "llama-cls", "mistral-cls", "qwen2-cls", "qwen3-cls", "gemma3-cls"]
let languageModelFixtures = ["llama-lm", "qwen2-lm"]

@Suite struct ArchitectureTests {
    /// fp32 weights: logits and final hidden states within 1e-4 of transformers (relative
    /// to the vector's largest value), ids identical to the HF tokenizer.
    @Test(arguments: classifierFixtures)
    func fp32MatchesTransformers(name: String) throws {
        let golden = try ArchitectureGolden.load(name)
        let folder = ArchitectureGolden.modelFolder(name)
        let runner = GoldenRunner(model: try ModelRegistry.load(folder: folder, weightType: .f32))
        let tokenizer = try Tokenizer.load(from: folder)
        for c in golden.cases {
            let encoding = tokenizer.encode(c.text, pair: c.text_pair)
            #expect(encoding.ids == c.ids, "\(name): token ids of \(c.text.debugDescription)")
            #expect(encoding.typeIds == c.type_ids, "\(name): type ids of \(c.text.debugDescription)")
            let logits = try runner.logits(c)
            let e = scaledError(logits, try #require(c.logits))
            #expect(e <= 1e-4, "\(name) \(c.text.debugDescription): logits off by \(e)")
            if let want = c.last_hidden {
                let h = try runner.hidden(c)
                let he = scaledError(h, want)
                #expect(he <= 1e-4, "\(name) \(c.text.debugDescription): hidden states off by \(he)")
            }
        }
    }

    /// Q8_0 weights (quantized at load), with either activation scale rule: the same top
    /// label on every golden input, logits within `int8Close` for that rule.
    @Test(arguments: classifierFixtures, ActivationScales.allCases)
    func q8_0KeepsTheAnswer(name: String, scales: ActivationScales) throws {
        let golden = try ArchitectureGolden.load(name)
        let runner = GoldenRunner(model: try ModelRegistry.load(folder: ArchitectureGolden.modelFolder(name), weightType: .q8_0,
                                                                activationScales: scales))
        for c in golden.cases {
            let want = try #require(c.logits)
            let logits = try runner.logits(c)
            #expect(int8Close(logits, want, scales), "\(name) \(c.text.debugDescription), \(scales): q8_0 logits \(logits) vs \(want)")
            if golden.problem_type != "multi_label_classification" {
                #expect(sameTopLabel(logits, want, scales), "\(name) \(c.text.debugDescription), \(scales): q8_0 changed the top label")
            }
        }
    }

    /// The public API end to end: text in, the golden's scores out.
    @Test(arguments: classifierFixtures)
    func classifierScoresText(name: String) throws {
        let golden = try ArchitectureGolden.load(name)
        let classifier = try Classifier(contentsOf: ArchitectureGolden.modelFolder(name), options: .init(threads: 1, weightType: .f32))
        if let labels = golden.labels { #expect(classifier.labels == labels) }
        for c in golden.cases {
            let r = try classifier.classify(c.text, pair: c.text_pair)
            let want = try #require(c.scores)
            #expect(scaledError(r.logits, try #require(c.logits)) <= 1e-4)
            #expect(r.label == classifier.labels[argmax(want)], "\(name): top label")
            #expect(abs(r.score - want.max()!) <= 1e-4)
            #expect(r.tokens == c.ids.count && !r.truncated)
        }
    }

    /// Label-word scoring: log P(label | prompt) as transformers computes it from one pass
    /// over prompt + label, here from one pass over the prompt and cached keys and values
    /// and up to the first position's normalizer (shared by every label, so compared as
    /// differences from the first label).
    @Test(arguments: languageModelFixtures)
    func labelScoringMatchesTransformers(name: String) throws {
        let golden = try ArchitectureGolden.load(name)
        let d = try #require(try Self.decoder(name, weightType: .f32), "\(name) is not a decoder")
        let pool = ThreadPool(threads: 2)
        let scoring = try #require(golden.label_scoring)
        for c in scoring.cases {
            let session = d.makeSession(maxTokens: c.prompt_ids.count + 8, threads: 2)
            let got = try d.labelLogProbabilities(prompt: c.prompt_ids, labels: c.labels.map(\.ids), session: session, pool: pool)
            #expect(got.count == c.logprobs.count)
            for (g, w) in zip(got, c.logprobs) {
                let (dg, dw) = (g - got[0], w - c.logprobs[0])
                #expect(abs(dg - dw) <= 1e-4 * max(1, abs(w)), "\(name): label log-probability difference \(dg) vs \(dw)")
            }
        }
        for c in golden.cases {
            guard let want = c.next_token_logits else { continue }
            let got = try d.nextTokenLogits(ids: c.ids, session: d.makeSession(maxTokens: c.ids.count, threads: 2), pool: pool)
            #expect(scaledError(got, want) <= 1e-4, "\(name): next-token logits")
        }
    }
}

extension ArchitectureTests {
    /// transformers 4 configs (rope_theta, rope_scaling, rope_local_base_freq,
    /// sliding_window_pattern) describe the same models as transformers 5's rope_parameters
    /// and layer_types: the same logits from either.
    @Test(arguments: ["llama-cls", "qwen3-cls", "gemma3-cls"])
    func transformers4ConfigGivesTheSameModel(name: String) throws {
        let golden = try ArchitectureGolden.load(name)
        let source = ArchitectureGolden.modelFolder(name)
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("sift-v4-\(name)-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: source, to: copy)
        defer { try? FileManager.default.removeItem(at: copy) }
        try FileManager.default.removeItem(at: copy.appendingPathComponent("config.json"))
        try FileManager.default.copyItem(at: copy.appendingPathComponent("config.v4.json"), to: copy.appendingPathComponent("config.json"))
        let runner = GoldenRunner(model: try ModelRegistry.load(folder: copy, weightType: .f32))
        for c in golden.cases {
            #expect(scaledError(try runner.logits(c), try #require(c.logits)) <= 1e-4, "\(name) with its transformers 4 config")
        }
    }
}

extension ArchitectureTests {
    /// Inputs at the longest the model takes: the scratch sized at load must hold them.
    @Test(arguments: classifierFixtures + languageModelFixtures)
    func longestInputsFitTheScratch(name: String) throws {
        let lm = languageModelFixtures.contains(name)
        let classifier = try Classifier(contentsOf: ArchitectureGolden.modelFolder(name),
                                        options: .init(threads: 2, labels: lm ? ["billing", "bug", "account"] : nil))
        let r = try classifier.classify(String(repeating: "refund my order ", count: 2000))
        #expect(r.truncated)
        #expect(r.tokens <= classifier.maxTokens)
    }
}

extension ArchitectureTests {
    /// Zero-shot prompts share their opening: a session keeps its keys and values, and the
    /// label log-probabilities are those of a full pass.
    @Test(arguments: languageModelFixtures)
    func promptOpeningCacheKeepsTheScores(name: String) throws {
        let d = try #require(try Self.decoder(name, weightType: .q8_0), "\(name) is not a decoder")
        let pool = ThreadPool(threads: 2)
        let cached = d.makeSession(maxTokens: 64, threads: 2)
        let opening: [Int32] = [5, 17, 42, 99, 7, 3]
        let labels: [[Int32]] = [[11], [12, 13], [14, 15, 16]]
        for tail in [[Int32]([20, 21, 22]), [30], [40, 41, 42, 43, 44], [20, 21, 22]] {
            let prompt = opening + tail
            let fresh = try d.labelLogProbabilities(prompt: prompt, labels: labels, session: d.makeSession(maxTokens: 64, threads: 2), pool: pool)
            let reused = try d.labelLogProbabilities(prompt: prompt, labels: labels, reusablePrefix: opening.count, session: cached, pool: pool)
            #expect(cached.cachedPrefix == opening)
            for (a, b) in zip(reused, fresh) { #expect(abs(a - b) <= 1e-5 * max(1, abs(b)), "\(name): \(a) vs \(b)") }
        }
        // A prompt with another opening replaces the cached one.
        let other: [Int32] = [6, 17, 42, 99, 7, 3, 20]
        let fresh = try d.labelLogProbabilities(prompt: other, labels: labels, session: d.makeSession(maxTokens: 64, threads: 2), pool: pool)
        let reused = try d.labelLogProbabilities(prompt: other, labels: labels, reusablePrefix: 6, session: cached, pool: pool)
        for (a, b) in zip(reused, fresh) { #expect(abs(a - b) <= 1e-5 * max(1, abs(b))) }
    }

    /// Label continuations run with the prompt in one pass, or after it in groups when the
    /// cache cannot hold them all: the scores do not depend on the grouping (each
    /// continuation sees only the prompt and itself, as the same key pieces).
    @Test(arguments: languageModelFixtures, WeightType.allCases)
    func labelGroupsGiveTheSameScores(name: String, type: WeightType) throws {
        let d = try #require(try Self.decoder(name, weightType: type), "\(name) is not a decoder")
        let pool = ThreadPool(threads: 2)
        let prompt: [Int32] = [5, 17, 42, 99, 7, 3, 20, 21]
        let labels: [[Int32]] = [[11, 12], [12, 13, 14], [11], [14, 15, 16, 17], [11, 12]]
        // Room for all 7 continuation rows (one pass), and for at most 3 (three groups), with
        // a cached opening of 3 ids.
        let together = try d.labelLogProbabilities(prompt: prompt, labels: labels, reusablePrefix: 3,
                                                   session: d.makeSession(maxTokens: prompt.count + 7, threads: 2), pool: pool)
        let grouped = try d.labelLogProbabilities(prompt: prompt, labels: labels, reusablePrefix: 3,
                                                  session: d.makeSession(maxTokens: prompt.count + 3, threads: 2), pool: pool)
        #expect(Self.agree(together, grouped, type), "\(name) \(type): one pass \(together) vs groups \(grouped)")
        // One label at a time, each in a fresh session: the reference.
        for (i, label) in labels.enumerated() {
            let alone = try d.labelLogProbabilities(prompt: prompt, labels: [labels[2], label], session: d.makeSession(maxTokens: prompt.count + 3, threads: 2), pool: pool)
            // Scores are up to a constant shared within a call: compare against label [11].
            let want = alone[1] - alone[0]
            for got in [together[i] - together[2], grouped[i] - grouped[2]] {
                #expect(abs(got - want) <= 1e-4 * max(1, abs(want)), "\(name) label \(i): \(got) vs \(want)")
            }
        }
        #expect(try d.labelLogProbabilities(prompt: prompt, labels: [], session: d.makeSession(maxTokens: 16, threads: 2), pool: pool).isEmpty)
    }

    /// Several prompts scored in one packed pass, each followed by its labels'
    /// continuations: each prompt's scores are what it gets alone (with int8 weights the
    /// same bits), wherever it sits in the batch. A batch that does not fit in the cache is
    /// refused (nil), not truncated.
    @Test(arguments: languageModelFixtures, WeightType.allCases)
    func promptBatchGivesEachPromptsScores(name: String, type: WeightType) throws {
        let d = try #require(try Self.decoder(name, weightType: type), "\(name) is not a decoder")
        let pool = ThreadPool(threads: 2)
        let opening: [Int32] = [5, 17, 42, 99]
        let prompts: [[Int32]] = [opening + [20, 21, 22], opening + [30], opening + [40, 41, 42, 43, 44, 45, 46], opening + [20, 21, 22]]
        let labels: [[Int32]] = [[11, 12], [12], [14, 15, 16]]
        let session = d.makeSession(maxTokens: 64, threads: 2)
        let batch = try #require(try d.labelLogProbabilities(prompts: prompts, labels: labels, reusablePrefix: opening.count, session: session, pool: pool))
        #expect(batch.count == prompts.count)
        for (p, prompt) in prompts.enumerated() {
            let alone = try d.labelLogProbabilities(prompt: prompt, labels: labels, reusablePrefix: opening.count,
                                                    session: d.makeSession(maxTokens: 64, threads: 2), pool: pool)
            #expect(Self.agree(batch[p], alone, type), "\(name) \(type) prompt \(p): \(batch[p]) vs \(alone)")
        }
        // Labels of one token each: no continuations at all.
        let single: [[Int32]] = [[11], [12], [14]]
        let firsts = try #require(try d.labelLogProbabilities(prompts: prompts, labels: single, reusablePrefix: opening.count, session: session, pool: pool))
        for (p, prompt) in prompts.enumerated() {
            let alone = try d.labelLogProbabilities(prompt: prompt, labels: single, reusablePrefix: opening.count,
                                                    session: d.makeSession(maxTokens: 64, threads: 2), pool: pool)
            #expect(Self.agree(firsts[p], alone, type), "\(name) \(type) prompt \(p), one-token labels")
        }
        // The opening, two rests and two prompts' continuations take 4 + 3 + 1 + 2 · 3 = 14 rows.
        let small = d.makeSession(maxTokens: 13, threads: 2)
        #expect(try d.labelLogProbabilities(prompts: Array(prompts[..<2]), labels: labels, reusablePrefix: opening.count, session: small, pool: pool) == nil)
        let pair = try #require(try d.labelLogProbabilities(prompts: Array(prompts[..<2]), labels: labels, reusablePrefix: opening.count,
                                                            session: d.makeSession(maxTokens: 14, threads: 2), pool: pool))
        for p in 0 ..< 2 { #expect(Self.agree(pair[p], batch[p], type)) }
    }

    /// int8 weights: the same bits; fp32 (BLAS products over however many rows): rounding.
    static func agree(_ a: [Float], _ b: [Float], _ type: WeightType) -> Bool {
        type == .q8_0 ? a == b : a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) }
    }

    /// A fixture model loaded as a decoder (nil if it is not one).
    static func decoder(_ name: String, weightType: WeightType) throws -> DecoderClassifier? {
        guard case .decoder(let d) = try ModelRegistry.load(folder: ArchitectureGolden.modelFolder(name), weightType: weightType) else { return nil }
        return d
    }
}
