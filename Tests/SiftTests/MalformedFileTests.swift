import Foundation
import Testing
import TestSupport
@testable import Sift

private let formats = testsDirectory.appendingPathComponent("SiftTests/Fixtures/formats")

private func gguf(_ bytes: [UInt8]) throws -> GGUFFile { try GGUFFile(file: MappedFile(copying: bytes)) }
private func safetensors(_ bytes: [UInt8]) throws -> SafetensorsFile { try SafetensorsFile(file: MappedFile(copying: bytes)) }

private func le64(_ v: UInt64) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
private func le32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }

/// A minimal GGUF: one metadata string and one F32 tensor of `count` elements.
private func smallGGUF(key: String = "general.architecture", tensorName: String = "t", count: Int = 8,
                       type: UInt32 = 0, offset: UInt64 = 0, dims: [UInt64]? = nil) -> [UInt8] {
    var b = le32(GGUFFile.magic) + le32(3) + le64(1) + le64(1)
    b += le64(UInt64(key.utf8.count)) + Array(key.utf8) + le32(8) + le64(5) + Array("llama".utf8)
    let d = dims ?? [UInt64(count)]
    b += le64(UInt64(tensorName.utf8.count)) + Array(tensorName.utf8) + le32(UInt32(d.count))
    for x in d { b += le64(x) }
    b += le32(type) + le64(offset)
    while b.count % 32 != 0 { b.append(0) }
    return b + [UInt8](repeating: 0, count: count * 4)
}

@Suite struct MalformedGGUFTests {
    let reference: [UInt8]
    init() throws { reference = Array(try Data(contentsOf: formats.appendingPathComponent("reference.gguf"))) }

    @Test func everyTruncationThrows() throws {
        let f = try gguf(reference)
        // Any cut inside the header or a tensor's data must throw (the file may end with
        // padding after the last tensor, which can go).
        let end = f.dataOffset + f.tensors.map { $0.offset + $0.byteCount }.max()!
        for length in 0 ..< end {
            #expect(throws: GGUFError.self, "length \(length)") { try gguf(Array(reference[0 ..< length])) }
        }
    }

    @Test func namesEachProblem() throws {
        _ = try gguf(smallGGUF())
        var b = smallGGUF(); b[0] = UInt8(ascii: "X")
        #expect(throws: GGUFError.badMagic(found: 0x4655_4758)) { try gguf(b) }
        b = smallGGUF(); b[4] = 1
        #expect(throws: GGUFError.unsupportedVersion(1)) { try gguf(b) }
        b = smallGGUF(); b[4 ..< 8] = [0, 0, 0, 3]
        #expect(throws: GGUFError.bigEndian) { try gguf(b) }
        b = smallGGUF(); b[8 ..< 16] = ArraySlice(le64(1 << 60))
        #expect(throws: GGUFError.countBeyondFile(what: "tensor count", count: 1 << 60, offset: 8)) { try gguf(b) }
        b = smallGGUF(); b[16 ..< 24] = ArraySlice(le64(.max))
        #expect(throws: GGUFError.countBeyondFile(what: "metadata count", count: .max, offset: 16)) { try gguf(b) }
        b = smallGGUF(); b[24 ..< 32] = ArraySlice(le64(1 << 40))
        #expect(throws: GGUFError.lengthBeyondFile(what: "key of metadata entry 0", offset: 24, length: 1 << 40, available: b.count - 32)) { try gguf(b) }
        b = smallGGUF(); b[52 ..< 56] = ArraySlice(le32(99))
        #expect(throws: GGUFError.unknownValueType(key: "general.architecture", type: 99, offset: 52)) { try gguf(b) }
        #expect(throws: GGUFError.unknownTensorType(tensor: "t", type: 77, offset: 90)) { try gguf(smallGGUF(type: 77)) }
        #expect(throws: GGUFError.tensorOutOfBounds(tensor: "t", offset: 160, bytes: 32, fileSize: 128 + 32)) {
            try gguf(smallGGUF(offset: 32))
        }
        #expect(throws: GGUFError.misalignedTensor(tensor: "t", offset: 4, alignment: 32)) { try gguf(smallGGUF(offset: 4)) }
        #expect(throws: GGUFError.dimensionOverflow(tensor: "t", dimensions: [1 << 40, 1 << 40])) {
            try gguf(smallGGUF(dims: [1 << 40, 1 << 40]))
        }
        #expect(throws: GGUFError.dimensionOverflow(tensor: "t", dimensions: [.max])) { try gguf(smallGGUF(dims: [.max])) }
        #expect(throws: GGUFError.badDimensionCount(tensor: "t", count: 5)) { try gguf(smallGGUF(dims: [1, 1, 1, 1, 8])) }
        #expect(throws: GGUFError.badRowSize(tensor: "t", type: .q8_0, innermost: 8)) { try gguf(smallGGUF(type: 8)) }
    }

    @Test func duplicatesAndOverlaps() throws {
        // Two tensors of 8 floats: same name, then overlapping offsets.
        func two(_ second: String, offset: UInt64) -> [UInt8] {
            var b = le32(GGUFFile.magic) + le32(3) + le64(2) + le64(0)
            for (name, off) in [("a", UInt64(0)), (second, offset)] {
                b += le64(UInt64(name.utf8.count)) + Array(name.utf8) + le32(1) + le64(8) + le32(0) + le64(off)
            }
            while b.count % 32 != 0 { b.append(0) }
            return b + [UInt8](repeating: 0, count: 64)
        }
        _ = try gguf(two("b", offset: 32))
        #expect(throws: GGUFError.duplicateTensor("a", offset: 57)) { try gguf(two("a", offset: 32)) }
        #expect(throws: GGUFError.tensorsOverlap("a", "b")) { try gguf(two("b", offset: 0)) }
    }

    @Test func hugeArrayLengthsThrowBeforeAllocating() throws {
        var b = le32(GGUFFile.magic) + le32(3) + le64(0) + le64(1)
        b += le64(3) + Array("arr".utf8) + le32(9) + le32(8) + le64(UInt64.max / 2)
        #expect(throws: GGUFError.self) { try gguf(b) }
        b = le32(GGUFFile.magic) + le32(3) + le64(0) + le64(1)
        b += le64(3) + Array("arr".utf8) + le32(9) + le32(0) + le64(1 << 62)
        #expect(throws: GGUFError.lengthBeyondFile(what: "array arr", offset: 43, length: 1 << 62, available: 0)) { try gguf(b) }
    }

    @Test func randomCorruptionNeverCrashes() throws {
        var g = SeededGenerator(seed: 11)
        for _ in 0 ..< 3000 {
            var b = reference
            for _ in 0 ..< Int.random(in: 1 ... 4, using: &g) {
                let i = Int.random(in: 0 ..< 1100, using: &g)  // the header
                b[i] = UInt8.random(in: 0 ... 255, using: &g)
            }
            _ = try? gguf(b)
        }
    }
}

@Suite struct MalformedSafetensorsTests {
    let reference: [UInt8]
    init() throws { reference = Array(try Data(contentsOf: formats.appendingPathComponent("reference.safetensors"))) }

    private func file(header: String, data: Int = 16) -> [UInt8] {
        le64(UInt64(header.utf8.count)) + Array(header.utf8) + [UInt8](repeating: 0, count: data)
    }

    @Test func everyTruncationThrows() throws {
        _ = try safetensors(reference)
        for length in 0 ..< reference.count {
            #expect(throws: SafetensorsError.self, "length \(length)") { try safetensors(Array(reference[0 ..< length])) }
        }
    }

    @Test func namesEachProblem() throws {
        _ = try safetensors(file(header: #"{"a": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}}"#))
        #expect(throws: SafetensorsError.headerTooLarge(1 << 50)) { try safetensors(le64(1 << 50) + [1, 2]) }
        #expect(throws: SafetensorsError.headerBeyondFile(length: 100, fileSize: 10)) { try safetensors(le64(100) + [1, 2]) }
        #expect(throws: SafetensorsError.self) { try safetensors(file(header: "{not json")) }
        #expect(throws: SafetensorsError.unknownDType(tensor: "a", "F7")) {
            try safetensors(file(header: #"{"a": {"dtype": "F7", "shape": [4], "data_offsets": [0, 16]}}"#))
        }
        #expect(throws: SafetensorsError.outOfBounds(tensor: "a", begin: 0, end: 64, dataSize: 16)) {
            try safetensors(file(header: #"{"a": {"dtype": "F32", "shape": [16], "data_offsets": [0, 64]}}"#))
        }
        #expect(throws: SafetensorsError.sizeMismatch(tensor: "a", shape: [3], dtype: "F32", bytes: 16)) {
            try safetensors(file(header: #"{"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 16]}}"#))
        }
        #expect(throws: SafetensorsError.badOffsets(tensor: "a", [8, 0])) {
            try safetensors(file(header: #"{"a": {"dtype": "F32", "shape": [0], "data_offsets": [8, 0]}}"#))
        }
        #expect(throws: SafetensorsError.badShape(tensor: "a", [Int.max, 4])) {
            try safetensors(file(header: #"{"a": {"dtype": "F32", "shape": [9223372036854775807, 4], "data_offsets": [0, 16]}}"#))
        }
        #expect(throws: SafetensorsError.overlap("a", "b")) {
            try safetensors(file(header: #"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}"#))
        }
    }

    @Test func randomCorruptionNeverCrashes() throws {
        var g = SeededGenerator(seed: 5)
        for _ in 0 ..< 3000 {
            var b = reference
            for _ in 0 ..< Int.random(in: 1 ... 4, using: &g) {
                b[Int.random(in: 0 ..< b.count, using: &g)] = UInt8.random(in: 0 ... 255, using: &g)
            }
            _ = try? safetensors(b)
        }
    }
}
