import ArgumentParser
import Foundation
import Sift

/// Options shared by the commands that load a model to classify with.
struct ModelOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: ArgumentHelp(
        "A GGUF file or a Hugging Face model folder. Default: the bundled intent model.",
        valueName: "MODEL"))
    var model: String?

    @Option(help: "Threads per classification (default: the machine's physical cores).")
    var threads: Int?

    @Option(help: "Truncate inputs to this many tokens (default: the model's limit, at most 512).")
    var maxTokens: Int?

    @Option(help: ArgumentHelp("Weights in memory: q8_0 (int8 kernels) or f32. Default: as stored.", valueName: "TYPE"))
    var weights: WeightType?

    @Option(help: ArgumentHelp("int8 activation block scales: power-of-two (faster) or exact (max|x|/127, finer).",
                               valueName: "RULE"))
    var activationScales: ActivationScales = .powerOfTwo

    @Flag(inversion: .prefixedNo, help: "Keep int8 weights in transparent huge pages (Linux): faster on large models, slower to load on some VMs.")
    var hugePages = true

    @Option(help: ArgumentHelp("A PEFT LoRA adapter folder to merge into a Hugging Face model.", valueName: "DIR"))
    var lora: String?

    @Option(help: ArgumentHelp("Zero-shot routing with a language model: comma-separated labels.", valueName: "A,B,C"))
    var labels: String?

    @Option(help: ArgumentHelp("Zero-shot prompt; {text} is the input, {labels} the label list. Default: the model's chat format.", valueName: "TEMPLATE"))
    var template: String?

    /// The model to load: -m, else $SIFT_MODEL, else the default model in the checkout.
    func modelURL() throws -> URL {
        if let model { return URL(fileURLWithPath: model) }
        if let env = ProcessInfo.processInfo.environment["SIFT_MODEL"], !env.isEmpty { return URL(fileURLWithPath: env) }
        let bundled = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("models/default/sift-intents.q8_0.gguf")
        guard FileManager.default.fileExists(atPath: bundled.path) else {
            throw CLIError("no model given: pass -m MODEL (a GGUF file or a Hugging Face folder) or set SIFT_MODEL")
        }
        return bundled
    }

    func classifierOptions(threshold: Float? = nil) -> ClassifierOptions {
        ClassifierOptions(threads: threads, maxTokens: maxTokens, weightType: weights, lora: lora.map { URL(fileURLWithPath: $0) },
                          threshold: threshold,
                          labels: labels.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } },
                          template: template.map { $0.replacingOccurrences(of: "\\n", with: "\n") },
                          activationScales: activationScales, hugePages: hugePages)
    }

    func load(threshold: Float? = nil) throws -> Classifier {
        let url = try modelURL()
        do {
            return try Classifier(contentsOf: url, options: classifierOptions(threshold: threshold))
        } catch {
            throw CLIError("\(url.path): \(error)")
        }
    }
}

extension WeightType: ExpressibleByArgument {}
extension ActivationScales: ExpressibleByArgument {}
