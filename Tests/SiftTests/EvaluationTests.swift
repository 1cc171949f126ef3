import Foundation
import Testing
import TestSupport
@testable import Sift

@Suite struct EvaluationTests {
    /// Examples labelled with the reference's own top label are all right; relabelling some
    /// to another label makes them wrong in exactly the expected cells.
    @Test func metricsFollowFromTheConfusionMatrix() throws {
        let golden = try ArchitectureGolden.load("bert-cls")
        let labels = try #require(golden.labels)
        let classifier = try Classifier(contentsOf: ArchitectureGolden.modelFolder("bert-cls"), options: .init(threads: 1, weightType: .f32))
        let singles = golden.cases.filter { $0.text_pair == nil }
        var examples: [LabelledExample] = []
        var wrong = 0
        for (i, c) in singles.enumerated() {
            let top = labels[argmax(try #require(c.logits))]
            // Every third example gets a label the model did not choose, in SNIPS-like spelling.
            if i % 3 == 0 {
                let other = labels.first { $0 != top }!
                examples.append(LabelledExample(text: c.text, label: other.uppercased()))
                wrong += 1
            } else {
                examples.append(LabelledExample(text: c.text, label: top))
            }
        }
        let report = EvaluationReport.evaluate(classifier, on: examples, reference: classifier)
        #expect(report.examples == examples.count)
        #expect(abs(report.accuracy - Double(examples.count - wrong) / Double(examples.count)) < 1e-12)
        #expect(report.confusion.flatMap { $0 }.reduce(0, +) == examples.count)
        #expect(report.confusionLabels == labels)
        #expect(report.agreement == 1)
        #expect(report.referenceAccuracy == report.accuracy)
        for m in report.labels {
            let i = try #require(report.confusionLabels.firstIndex(of: m.label))
            let column = report.confusion.map { $0[i] }.reduce(0, +)
            #expect(m.support == report.confusion[i].reduce(0, +))
            if column > 0 { #expect(abs(m.precision - Double(report.confusion[i][i]) / Double(column)) < 1e-12) }
        }
        #expect(report.latencyMilliseconds.p50 <= report.latencyMilliseconds.p99)
    }
}
