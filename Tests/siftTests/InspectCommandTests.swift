import Foundation
import Testing
import TestSupport

private let formats = testsDirectory.appendingPathComponent("SiftTests/Fixtures/formats")

@Suite struct InspectCommandTests {
    @Test func printsTensorTableAndTotals() throws {
        let r = try runSift(["inspect", formats.appendingPathComponent("reference.gguf").path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("GGUF v3, alignment 64"))
        #expect(r.stdout.contains("test.strings"))
        #expect(r.stdout.contains("q8_0.cube"))
        #expect(r.stdout.contains("[2, 3, 64]"))
        #expect(r.stdout.contains("total  7 tensors, 1169 parameters"))
    }

    @Test func jsonOutputDecodes() throws {
        let r = try runSift(["inspect", "--json", formats.appendingPathComponent("reference.safetensors").path])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let tensors = try #require(object["tensors"] as? [[String: Any]])
        #expect(tensors.count == 8)
        #expect(object["format"] as? String == "safetensors")
    }

    @Test func corruptFilePrintsOneErrorLine() throws {
        let data = try Data(contentsOf: formats.appendingPathComponent("reference.gguf"))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sift-trunc-\(UUID()).gguf")
        defer { try? FileManager.default.removeItem(at: url) }
        try data.prefix(2000).write(to: url)
        let r = try runSift(["inspect", url.path])
        #expect(r.status != 0)
        #expect(r.stdout.isEmpty)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(r.stderr)")
        #expect(r.stderr.contains("needs") && r.stderr.contains("bytes"))
    }

    @Test func missingPathIsAnError() throws {
        let r = try runSift(["inspect", "/nonexistent/model.gguf"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("no such file"))
    }

    @Test(.enabled(if: assetURL("smollm2/SmolLM2-135M-Instruct.Q4_1.gguf") != nil,
                   "needs models/fetch_assets.sh"))
    func realSmolLM2() throws {
        let r = try runSift(["inspect", "--json", assetURL("smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")!.path])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let tensors = try #require(object["tensors"] as? [[String: Any]])
        #expect(tensors.count == 272)
        let types = Dictionary(grouping: tensors, by: { $0["type"] as? String ?? "" }).mapValues(\.count)
        #expect(types == ["q4_1": 210, "q8_0": 1, "f32": 61])
    }

    @Test(.enabled(if: assetURL("minilm/model.safetensors") != nil, "needs models/fetch_assets.sh"))
    func realMiniLMFolder() throws {
        let r = try runSift(["inspect", assetURL("minilm")!.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("num_hidden_layers"))
        #expect(r.stdout.contains("encoder.layer.5.output.dense.weight"))
        #expect(r.stdout.contains("104 tensors"))
    }
}
