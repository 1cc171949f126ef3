import Foundation
import Testing
import TestSupport
@testable import Sift

/// One Classifier, many tasks: every concurrent result equals the sequential one.
@Suite struct ConcurrencyTests {
    @Test(arguments: ["bert-cls", "qwen2-cls"])
    func eightTasksTimesAThousandMatchSequentialResults(model: String) async throws {
        let golden = try ArchitectureGolden.load(model)
        let classifier = try Classifier(contentsOf: ArchitectureGolden.modelFolder(model), options: .init(threads: 2, weightType: .q8_0))
        let texts = golden.cases.map(\.text)
        let expected = try texts.map { try classifier.classify($0).logits }
        let perTask = 1000
        let mismatches = try await withThrowingTaskGroup(of: Int.self) { group in
            for t in 0 ..< 8 {
                group.addTask {
                    var bad = 0
                    for i in 0 ..< perTask {
                        let k = (i + t) % texts.count
                        if try await classifier.classify(texts[k]).logits != expected[k] { bad += 1 }
                    }
                    return bad
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(mismatches == 0, "\(mismatches) of \(8 * perTask) concurrent results differ from the sequential ones")
    }
}

/// Packed batches give each text the result it gets alone.
@Suite struct BatchTests {
    @Test(arguments: ["bert-cls", "roberta-cls", "distilbert-cls", "xlm-roberta-cls",
                      "llama-cls", "mistral-cls", "qwen2-cls", "qwen3-cls", "gemma3-cls"])
    func batchEqualsOneAtATime(model: String) throws {
        let golden = try ArchitectureGolden.load(model)
        let texts = golden.cases.map(\.text) + [String(repeating: "long text ", count: 300), "x"]
        for type in [WeightType.q8_0, .f32] {
            let classifier = try Classifier(contentsOf: ArchitectureGolden.modelFolder(model), options: .init(threads: 2, weightType: type))
            let single = try texts.map { try classifier.classify($0) }
            let batch = try classifier.classify(texts)
            #expect(batch.count == texts.count)
            for (a, b) in zip(single, batch) {
                #expect(a.tokens == b.tokens && a.truncated == b.truncated && a.label == b.label)
                if type == .q8_0 {
                    #expect(a.logits == b.logits, "\(model): int8 results are exact whatever the batch")
                } else {
                    #expect(scaledError(b.logits, a.logits) <= 1e-5)
                }
            }
        }
    }
}

extension BatchTests {
    /// Zero-shot batches (prompts and label continuations packed together) give each text
    /// what it gets alone: with a truncated text (whose opening is not reused, so it starts
    /// a batch of its own kind), and with 17 long labels whose ~750 continuation rows are
    /// more than a single text's cache holds (alone, a text runs them in groups after its
    /// prompt; in a batch session, in one pass with it).
    @Test(arguments: ["llama-lm", "qwen2-lm"])
    func zeroShotBatchEqualsOneAtATime(model: String) throws {
        let golden = try ArchitectureGolden.load(model)
        let texts = golden.cases.map(\.text) + [String(repeating: "long text ", count: 300), "x", "refund my order"]
        let many = (0 ..< 17).map { "category \($0) for tickets about billing refunds and account access problems" }
        for (labels, template) in [(["billing issue", "bug", "account access"], nil), (many, "Ticket: {text}\nCategory:")] {
            let classifier = try Classifier(contentsOf: ArchitectureGolden.modelFolder(model),
                                            options: .init(threads: 2, weightType: .q8_0, labels: labels, template: template))
            let single = try texts.map { try classifier.classify($0) }
            let batch = try classifier.classify(texts)
            #expect(batch.count == texts.count)
            for (a, b) in zip(single, batch) {
                #expect(a.tokens == b.tokens && a.truncated == b.truncated && a.label == b.label)
                #expect(a.logits == b.logits, "\(model), \(labels.count) labels: \(a.logits) vs \(b.logits)")
            }
        }
    }

    /// A batch of many short texts (the head's scratch grows with the batch).
    @Test func manyShortTextsInOneBatch() throws {
        let classifier = try Classifier(contentsOf: ArchitectureGolden.modelFolder("bert-cls"), options: .init(threads: 2, weightType: .q8_0))
        let texts = (0 ..< 300).map { "ticket number \($0)" }
        let batch = try classifier.classify(texts)
        #expect(batch.count == 300)
        #expect(try classifier.classify(texts[17]).logits == batch[17].logits)
    }
}
