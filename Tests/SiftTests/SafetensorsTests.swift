import Foundation
import Testing
import TestSupport
@testable import Sift

private let formats = testsDirectory.appendingPathComponent("SiftTests/Fixtures/formats")

struct ExpectedTensor: Decodable { let dtype: String; let shape: [Int]; let values: [Double] }

/// Decodes a safetensors tensor to Double for comparison with the fixture's JSON.
private func values(_ t: TensorView) throws -> [Double] {
    let n = t.elementCount
    func load<T>(_: T.Type, _ f: (T) -> Double) -> [Double] {
        (0 ..< n).map { f(t.data.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self)) }
    }
    switch t.dtype {
    case .u8: return load(UInt8.self) { Double($0) }
    case .ggml(.i8): return load(Int8.self) { Double($0) }
    case .ggml(.i32): return load(Int32.self) { Double($0) }
    case .ggml(.i64): return load(Int64.self) { Double($0) }
    case .ggml(let type):
        var out = [Float](repeating: 0, count: n)
        try out.withUnsafeMutableBufferPointer { try Dequantize.row(type, from: t.data, into: $0) }
        return out.map(Double.init)
    default: Issue.record("unexpected dtype \(t.dtype)"); return []
    }
}

@Suite struct SafetensorsTests {
    let expected: [String: ExpectedTensor]

    init() throws {
        expected = try JSONDecoder().decode([String: ExpectedTensor].self,
                                            from: Data(contentsOf: formats.appendingPathComponent("reference.safetensors.json")))
    }

    func check(_ store: any TensorStore) throws {
        #expect(Set(store.tensorNames) == Set(expected.keys))
        for (name, e) in expected {
            let t = try #require(store.tensor(name))
            #expect(t.shape == e.shape, "\(name)")
            #expect(try values(t) == e.values, "\(name)")
        }
    }

    @Test func readsEveryDType() throws {
        let file = try SafetensorsFile(url: formats.appendingPathComponent("reference.safetensors"))
        #expect(file.metadata == ["format": "pt", "note": "fixture"])
        try check(file)
        #expect(file.tensor("missing") == nil)
    }

    @Test func readsShardedCheckpoints() throws {
        let store = try ShardedSafetensors(index: formats.appendingPathComponent("sharded/model.safetensors.index.json"))
        #expect(store.shards.count == 2)
        try check(store)
    }

    @Test func shardIndexMustAgreeWithShards() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sift-shards-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for name in ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"] {
            try FileManager.default.copyItem(at: formats.appendingPathComponent("sharded/\(name)"), to: dir.appendingPathComponent(name))
        }
        let index = dir.appendingPathComponent("model.safetensors.index.json")
        try Data(#"{"weight_map": {"a.f32": "model-00002-of-00002.safetensors"}}"#.utf8).write(to: index)
        #expect(throws: ShardError.missingTensor("a.f32", shard: "model-00002-of-00002.safetensors")) {
            try ShardedSafetensors(index: index)
        }
        try Data(#"{"weight_map": {"a.f32": "../model.safetensors"}}"#.utf8).write(to: index)
        #expect(throws: ShardError.badShardName("../model.safetensors")) { try ShardedSafetensors(index: index) }
        try Data(#"{"weight_map": 3}"#.utf8).write(to: index)
        #expect(throws: ShardError.self) { try ShardedSafetensors(index: index) }
    }
}
