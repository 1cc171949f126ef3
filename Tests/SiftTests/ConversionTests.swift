import Foundation
import Testing
import TestSupport
@testable import Sift
@testable import SiftTokenizers

private func temporaryGGUF(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("sift-\(name)-\(UUID().uuidString).gguf")
}

/// `sift convert`'s library half: HF folder (+ LoRA) → GGUF → the same logits.
@Suite struct ConversionTests {
    /// An f32 GGUF gives transformers' logits (so Q/K permutation, Gemma's norm offset,
    /// RoBERTa's position rows and the metadata all round-trip), and its tokenizer the ids.
    @Test(arguments: classifierFixtures)
    func f32GGUFMatchesTransformers(name: String) throws {
        let golden = try ArchitectureGolden.load(name)
        let url = temporaryGGUF(name)
        defer { try? FileManager.default.removeItem(at: url) }
        let report = try Converter.convert(folder: ArchitectureGolden.modelFolder(name), type: .f32, to: url)
        if let labels = golden.labels { #expect(report.labels == labels) }
        let gguf = try GGUFFile(url: url)
        let runner = GoldenRunner(model: try ModelRegistry.load(gguf: gguf, weightType: nil))
        let tokenizer = try gguf.tokenizer()
        for c in golden.cases {
            #expect(tokenizer.encode(c.text, pair: c.text_pair).ids == c.ids)
            let e = scaledError(try runner.logits(c), try #require(c.logits))
            #expect(e <= 1e-4, "\(name) \(c.text.debugDescription): GGUF f32 logits off by \(e)")
        }
    }

    /// A Q8_0 GGUF keeps the top label; its matrices are stored as Q8_0 blocks.
    @Test(arguments: classifierFixtures)
    func q8_0GGUFKeepsTheAnswer(name: String) throws {
        let golden = try ArchitectureGolden.load(name)
        let url = temporaryGGUF(name)
        defer { try? FileManager.default.removeItem(at: url) }
        _ = try Converter.convert(folder: ArchitectureGolden.modelFolder(name), type: .q8_0, to: url)
        let gguf = try GGUFFile(url: url)
        #expect(gguf.tensors.filter { $0.name.hasSuffix("ffn_down.weight") }.allSatisfy { $0.type == .q8_0 })
        let runner = GoldenRunner(model: try ModelRegistry.load(gguf: gguf, weightType: nil))
        for c in golden.cases {
            let want = try #require(c.logits)
            let logits = try runner.logits(c)
            #expect(int8Close(logits, want), "\(name): GGUF q8_0 logits \(logits) vs \(want)")
            if golden.problem_type != "multi_label_classification" { #expect(sameTopLabel(logits, want), "\(name): top label") }
        }
    }

    /// LoRA merged at load, and merged by convert, give the adapted model's logits.
    @Test(arguments: ["llama-lora", "bert-lora"])
    func loraMergeMatchesPEFT(name: String) throws {
        let golden = try ArchitectureGolden.load(name)
        let base = ArchitectureGolden.modelFolder(name).appendingPathComponent("base")
        let adapter = ArchitectureGolden.modelFolder(name).appendingPathComponent("adapter")
        let merged = GoldenRunner(model: try ModelRegistry.load(folder: base, weightType: .f32, lora: adapter))
        let plain = GoldenRunner(model: try ModelRegistry.load(folder: base, weightType: .f32))
        let url = temporaryGGUF(name)
        defer { try? FileManager.default.removeItem(at: url) }
        _ = try Converter.convert(folder: base, lora: adapter, type: .f32, to: url)
        let converted = GoldenRunner(model: try ModelRegistry.load(gguf: GGUFFile(url: url), weightType: nil))
        for c in golden.cases {
            let want = try #require(c.logits)
            #expect(scaledError(try merged.logits(c), want) <= 1e-4, "\(name): LoRA merged at load")
            #expect(scaledError(try converted.logits(c), want) <= 1e-4, "\(name): LoRA merged by convert")
            // The adapter must matter, or this test proves nothing.
            #expect(scaledError(try plain.logits(c), want) > 1e-3, "\(name): the base model alone already gives the golden")
        }
    }

    @Test func loraTargetingAMissingModuleIsNamed() throws {
        let adapter = ArchitectureGolden.modelFolder("llama-lora").appendingPathComponent("adapter")
        // The BERT base has no Llama modules.
        let base = ArchitectureGolden.modelFolder("bert-lora").appendingPathComponent("base")
        #expect {
            _ = try ModelRegistry.load(folder: base, weightType: .f32, lora: adapter)
        } throws: { error in
            guard case ModelError.missingTensor(let name) = error else { return false }
            return name.contains("model.layers.") && name.contains("LoRA")
        }
    }
}
