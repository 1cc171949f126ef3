import Foundation

/// One labelled example: the text (and an optional second text) and its true label.
public struct LabelledExample: Sendable, Equatable {
    public var text: String
    public var pair: String?
    public var label: String

    public init(text: String, pair: String? = nil, label: String) {
        self.text = text
        self.pair = pair
        self.label = label
    }
}

/// How well a classifier does on labelled examples, and how fast.
public struct EvaluationReport: Sendable, Codable, Equatable {
    public struct LabelMetrics: Sendable, Codable, Equatable {
        public let label: String
        public let precision: Double
        public let recall: Double
        public let f1: Double
        /// True examples of this label.
        public let support: Int
    }

    public struct Latency: Sendable, Codable, Equatable {
        public let p50: Double
        public let p95: Double
        public let p99: Double
        public let mean: Double
    }

    public let examples: Int
    public let accuracy: Double
    /// Mean F1 over the labels that occur in the data or in the predictions.
    public let macroF1: Double
    public let labels: [LabelMetrics]
    /// confusion[i][j]: examples of true label `confusionLabels[i]` predicted as `confusionLabels[j]`.
    public let confusionLabels: [String]
    public let confusion: [[Int]]
    /// Milliseconds per classification.
    public let latencyMilliseconds: Latency
    /// With a reference model: the fraction of examples where both give the same label,
    /// and the reference's own accuracy.
    public let agreement: Double?
    public let referenceAccuracy: Double?
    /// Examples that could not be classified (empty text, …), counted as wrong.
    public let failures: Int
}

extension EvaluationReport {
    /// Classifies every example (and with `reference`, again with it) and scores the answers.
    /// Gold labels are matched to the model's labels ignoring case and treating "_", "-" and
    /// spaces alike, so "get_weather" matches a zero-shot label "get weather".
    public static func evaluate(_ classifier: Classifier, on examples: [LabelledExample],
                                reference: Classifier? = nil) -> EvaluationReport {
        let canonical = Dictionary(classifier.labels.map { (normalize($0), $0) }, uniquingKeysWith: { a, _ in a })
        func gold(_ label: String) -> String { canonical[normalize(label)] ?? label }
        var predictions: [String?] = [], latencies: [Double] = [], failures = 0
        for e in examples {
            let start = DispatchTime.now().uptimeNanoseconds
            let r = try? classifier.classify(e.text, pair: e.pair)
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            if r == nil { failures += 1 }
            predictions.append(r?.label)
        }
        let truths = examples.map { gold($0.label) }
        var agreement: Double?, referenceAccuracy: Double?
        if let reference, !examples.isEmpty {
            let refCanonical = Dictionary(reference.labels.map { (normalize($0), $0) }, uniquingKeysWith: { a, _ in a })
            var same = 0, right = 0
            for (i, e) in examples.enumerated() {
                let r = try? reference.classify(e.text, pair: e.pair)
                if let p = r?.label, let q = predictions[i], normalize(p) == normalize(q) { same += 1 }
                if let p = r?.label, p == (refCanonical[normalize(e.label)] ?? e.label) { right += 1 }
            }
            agreement = Double(same) / Double(examples.count)
            referenceAccuracy = Double(right) / Double(examples.count)
        }

        var order = classifier.labels
        for t in truths where !order.contains(t) { order.append(t) }
        let index = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: order.count), count: order.count)
        var correct = 0
        for (t, p) in zip(truths, predictions) {
            guard let p, let i = index[t], let j = index[p] else { continue }
            confusion[i][j] += 1
            if t == p { correct += 1 }
        }
        var metrics: [LabelMetrics] = []
        for (k, label) in order.enumerated() {
            let tp = confusion[k][k]
            let predicted = confusion.reduce(0) { $0 + $1[k] }
            let support = truths.filter { $0 == label }.count
            guard support > 0 || predicted > 0 else { continue }
            let precision = predicted > 0 ? Double(tp) / Double(predicted) : 0
            let recall = support > 0 ? Double(tp) / Double(support) : 0
            let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
            metrics.append(LabelMetrics(label: label, precision: precision, recall: recall, f1: f1, support: support))
        }
        let sorted = latencies.sorted()
        func percentile(_ p: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            return sorted[min(sorted.count - 1, Int((p * Double(sorted.count - 1)).rounded()))]
        }
        return EvaluationReport(
            examples: examples.count,
            accuracy: examples.isEmpty ? 0 : Double(correct) / Double(examples.count),
            macroF1: metrics.isEmpty ? 0 : metrics.map(\.f1).reduce(0, +) / Double(metrics.count),
            labels: metrics, confusionLabels: order, confusion: confusion,
            latencyMilliseconds: Latency(p50: percentile(0.5), p95: percentile(0.95), p99: percentile(0.99),
                                         mean: sorted.isEmpty ? 0 : sorted.reduce(0, +) / Double(sorted.count)),
            agreement: agreement, referenceAccuracy: referenceAccuracy, failures: failures)
    }

    static func normalize(_ label: String) -> String {
        String(label.lowercased().map { $0 == "_" || $0 == "-" ? " " : $0 }).split(separator: " ").joined(separator: " ")
    }
}
