import Foundation
import Testing
import TestSupport
@testable import Sift

/// A copy of fixture `name` with config.json edited by `edit`, for error tests.
private func editedCopy(of name: String, _ edit: (inout [String: Any]) -> Void) throws -> URL {
    let source = ArchitectureGolden.modelFolder(name)
    let copy = FileManager.default.temporaryDirectory.appendingPathComponent("sift-\(name)-\(UUID().uuidString)")
    try FileManager.default.copyItem(at: source, to: copy)
    let configURL = copy.appendingPathComponent("config.json")
    var config = try JSONSerialization.jsonObject(with: Data(contentsOf: configURL)) as! [String: Any]
    edit(&config)
    try JSONSerialization.data(withJSONObject: config).write(to: configURL)
    return copy
}

/// Every mistake a user can make with a model folder is a typed error naming the tensor or
/// key, raised before the forward pass and without a crash.
@Suite struct ModelErrorTests {
    @Test(arguments: ["bert-cls", "llama-cls"])
    func moreLayersThanWeightsNamesTheMissingTensor(name: String) throws {
        let folder = try editedCopy(of: name) { $0["num_hidden_layers"] = ($0["num_hidden_layers"] as! Int) + 1 }
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect {
            _ = try ModelRegistry.load(folder: folder, weightType: .f32)
        } throws: { error in
            guard case ModelError.missingTensor(let tensor) = error else { return false }
            return tensor.contains("layer")
        }
    }

    @Test(arguments: ["bert-cls", "llama-cls"])
    func fewerLayersThanWeightsListsTheUnexpectedTensors(name: String) throws {
        let folder = try editedCopy(of: name) { $0["num_hidden_layers"] = 1 }
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect {
            _ = try ModelRegistry.load(folder: folder, weightType: .f32)
        } throws: { error in
            guard case ModelError.unexpectedTensors(let names) = error else { return false }
            return names.allSatisfy { $0.contains(".1.") }
        }
    }

    @Test(arguments: ["bert-cls", "qwen2-cls"])
    func wrongWidthIsAShapeMismatch(name: String) throws {
        let folder = try editedCopy(of: name) { $0["intermediate_size"] = ($0["intermediate_size"] as! Int) * 2 }
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect {
            _ = try ModelRegistry.load(folder: folder, weightType: .f32)
        } throws: { error in
            if case ModelError.shapeMismatch = error { return true }
            return false
        }
    }

    @Test func unknownArchitectureListsTheSupportedOnes() throws {
        let folder = try editedCopy(of: "bert-cls") { $0["model_type"] = "gpt_neox" }
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: ModelError.unsupportedArchitecture("gpt_neox", supported: ModelRegistry.supportedModelTypes)) {
            _ = try ModelRegistry.load(folder: folder, weightType: .f32)
        }
    }

    /// A config asking for absurd sizes is refused by its bounds, before anything is read
    /// or allocated.
    @Test(arguments: [("bert-cls", "num_hidden_layers"), ("llama-cls", "num_hidden_layers"),
                      ("llama-cls", "hidden_size"), ("bert-cls", "vocab_size")])
    func absurdSizesAreRefused(name: String, key: String) throws {
        let folder = try editedCopy(of: name) { $0[key] = 1_000_000_000 }
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect {
            _ = try ModelRegistry.load(folder: folder, weightType: .f32)
        } throws: { error in
            guard case ModelError.invalidValue(let k, _, _) = error else { return false }
            return k == key
        }
    }

    /// A softcap of 0 would turn every score into NaN (0 · tanh(x / 0)); it is refused by name.
    @Test(arguments: [("attn_logit_softcapping", 0.0), ("final_logit_softcapping", -30.0)])
    func nonPositiveSoftcapsAreRefused(key: String, value: Double) throws {
        let folder = try editedCopy(of: "llama-cls") { $0[key] = value }
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect {
            _ = try ModelRegistry.load(folder: folder, weightType: .f32)
        } throws: { error in
            guard case ModelError.invalidValue(let k, _, _) = error else { return false }
            return k == key
        }
    }

    @Test func labelCountDisagreeingWithTheHeadIsAShapeMismatch() throws {
        let folder = try editedCopy(of: "bert-cls") { c in
            c["id2label"] = ["0": "a", "1": "b", "2": "c", "3": "d", "4": "e"]
            c["label2id"] = nil
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect {
            _ = try ModelRegistry.load(folder: folder, weightType: .f32)
        } throws: { error in
            guard case ModelError.shapeMismatch(let tensor, _, _) = error else { return false }
            return tensor.hasPrefix("classifier")
        }
    }

    @Test func zeroShotOnAnEncoderSaysWhatIsNeeded() throws {
        #expect(throws: ClassifierError.self) {
            _ = try Classifier(contentsOf: ArchitectureGolden.modelFolder("bert-cls"), options: .init(labels: ["a", "b"]))
        }
    }
}
