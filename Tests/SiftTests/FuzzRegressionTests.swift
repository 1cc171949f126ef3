import Foundation
import Testing
@testable import Sift

/// Inputs that crashed a fuzz target (Fixtures/fuzz/README.md), replayed through the calls
/// the target makes. Each must now end in a typed error or a result, never a trap.
struct FuzzRegressionTests {
    /// The gguf target's calls: parse, read every tensor, build the vocabulary and tokenizer.
    static func replayGGUF(_ bytes: Data) throws {
        let gguf = try GGUFFile(file: MappedFile(copying: [UInt8](bytes)))
        for info in gguf.tensors {
            _ = gguf.data(of: info)
            _ = try? gguf.tensor(info.name)?.floats()
        }
        _ = try? gguf.vocabulary()
    }

    @Test func zeroDimensionWithOverflowingOthersIsRefused() throws {
        let bytes = try Data(contentsOf: fixtureURL("fuzz/gguf-zero-dimension-overflow.gguf"))
        #expect {
            try Self.replayGGUF(bytes)
        } throws: { error in
            guard case GGUFError.dimensionOverflow(let tensor, _) = error else { return false }
            return !tensor.isEmpty
        }
    }

    /// The same shape in a safetensors header: refused as a bad shape.
    @Test func safetensorsZeroDimensionWithOverflowingOthersIsRefused() throws {
        let header = #"{"t":{"dtype":"F32","shape":[0,72057594037927936,15,432345564227567615],"data_offsets":[0,0]}}"#
        var bytes = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { [UInt8]($0) }
        bytes += Array(header.utf8)
        #expect(throws: SafetensorsError.self) { try SafetensorsFile(file: MappedFile(copying: bytes)) }
    }

    /// Empty tensors are still fine when their other dimensions fit.
    @Test func zeroDimensionAloneIsAnEmptyTensor() {
        #expect(checkedElementCount([0, 4096, 4096]) == 0)
        #expect(checkedElementCount([4096, 0]) == 0)
        #expect(checkedElementCount([1 << 40, 1 << 40, 0]) == nil)
        #expect(checkedElementCount([3, -1]) == nil)
        #expect(checkedElementCount([]) == 1)
    }
}
