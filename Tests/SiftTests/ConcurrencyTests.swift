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
