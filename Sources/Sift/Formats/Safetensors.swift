// safetensors, Hugging Face's tensor file format:
//
//   u64 little-endian N, the header length
//   N bytes of UTF-8 JSON: { "__metadata__": {string: string}?,
//                            "<name>": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]} }
//   the data section; offsets are relative to its start (byte 8 + N), end exclusive.
//
// Checked on open: header length within the file and under 100 MB, known dtypes, shapes
// whose byte size matches their offsets, offsets inside the data section, no overlaps.
import Foundation

public final class SafetensorsFile: TensorStore, @unchecked Sendable {
    /// The safetensors reference implementation refuses larger headers too.
    public static let maxHeaderBytes = 100_000_000

    public struct Entry: Sendable, Equatable {
        public let name: String
        public let dtype: DType
        public let shape: [Int]
        /// Offset within the data section.
        public let offset: Int
        public let byteCount: Int
    }

    public let file: MappedFile
    public let metadata: [String: String]
    /// Entries in data order.
    public let entries: [Entry]
    public let dataOffset: Int
    private let index: [String: Int]

    public var url: URL { file.url }
    public var tensorNames: [String] { entries.map(\.name) }

    public convenience init(url: URL) throws {
        try self.init(file: MappedFile(url: url))
    }

    public init(file: MappedFile) throws(SafetensorsError) {
        self.file = file
        let bytes = file.bytes
        guard bytes.count >= 8 else { throw .truncated(fileSize: bytes.count) }
        let n = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard n <= UInt64(SafetensorsFile.maxHeaderBytes) else { throw .headerTooLarge(n) }
        guard n <= UInt64(bytes.count - 8) else { throw .headerBeyondFile(length: n, fileSize: bytes.count) }
        let headerBytes = Data(UnsafeRawBufferPointer(rebasing: bytes[8 ..< 8 + Int(n)]))
        let header: RawHeader
        do {
            header = try JSONDecoder().decode(RawHeader.self, from: headerBytes)
        } catch let error as SafetensorsError {
            throw error
        } catch {
            throw .badHeader(SafetensorsFile.describe(error))
        }
        dataOffset = 8 + Int(n)
        let dataSize = bytes.count - dataOffset
        metadata = header.metadata

        var entries: [Entry] = []
        for raw in header.tensors {
            guard let dtype = SafetensorsFile.dtype(raw.dtype) else { throw .unknownDType(tensor: raw.name, raw.dtype) }
            guard let elements = checkedElementCount(raw.shape) else { throw .badShape(tensor: raw.name, raw.shape) }
            guard raw.offsets.count == 2, raw.offsets[0] >= 0, raw.offsets[0] <= raw.offsets[1] else {
                throw .badOffsets(tensor: raw.name, raw.offsets)
            }
            let begin = raw.offsets[0], end = raw.offsets[1]
            guard end <= dataSize else {
                throw .outOfBounds(tensor: raw.name, begin: begin, end: end, dataSize: dataSize)
            }
            guard let size = dtype.byteCount(elements: elements), size == end - begin else {
                throw .sizeMismatch(tensor: raw.name, shape: raw.shape, dtype: raw.dtype, bytes: end - begin)
            }
            entries.append(Entry(name: raw.name, dtype: dtype, shape: raw.shape, offset: begin, byteCount: size))
        }
        entries.sort { ($0.offset, $0.name) < ($1.offset, $1.name) }
        for (a, b) in zip(entries, entries.dropFirst()) where a.byteCount > 0 && a.offset + a.byteCount > b.offset {
            throw .overlap(a.name, b.name)
        }
        self.entries = entries
        index = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($1.name, $0) })
    }

    public func tensor(_ name: String) -> TensorView? {
        guard let i = index[name] else { return nil }
        let e = entries[i]
        let start = dataOffset + e.offset
        return TensorView(name: name, shape: e.shape, dtype: e.dtype,
                          data: UnsafeRawBufferPointer(rebasing: file.bytes[start ..< start + e.byteCount]), owner: self)
    }

    static func dtype(_ name: String) -> DType? {
        switch name {
        case "F32": return .f32
        case "F16": return .f16
        case "BF16": return .bf16
        case "F64": return .ggml(.f64)
        case "I8": return .ggml(.i8)
        case "I16": return .ggml(.i16)
        case "I32": return .ggml(.i32)
        case "I64": return .ggml(.i64)
        case "U8": return .u8
        case "U16": return .u16
        case "U32": return .u32
        case "U64": return .u64
        case "BOOL": return .bool
        default: return nil
        }
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let c): return c.debugDescription
        case DecodingError.keyNotFound(let key, let c):
            return "missing \(key.stringValue) in \(c.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c):
            return "\(c.codingPath.map(\.stringValue).joined(separator: ".")): \(c.debugDescription)"
        default: return "\(error)"
        }
    }
}

// MARK: - Header JSON

private struct RawHeader: Decodable {
    struct Tensor: Decodable {
        var name = ""
        let dtype: String
        let shape: [Int]
        let offsets: [Int]
        enum CodingKeys: String, CodingKey { case dtype, shape, offsets = "data_offsets" }
    }

    struct Key: CodingKey {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    var metadata: [String: String] = [:]
    var tensors: [Tensor] = []

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        for key in container.allKeys {
            if key.stringValue == "__metadata__" {
                metadata = try container.decode([String: String].self, forKey: key)
            } else {
                var t = try container.decode(Tensor.self, forKey: key)
                t.name = key.stringValue
                tensors.append(t)
            }
        }
    }
}

public enum SafetensorsError: Error, Equatable, CustomStringConvertible {
    case truncated(fileSize: Int)
    case headerTooLarge(UInt64)
    case headerBeyondFile(length: UInt64, fileSize: Int)
    case badHeader(String)
    case unknownDType(tensor: String, String)
    case badShape(tensor: String, [Int])
    case badOffsets(tensor: String, [Int])
    case outOfBounds(tensor: String, begin: Int, end: Int, dataSize: Int)
    case sizeMismatch(tensor: String, shape: [Int], dtype: String, bytes: Int)
    case overlap(String, String)

    public var description: String {
        switch self {
        case .truncated(let size):
            return "truncated safetensors file: \(size) bytes, the 8-byte header length is missing"
        case .headerTooLarge(let n):
            return "safetensors header length \(n) exceeds the \(SafetensorsFile.maxHeaderBytes)-byte limit"
        case .headerBeyondFile(let n, let size):
            return "safetensors header length \(n) is beyond the file (\(size) bytes)"
        case .badHeader(let why): return "invalid safetensors header JSON: \(why)"
        case .unknownDType(let name, let dtype): return "tensor \(name): unknown dtype \(dtype)"
        case .badShape(let name, let shape): return "tensor \(name): invalid shape \(shape)"
        case .badOffsets(let name, let offsets): return "tensor \(name): invalid data_offsets \(offsets)"
        case .outOfBounds(let name, let begin, let end, let size):
            return "tensor \(name): data_offsets [\(begin), \(end)] are beyond the data section (\(size) bytes)"
        case .sizeMismatch(let name, let shape, let dtype, let bytes):
            return "tensor \(name): shape \(shape) of \(dtype) does not take \(bytes) bytes"
        case .overlap(let a, let b): return "tensors \(a) and \(b) overlap"
        }
    }
}
