#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Writes a GGUF version 3 file: metadata in insertion order, then tensor infos, then the
/// aligned data section. Tensor bytes are produced one tensor at a time, so a converter
/// never holds more than one tensor in memory.
public struct GGUFWriter {
    public var alignment: Int = GGUFFile.defaultAlignment
    public private(set) var metadata: [(key: String, value: GGUFValue)] = []
    public private(set) var tensors: [PendingTensor] = []

    public struct PendingTensor {
        public let name: String
        /// Outermost-first shape (numpy order); written reversed, as ggml's ne[].
        public let shape: [Int]
        public let type: GGMLType
        public let byteCount: Int
        let produce: () throws -> [UInt8]
    }

    public init() {}

    /// Sets a metadata value, replacing an earlier value of the same key in place.
    public mutating func set(_ key: String, _ value: GGUFValue) {
        if let i = metadata.firstIndex(where: { $0.key == key }) {
            metadata[i].value = value
        } else {
            metadata.append((key, value))
        }
        if key == "general.alignment", case .uint32(let a) = value { alignment = Int(a) }
    }

    /// Adds a tensor whose bytes `produce` returns when the file is written.
    public mutating func addTensor(name: String, shape: [Int], type: GGMLType,
                                   produce: @escaping () throws -> [UInt8]) throws(GGUFWriterError) {
        guard !tensors.contains(where: { $0.name == name }) else { throw .duplicateTensor(name) }
        guard (1 ... GGUFFile.maxDimensions).contains(shape.count), shape.allSatisfy({ $0 >= 0 }) else {
            throw .badShape(name, shape)
        }
        var elements = 1
        for d in shape {
            let (p, o) = elements.multipliedReportingOverflow(by: d)
            guard !o else { throw .badShape(name, shape) }
            elements = p
        }
        guard let last = shape.last, last % type.blockSize == 0, let bytes = type.byteCount(elements: elements) else {
            throw .badShape(name, shape)
        }
        tensors.append(PendingTensor(name: name, shape: shape, type: type, byteCount: bytes, produce: produce))
    }

    /// Adds a tensor from bytes already in memory.
    public mutating func addTensor(name: String, shape: [Int], type: GGMLType, bytes: [UInt8]) throws(GGUFWriterError) {
        try addTensor(name: name, shape: shape, type: type, produce: { bytes })
    }

    /// Encodes the header (magic through the padding before the data section).
    public func header() -> [UInt8] {
        var out: [UInt8] = []
        out.appendLE(GGUFFile.magic)
        out.appendLE(UInt32(3))
        out.appendLE(UInt64(tensors.count))
        out.appendLE(UInt64(metadata.count))
        for (key, value) in metadata {
            out.appendString(key)
            out.appendValue(value)
        }
        var offset = 0
        for t in tensors {
            out.appendString(t.name)
            out.appendLE(UInt32(t.shape.count))
            for d in t.shape.reversed() { out.appendLE(UInt64(d)) }
            out.appendLE(t.type.rawValue)
            out.appendLE(UInt64(offset))
            offset = padded(offset + t.byteCount)
        }
        out.append(contentsOf: repeatElement(0, count: padded(out.count) - out.count))
        return out
    }

    private func padded(_ n: Int) -> Int { (n + alignment - 1) / alignment * alignment }

    /// Writes the file to a temporary name beside `url` and renames it into place, so a
    /// failed conversion never leaves a half-written model behind. `progress` is called
    /// after each tensor with (tensors done, total).
    public func write(to url: URL, progress: ((Int, Int) -> Void)? = nil) throws {
        let temp = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(getpid()).partial")
        guard let f = fopen(temp.path, "wb") else {
            throw FileError.cannotWrite(temp.path, reason: String(cString: strerror(errno)))
        }
        var closed = false
        defer {
            if !closed { fclose(f) }
            unlink(temp.path)
        }
        func put(_ bytes: [UInt8]) throws {
            let n = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
            guard n == bytes.count else { throw FileError.cannotWrite(url.path, reason: String(cString: strerror(errno))) }
        }
        try put(header())
        for (i, t) in tensors.enumerated() {
            let bytes = try t.produce()
            guard bytes.count == t.byteCount else {
                throw GGUFWriterError.sizeMismatch(t.name, expected: t.byteCount, produced: bytes.count)
            }
            try put(bytes)
            if i + 1 < tensors.count {
                try put([UInt8](repeating: 0, count: padded(bytes.count) - bytes.count))
            }
            progress?(i + 1, tensors.count)
        }
        closed = true
        guard fclose(f) == 0 else { throw FileError.cannotWrite(url.path, reason: String(cString: strerror(errno))) }
        guard rename(temp.path, url.path) == 0 else {
            throw FileError.cannotWrite(url.path, reason: String(cString: strerror(errno)))
        }
    }
}

public enum GGUFWriterError: Error, Equatable, CustomStringConvertible {
    case duplicateTensor(String)
    case badShape(String, [Int])
    case sizeMismatch(String, expected: Int, produced: Int)

    public var description: String {
        switch self {
        case .duplicateTensor(let name): return "tensor \(name) added twice"
        case .badShape(let name, let shape): return "tensor \(name): shape \(shape) cannot be stored"
        case .sizeMismatch(let name, let expected, let produced):
            return "tensor \(name): \(produced) bytes produced, \(expected) expected"
        }
    }
}

// MARK: - Encoding

extension [UInt8] {
    mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    mutating func appendString(_ s: String) {
        let utf8 = Array(s.utf8)
        appendLE(UInt64(utf8.count))
        append(contentsOf: utf8)
    }

    mutating func appendValue(_ value: GGUFValue) {
        switch value {
        case .uint8(let v): appendLE(GGUFValueType.uint8.rawValue); appendLE(v)
        case .int8(let v): appendLE(GGUFValueType.int8.rawValue); appendLE(v)
        case .uint16(let v): appendLE(GGUFValueType.uint16.rawValue); appendLE(v)
        case .int16(let v): appendLE(GGUFValueType.int16.rawValue); appendLE(v)
        case .uint32(let v): appendLE(GGUFValueType.uint32.rawValue); appendLE(v)
        case .int32(let v): appendLE(GGUFValueType.int32.rawValue); appendLE(v)
        case .uint64(let v): appendLE(GGUFValueType.uint64.rawValue); appendLE(v)
        case .int64(let v): appendLE(GGUFValueType.int64.rawValue); appendLE(v)
        case .float32(let v): appendLE(GGUFValueType.float32.rawValue); appendLE(v.bitPattern)
        case .float64(let v): appendLE(GGUFValueType.float64.rawValue); appendLE(v.bitPattern)
        case .bool(let v): appendLE(GGUFValueType.bool.rawValue); appendLE(UInt8(v ? 1 : 0))
        case .string(let s): appendLE(GGUFValueType.string.rawValue); appendString(s)
        case .array(let a): appendLE(GGUFValueType.array.rawValue); appendArray(a)
        }
    }

    mutating func appendArray(_ array: GGUFArray) {
        appendLE(array.elementType.rawValue)
        appendLE(UInt64(array.count))
        switch array {
        case .uint8(let a): append(contentsOf: a)
        case .int8(let a): for v in a { appendLE(v) }
        case .uint16(let a): for v in a { appendLE(v) }
        case .int16(let a): for v in a { appendLE(v) }
        case .uint32(let a): for v in a { appendLE(v) }
        case .int32(let a): for v in a { appendLE(v) }
        case .uint64(let a): for v in a { appendLE(v) }
        case .int64(let a): for v in a { appendLE(v) }
        case .float32(let a): for v in a { appendLE(v.bitPattern) }
        case .float64(let a): for v in a { appendLE(v.bitPattern) }
        case .bool(let a): for v in a { appendLE(UInt8(v ? 1 : 0)) }
        case .string(let a): for s in a { appendString(s) }
        case .array(let a): for inner in a { appendArray(inner) }
        }
    }
}
