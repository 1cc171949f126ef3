import Foundation

@testable import Sift

/// A GGUF file of pseudo-random fp32 tensors (quantized at load as a test asks), for tests
/// that need a model larger than the fixtures: paths that only open above some product size.
struct RandomGGUF {
    var writer = GGUFWriter()
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// `general.architecture` = arch, and each of `sizes` as the uint32 key "arch.name".
    mutating func architecture(_ arch: String, sizes: KeyValuePairs<String, Int>) {
        writer.set("general.architecture", .string(arch))
        for (name, value) in sizes { writer.set("\(arch).\(name)", .uint32(UInt32(value))) }
    }

    /// A tensor of values uniform in offset ± scale.
    mutating func tensor(_ name: String, _ shape: [Int], scale: Float = 0.08, offset: Float = 0) throws {
        let values = (0 ..< shape.reduce(1, *)).map { _ -> Float in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return offset + Float(Int64(state >> 40) - (1 << 23)) / Float(1 << 23) * scale
        }
        try writer.addTensor(name: name, shape: shape, type: .f32, bytes: values.withUnsafeBytes { Array($0) })
    }

    /// The file, written to a new temporary path (the caller removes it).
    func write(prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID()).gguf")
        try writer.write(to: url)
        return url
    }
}
