/// Why a quantize or dequantize call refused its arguments.
///
/// These describe caller or file errors (a GGUF tensor of a type Sift cannot read, a byte
/// count that disagrees with the element count); nothing in this module traps on them.
public enum QuantizationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `operation` ("dequantize", "quantize") is not implemented for this type.
    case unsupported(GGMLType, operation: String)
    /// `elements` is not a whole number of the type's blocks.
    case partialBlock(type: GGMLType, elements: Int)
    /// `elements` of `type` take `type.byteCount(elements:)` bytes, but the buffer has `bytes`.
    case sizeMismatch(type: GGMLType, elements: Int, bytes: Int)

    public var description: String {
        switch self {
        case let .unsupported(type, operation):
            let supported = operation == "quantize" ? Quantize.supportedTypes : Dequantize.supportedTypes
            return "cannot \(operation) \(type): Sift supports \(supported.map(\.description).joined(separator: ", "))"
        case let .partialBlock(type, elements):
            return "\(type): \(elements) elements is not a whole number of \(type.blockSize)-element blocks"
        case let .sizeMismatch(type, elements, bytes):
            let expected = type.byteCount(elements: elements).map(String.init) ?? "an overflowing number of"
            return "\(type): \(elements) elements take \(expected) bytes (\(type.typeSize) per "
                + "\(type.blockSize)-element block), but the buffer has \(bytes) bytes"
        }
    }

    /// Checks that `elements` of `type` fill exactly `bytes` bytes.
    static func checkSize(_ type: GGMLType, elements: Int, bytes: Int) throws(QuantizationError) {
        guard elements % type.blockSize == 0 else {
            throw .partialBlock(type: type, elements: elements)
        }
        guard type.byteCount(elements: elements) == bytes else {
            throw .sizeMismatch(type: type, elements: elements, bytes: bytes)
        }
    }
}
