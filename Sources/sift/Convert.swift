#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import Foundation
import Sift

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert a Hugging Face model folder (and a LoRA adapter) to one GGUF file.",
        discussion: """
            HF_DIR holds config.json, model.safetensors (or shards) and tokenizer.json. With --lora, a PEFT adapter (adapter_config.json, adapter_model.safetensors) is merged into the weights in fp32 before anything is quantized. q8_0 stores the matrices as int8 blocks (about a quarter of f32; what Sift runs fastest); norms, biases and the classification head stay f32.

            Example:
              sift convert ./my-finetune --lora ./my-adapter --type q8_0 -o tickets.gguf
            """
    )

    @Argument(help: "The Hugging Face model folder.")
    var folder: String

    @Option(help: ArgumentHelp("A PEFT LoRA adapter folder to merge.", valueName: "ADAPTER_DIR"))
    var lora: String?

    @Option(name: .customLong("type"), help: "Storage type of the matrices: q8_0, f16 or f32.")
    var type: ConversionType = .q8_0

    @Option(name: .shortAndLong, help: "The GGUF file to write.")
    var output: String

    func run() throws {
        let showProgress = isatty(STDERR_FILENO) != 0
        let report: ConversionReport
        do {
            report = try Converter.convert(folder: URL(fileURLWithPath: folder), lora: lora.map { URL(fileURLWithPath: $0) },
                                           type: type, to: URL(fileURLWithPath: output)) { done, total in
                guard showProgress else { return }
                let width = 30, filled = width * done / max(total, 1)
                let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
                FileHandle.standardError.write(Data("\r[\(bar)] \(done)/\(total) tensors".utf8))
                if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
            }
        } catch {
            throw CLIError("\(folder): \(error)")
        }
        let mb = Double(report.bytes) / 1_048_576
        var line = "wrote \(output): \(report.architecture), \(report.tensors) tensors, \(String(format: "%.1f", mb)) MiB, \(type.rawValue)"
        if !report.labels.isEmpty { line += ", labels: \(report.labels.joined(separator: ", "))" }
        print(line)
    }
}

extension ConversionType: ExpressibleByArgument {}
