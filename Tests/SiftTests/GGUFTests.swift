import Foundation
import Testing
import TestSupport
@testable import Sift

/// The fixture written by gguf-py, and what gguf-py reads back from it.
private let referenceURL = testsDirectory.appendingPathComponent("SiftTests/Fixtures/formats/reference.gguf")

private struct ReferenceSummary: Decodable {
    struct Tensor: Decodable { let name: String; let type: String; let ne: [Int]; let offset: Int; let bytes: Int; let values: [Float] }
    let tensors: [Tensor]
}

@Suite struct GGUFReaderTests {
    @Test func readsEveryMetadataType() throws {
        let f = try GGUFFile(url: referenceURL)
        #expect(f.version == 3)
        #expect(f.alignment == 64)
        #expect(f.architecture == "llama")
        #expect(f["test.u8"] == .uint8(200))
        #expect(f["test.i8"] == .int8(-100))
        #expect(f["test.u16"] == .uint16(60000))
        #expect(f["test.i16"] == .int16(-30000))
        #expect(f["test.u32"] == .uint32(4_000_000_000))
        #expect(f["test.i32"] == .int32(-2_000_000_000))
        #expect(f["test.f32"] == .float32(3.25))
        #expect(f["test.bool"] == .bool(true))
        #expect(f["test.string"] == .string("héllo ▁world 👋"))
        #expect(f["test.u64"] == .uint64(1 << 63 + 5))
        #expect(f["test.i64"] == .int64(-(1 << 62)))
        #expect(f["test.f64"] == .float64(-1.0e-300))
        #expect(f["test.strings"] == .array(.string(["a", "", "ü", "<0x0A>"])))
        #expect(f["test.ints"]?.array?.ints == [1, -2, 3])
        #expect(f["test.floats"] == .array(.float32([0.5, -1.5])))
        #expect(f["test.bools"] == .array(.bool([true, false, true])))
        #expect(f["test.nested"]?.array?.count == 2)
        #expect(f["missing"] == nil)
    }

    @Test func tensorsMatchGGUFPy() throws {
        let f = try GGUFFile(url: referenceURL)
        let data = try Data(contentsOf: referenceURL.appendingPathExtension("json"))
        let reference = try JSONDecoder().decode(ReferenceSummary.self, from: data)
        #expect(f.tensors.map(\.name) == reference.tensors.map(\.name))
        for r in reference.tensors {
            let info = try #require(f.tensorInfo(r.name))
            #expect(info.type.description == r.type)
            #expect(info.dimensions == r.ne)
            #expect(f.dataOffset + info.offset == r.offset)
            #expect(info.byteCount == r.bytes)
            let view = try #require(f.tensor(r.name))
            #expect(view.shape == r.ne.reversed())
            #expect(view.data.count == r.bytes)
            if info.type == .i32 {
                let ints = (0 ..< view.elementCount).map { Float(view.data.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self)) }
                #expect(ints == r.values)
            } else {
                var out = [Float](repeating: .nan, count: view.elementCount)
                try out.withUnsafeMutableBufferPointer { try Dequantize.row(info.type, from: view.data, into: $0) }
                #expect(out == r.values, "\(r.name)")
            }
        }
    }

    @Test func zeroCopyViewsPointIntoTheMapping() throws {
        let f = try GGUFFile(url: referenceURL)
        let view = try #require(f.tensor("f32.matrix"))
        let base = try #require(f.file.bytes.baseAddress)
        let start = try #require(view.data.baseAddress)
        #expect(start - base == f.dataOffset + f.tensorInfo("f32.matrix")!.offset)
        #expect(Int(bitPattern: start) % 64 == 0)
    }
}

@Suite struct GGUFWriterTests {
    @Test func roundTripsMetadataAndTensors() throws {
        let source = try GGUFFile(url: referenceURL)
        var writer = GGUFWriter()
        for (key, value) in source.metadata { writer.set(key, value) }
        for info in source.tensors {
            let bytes = Array(source.data(of: info))
            try writer.addTensor(name: info.name, shape: info.shape, type: info.type, bytes: bytes)
        }
        // SIFT_KEEP_GGUF=path keeps the copy for models/check_sift_gguf.py (gguf-py reads it).
        let kept = ProcessInfo.processInfo.environment["SIFT_KEEP_GGUF"]
        let url = kept.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("sift-roundtrip-\(UUID()).gguf")
        defer { if kept == nil { try? FileManager.default.removeItem(at: url) } }
        var progress: [Int] = []
        try writer.write(to: url) { done, total in progress.append(done); #expect(total == source.tensors.count) }
        #expect(progress == Array(1 ... source.tensors.count))

        let copy = try GGUFFile(url: url)
        #expect(copy.alignment == 64)
        #expect(copy.metadata.map(\.key) == source.metadata.map(\.key))
        for (a, b) in zip(copy.metadata, source.metadata) { #expect(a.value == b.value, "\(a.key)") }
        #expect(copy.tensors.map(\.name) == source.tensors.map(\.name))
        for info in source.tensors {
            let other = try #require(copy.tensorInfo(info.name))
            #expect(other.dimensions == info.dimensions && other.type == info.type)
            #expect(Array(copy.data(of: other)) == Array(source.data(of: info)))
        }
    }

    @Test func refusesBadTensors() throws {
        var writer = GGUFWriter()
        try writer.addTensor(name: "a", shape: [2, 32], type: .q8_0, bytes: [UInt8](repeating: 0, count: 68))
        #expect(throws: GGUFWriterError.duplicateTensor("a")) {
            try writer.addTensor(name: "a", shape: [2], type: .f32, bytes: [])
        }
        #expect(throws: GGUFWriterError.badShape("b", [3, 31])) {
            try writer.addTensor(name: "b", shape: [3, 31], type: .q8_0, bytes: [])
        }
        try writer.addTensor(name: "c", shape: [4], type: .f32, bytes: [1, 2, 3])
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sift-bad-\(UUID()).gguf")
        #expect(throws: GGUFWriterError.sizeMismatch("c", expected: 16, produced: 3)) { try writer.write(to: url) }
        #expect(!FileManager.default.fileExists(atPath: url.path), "a failed write leaves no file")
    }
}
