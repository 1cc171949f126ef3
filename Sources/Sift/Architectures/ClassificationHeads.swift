import CSiftKernels
import Foundation

/// How scores come out of the logits: `problem_type` in config.json.
public enum ProblemType: String, Sendable {
    /// Softmax over the labels.
    case singleLabel = "single_label_classification"
    /// A sigmoid per label.
    case multiLabel = "multi_label_classification"
    /// One output, reported as is.
    case regression
}

/// The classification head of an encoder, read from one row of the final hidden states
/// (the first token, [CLS] or <s>):
///
///   BERT        pooler: tanh(dense(h)), then classifier
///   RoBERTa/XLM-R  classifier.dense, tanh, classifier.out_proj
///   DistilBERT  pre_classifier, ReLU, classifier
///
/// All three are out(act(dense(h))); only names and the activation differ.
struct EncoderHead: @unchecked Sendable {
    let dense: Linear
    let activation: Activation
    let out: Linear

    /// Where the head's two layers live, by family and checkpoint kind.
    struct Names: Sendable {
        let dense, out: String

        static func huggingFace(_ family: BertConfig.Family, prefix: String) -> Names {
            switch family {
            case .bert: return Names(dense: prefix + "pooler.dense", out: "classifier")
            case .roberta, .xlmRoberta: return Names(dense: "classifier.dense", out: "classifier.out_proj")
            case .distilbert: return Names(dense: "pre_classifier", out: "classifier")
            }
        }

        /// llama.cpp's names for a classifier's dense layer and output.
        static let gguf = Names(dense: "cls", out: "cls.output")
    }

    init(family: BertConfig.Family, names: Names, hidden: Int, labels: Int, loader w: WeightLoader) throws {
        dense = try w.linear(names.dense, out: hidden, in: hidden, bias: true, as: .f32)
        activation = family == .distilbert ? .relu : .tanh
        out = try w.linear(names.out, out: labels, in: hidden, bias: true, as: .f32)
    }

    /// Logits for each row of `pooled` (each sequence's first-token hidden state).
    func callAsFunction(_ pooled: Matrix, arena: Arena, pool: ThreadPool) throws -> [[Float]] {
        let dense = try arena.matrix(rows: pooled.rows, cols: self.dense.outFeatures)
        let logits = try arena.matrix(rows: pooled.rows, cols: out.outFeatures)
        let scratch = try arena.allocate(sk_block_q8_a.self, count: self.dense.quantizedBlocks(rows: pooled.rows) + pooled.rows)
        // Row by row: BLAS may sum differently for one row than for several, and a text's
        // result must not depend on the batch it came in.
        for r in 0 ..< pooled.rows {
            self.dense(pooled.rows(r ..< r + 1), into: dense.rows(r ..< r + 1), scratch: scratch, pool: pool)
        }
        activation.apply(dense, pool: pool)
        for r in 0 ..< pooled.rows { out(dense.rows(r ..< r + 1), into: logits.rows(r ..< r + 1), scratch: scratch, pool: pool) }
        return (0 ..< pooled.rows).map { Array(UnsafeBufferPointer(start: logits.row($0), count: logits.cols)) }
    }
}

/// Label names and the scoring rule, from config.json.
public struct LabelSet: Sendable, Equatable {
    public let names: [String]
    public let problemType: ProblemType

    /// `id2label` gives names by index ("0": "billing"); missing ones become LABEL_i.
    init(id2label: [String: String]?, count: Int?, problemType: String?) throws {
        let n = count ?? id2label?.count ?? 2
        guard n >= 1, n <= 100_000 else { throw ModelError.invalidValue(key: "num_labels", value: "\(n)", expected: "1 to 100000") }
        var names = (0 ..< n).map { "LABEL_\($0)" }
        for (key, name) in id2label ?? [:] {
            guard let i = Int(key), i >= 0, i < n else {
                throw ModelError.invalidValue(key: "id2label", value: key, expected: "label indices below \(n)")
            }
            names[i] = name
        }
        self.names = names
        if let problemType {
            guard let p = ProblemType(rawValue: problemType) else {
                throw ModelError.invalidValue(key: "problem_type", value: problemType,
                                              expected: "single_label_classification, multi_label_classification or regression")
            }
            self.problemType = p
        } else {
            self.problemType = n == 1 ? .regression : .singleLabel
        }
    }

    /// Scores from logits: probabilities for single-label, independent sigmoids for
    /// multi-label, the raw value for regression.
    public func scores(_ logits: [Float]) -> [Float] { LabelSet.scores(logits, problemType) }

    static func scores(_ logits: [Float], _ problemType: ProblemType) -> [Float] {
        switch problemType {
        case .singleLabel:
            var p = logits
            p.withUnsafeMutableBufferPointer { softmax($0.baseAddress!, $0.count) }
            return p
        case .multiLabel: return logits.map { 1 / (1 + exp(-$0)) }
        case .regression: return logits
        }
    }
}
