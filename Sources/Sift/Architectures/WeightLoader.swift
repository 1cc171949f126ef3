/// Reads a model's tensors by name, strictly: a missing tensor or one of the wrong shape
/// throws naming it, and `finish` throws if the store holds tensors the model never read.
final class WeightLoader {
    let store: any TensorStore
    /// How layers keep their weights; nil keeps each in the nearest type the kernels run
    /// (see `storageType(for:)`).
    let weightType: WeightType?
    /// How Q8_0 layers quantize their inputs.
    let activationScales: ActivationScales
    /// Whether int8 layers keep their panels in transparent huge pages (`WeightMemory`).
    let hugePages: Bool
    /// Threads that repack large int8 weights (`Linear.pack`): one per physical core.
    let packPool = ThreadPool(threads: ThreadPool.physicalCores)
    private var used = Set<String>()

    init(_ store: any TensorStore, weightType: WeightType?, activationScales: ActivationScales = .powerOfTwo, hugePages: Bool = true) {
        self.store = store
        self.hugePages = hugePages
        self.weightType = weightType
        self.activationScales = activationScales
    }

    /// The storage for a weight of `dtype` with `inFeatures` inputs: the requested type, or
    /// by default fp32 for float weights (F32/F16/BF16, BLAS) and Q8_0 for block-quantized
    /// ones (Q8_0 as is; Q4_0…Q6_K dequantized and requantized once, here at load).
    ///
    /// Float weights keep their precision by default although the int8 path is faster:
    /// one thread, AVX-512 VNNI, p50 µs (`swift package benchmark --filter "gemm.*"` in
    /// Benchmarks/, 2026-11-30), int8 vs OpenBLAS sgemm: 16×768·768×768 59 vs 285,
    /// 64×768·3072×768 912 vs 3,701, 64×896·4864×896 1,696 vs 7,279 (4-5×). A user who wants
    /// that speed asks for `.q8_0` (`--weights q8_0`, or `sift convert` to a Q8_0 file);
    /// inputs that are not a multiple of 32 wide always take fp32.
    func storageType(for dtype: DType, inFeatures: Int) -> WeightType {
        if inFeatures % 32 != 0 { return .f32 }
        if let weightType { return weightType }
        switch dtype {
        case .ggml(.f32), .ggml(.f16), .ggml(.bf16): return .f32
        default: return .q8_0
        }
    }

    func contains(_ name: String) -> Bool { store.tensor(name) != nil }

    func tensor(_ name: String, shape: [Int]? = nil) throws -> TensorView {
        guard let t = store.tensor(name) else { throw ModelError.missingTensor(name) }
        if let shape, t.shape != shape {
            // A vector may be stored as [1, n] or [n].
            guard t.elementCount == shape.reduce(1, *), shape.count == 1 || t.shape.count == 1 else {
                throw ModelError.shapeMismatch(tensor: name, expected: "\(shape)", found: t.shape)
            }
        }
        used.insert(name)
        return t
    }

    func vector(_ name: String, count: Int) throws -> [Float] {
        try tensor(name, shape: [count]).floats()
    }

    func optionalVector(_ name: String, count: Int) throws -> [Float]? {
        contains(name) ? try vector(name, count: count) : nil
    }

    /// A Linear from `<base>.weight` [out, in] and, if present (or `bias` is true, then
    /// required), `<base>.bias` [out].
    func linear(_ base: String, out: Int, in inFeatures: Int, bias: Bool?, as type: WeightType? = nil) throws -> Linear {
        let weight = try tensor(base + ".weight", shape: [out, inFeatures])
        let b: [Float]?
        switch bias {
        case true?: b = try vector(base + ".bias", count: out)
        case false?: b = nil
        case nil: b = try optionalVector(base + ".bias", count: out)
        }
        return try Linear(weight: weight, bias: b, as: type ?? storageType(for: weight.dtype, inFeatures: inFeatures), activationScales: activationScales,
                          hugePages: hugePages, packPool: packPool)
    }

    /// One Linear computing several layers that read the same input, their outputs side by
    /// side (q, k, v → [q | k | v]; gate, up → [gate | up]): one pass over the input and one
    /// larger product instead of several. Q8_0 matrices are packed together straight from the
    /// file (`Linear.stacking`: no copy, no requantization); other types as fp32. A missing
    /// bias is zeros when another part has one.
    func stacked(_ bases: [String], outs: [Int], in inFeatures: Int, bias: Bool?) throws -> Linear {
        let weights = try zip(bases, outs).map { try tensor($0 + ".weight", shape: [$1, inFeatures]) }
        let biases: [[Float]?] = try zip(bases, outs).map { base, out in
            switch bias {
            case true?: return try vector(base + ".bias", count: out)
            case false?: return nil
            case nil: return try optionalVector(base + ".bias", count: out)
            }
        }
        let fusedBias: [Float]? = biases.contains { $0 != nil }
            ? zip(biases, outs).flatMap { $0 ?? [Float](repeating: 0, count: $1) } : nil
        let total = outs.reduce(0, +)
        let type = storageType(for: weights[0].dtype, inFeatures: inFeatures)
        if type == .q8_0, weights.allSatisfy({ $0.dtype == .ggml(.q8_0) }) {
            return try Linear.stacking(weights, bias: fusedBias, activationScales: activationScales, hugePages: hugePages, packPool: packPool)
        }
        var values: [Float] = []
        values.reserveCapacity(total * inFeatures)
        for w in weights {
            values += try w.floats()
            w.releasePages()
        }
        return try Linear(weights: values, out: total, in: inFeatures, bias: fusedBias, as: type, activationScales: activationScales,
                          hugePages: hugePages, packPool: packPool)
    }

    func embedding(_ name: String, rows: Int, cols: Int) throws -> EmbeddingTable {
        try EmbeddingTable(tensor(name, shape: [rows, cols]))
    }

    /// Throws if the store has tensors that were never read, apart from `ignoring`.
    func finish(ignoring: (String) -> Bool = { _ in false }) throws {
        let extra = store.tensorNames.filter { !used.contains($0) && !ignoring($0) }
        guard extra.isEmpty else { throw ModelError.unexpectedTensors(extra) }
    }
}

/// An embedding matrix kept in its stored type (fp32, f16 or a block type) and read a row
/// at a time, so a large vocabulary is never expanded to fp32 in memory.
struct EmbeddingTable: @unchecked Sendable {
    let tensor: TensorView
    let type: GGMLType
    let rows: Int
    let cols: Int
    let rowBytes: Int

    init(_ tensor: TensorView) throws {
        guard tensor.shape.count == 2, case .ggml(let type) = tensor.dtype, type.isDequantizable,
              let rowBytes = type.byteCount(elements: tensor.shape[1]) else {
            throw ModelError.unsupportedTensorType(tensor: tensor.name, type: tensor.dtype.description)
        }
        self.tensor = tensor
        self.type = type
        rows = tensor.shape[0]
        cols = tensor.shape[1]
        self.rowBytes = rowBytes
    }

    /// Writes row `index` (checked by the caller against `rows`) into `out[0 ..< cols]`.
    func row(_ index: Int, into out: UnsafeMutablePointer<Float>) {
        let bytes = UnsafeRawBufferPointer(rebasing: tensor.data[index * rowBytes ..< (index + 1) * rowBytes])
        // The type and size were checked at load, so this cannot fail.
        try? Dequantize.row(type, from: bytes, into: UnsafeMutableBufferPointer(start: out, count: cols))
    }
}
