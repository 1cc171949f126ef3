/// A GGUF file that cannot be read, with what was wrong and where (byte offsets are from the
/// start of the file).
public enum GGUFError: Error, Equatable, CustomStringConvertible {
    case badMagic(found: UInt32)
    case unsupportedVersion(UInt32)
    case bigEndian
    case truncated(what: String, offset: Int, needed: Int, available: Int)
    case countBeyondFile(what: String, count: UInt64, offset: Int)
    case lengthBeyondFile(what: String, offset: Int, length: UInt64, available: Int)
    case duplicateKey(String, offset: Int)
    case unknownValueType(key: String, type: UInt32, offset: Int)
    case badBool(key: String, value: UInt8, offset: Int)
    case arrayTooDeep(key: String, offset: Int)
    case badAlignment(String)
    case duplicateTensor(String, offset: Int)
    case badDimensionCount(tensor: String, count: UInt32)
    case dimensionOverflow(tensor: String, dimensions: [UInt64])
    case unknownTensorType(tensor: String, type: UInt32, offset: Int)
    case badRowSize(tensor: String, type: GGMLType, innermost: Int)
    case misalignedTensor(tensor: String, offset: UInt64, alignment: Int)
    case tensorOutOfBounds(tensor: String, offset: Int, bytes: Int, fileSize: Int)
    case tensorsOverlap(String, String)

    public var description: String {
        switch self {
        case .badMagic(let found):
            let text = withUnsafeBytes(of: found.littleEndian) { String(decoding: $0, as: UTF8.self) }
            return "not a GGUF file: magic is \(text.debugDescription) (0x\(String(found, radix: 16))), expected \"GGUF\""
        case .unsupportedVersion(let v):
            return "unsupported GGUF version \(v) (Sift reads versions 2 and 3)"
        case .bigEndian:
            return "big-endian GGUF files are not supported"
        case .truncated(let what, let offset, let needed, let available):
            return "truncated file: \(what) needs \(needed) bytes at offset \(offset), only \(available) remain"
        case .countBeyondFile(let what, let count, let offset):
            return "\(what) \(count) at offset \(offset) cannot fit in the file"
        case .lengthBeyondFile(let what, let offset, let length, let available):
            return "\(what): length \(length) at offset \(offset) is beyond the file (\(available) bytes remain)"
        case .duplicateKey(let key, let offset):
            return "duplicate metadata key \(key) at offset \(offset)"
        case .unknownValueType(let key, let type, let offset):
            return "metadata \(key): unknown value type \(type) at offset \(offset)"
        case .badBool(let key, let value, let offset):
            return "metadata \(key): boolean byte \(value) at offset \(offset) is neither 0 nor 1"
        case .arrayTooDeep(let key, let offset):
            return "metadata \(key): arrays nested deeper than \(GGUFFile.maxArrayDepth) at offset \(offset)"
        case .badAlignment(let value):
            return "general.alignment must be a u32 power of two up to 1 MiB, found \(value)"
        case .duplicateTensor(let name, let offset):
            return "duplicate tensor name \(name) at offset \(offset)"
        case .badDimensionCount(let name, let count):
            return "tensor \(name): \(count) dimensions (1 to \(GGUFFile.maxDimensions) allowed)"
        case .dimensionOverflow(let name, let dims):
            return "tensor \(name): dimensions \(dims) overflow"
        case .unknownTensorType(let name, let type, let offset):
            return "tensor \(name): unknown tensor type \(type) at offset \(offset)"
        case .badRowSize(let name, let type, let innermost):
            return "tensor \(name): innermost dimension \(innermost) is not a multiple of \(type)'s block size \(type.blockSize)"
        case .misalignedTensor(let name, let offset, let alignment):
            return "tensor \(name): data offset \(offset) is not a multiple of the alignment \(alignment)"
        case .tensorOutOfBounds(let name, let offset, let bytes, let fileSize):
            return "tensor \(name) needs \(bytes) bytes at offset \(offset), file has \(fileSize)"
        case .tensorsOverlap(let a, let b):
            return "tensors \(a) and \(b) overlap"
        }
    }
}
