/// An element type of a stored tensor: a ggml type (plain or block-quantized), or one of
/// the unsigned and boolean types that only safetensors carries.
public enum DType: Hashable, Sendable, CustomStringConvertible {
    case ggml(GGMLType)
    case u8, u16, u32, u64, bool

    public static let f32 = DType.ggml(.f32)
    public static let f16 = DType.ggml(.f16)
    public static let bf16 = DType.ggml(.bf16)

    public var description: String {
        switch self {
        case .ggml(let t): return t.description
        case .u8: return "u8"
        case .u16: return "u16"
        case .u32: return "u32"
        case .u64: return "u64"
        case .bool: return "bool"
        }
    }

    /// Bytes for `count` elements, or nil if not a whole number of blocks or on overflow.
    public func byteCount(elements count: Int) -> Int? {
        let size: Int
        switch self {
        case .ggml(let t): return t.byteCount(elements: count)
        case .u8, .bool: size = 1
        case .u16: size = 2
        case .u32: size = 4
        case .u64: size = 8
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: size)
        return overflow || count < 0 ? nil : bytes
    }
}

/// A read-only view of one tensor's bytes inside a mapped file.
public struct TensorView: @unchecked Sendable {
    public let name: String
    /// Outermost first: a Linear weight of `out` rows and `in` columns has shape [out, in].
    public let shape: [Int]
    public let dtype: DType
    /// Zero-copy: points into the mapping, which `owner` keeps alive.
    public let data: UnsafeRawBufferPointer
    let owner: AnyObject

    public var elementCount: Int { shape.contains(0) ? 0 : shape.reduce(1, *) }

    /// Releases the tensor's resident pages when it lives in a mapped file (see
    /// `MappedFile.releasePages`): for weights already copied into another layout.
    func releasePages() {
        if let g = owner as? GGUFFile { g.file.releasePages(data) } else if let s = owner as? SafetensorsFile { s.file.releasePages(data) }
    }
}

/// Tensors by name, from a GGUF file, a safetensors file or a sharded checkpoint.
public protocol TensorStore: Sendable {
    /// Tensor names in file order.
    var tensorNames: [String] { get }
    func tensor(_ name: String) -> TensorView?
}

extension GGUFFile: TensorStore {
    public var tensorNames: [String] { tensors.map(\.name) }

    public func tensor(_ name: String) -> TensorView? {
        guard let info = tensorInfo(name) else { return nil }
        return TensorView(name: name, shape: info.shape, dtype: .ggml(info.type), data: data(of: info), owner: self)
    }
}

/// The number of elements of a tensor with these dimensions, or nil when a dimension is
/// negative or the product of the non-zero dimensions overflows: a zero dimension makes the
/// tensor empty, but its other dimensions still get multiplied together (shape arithmetic,
/// a reversed product), so they must fit as well.
func checkedElementCount(_ dimensions: [Int]) -> Int? {
    var nonZero = 1
    for d in dimensions {
        guard d >= 0 else { return nil }
        if d == 0 { continue }
        let (p, overflow) = nonZero.multipliedReportingOverflow(by: d)
        guard !overflow else { return nil }
        nonZero = p
    }
    return dimensions.contains(0) ? 0 : nonZero
}
