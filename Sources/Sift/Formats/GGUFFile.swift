import Foundation

/// A memory-mapped GGUF file: its metadata, tensor infos and zero-copy tensor data.
///
/// Opening validates the whole header and every tensor's placement; after that, reading a
/// tensor's bytes cannot fail.
public final class GGUFFile: @unchecked Sendable {
    public static let magic: UInt32 = 0x4655_4747  // "GGUF" read as little-endian u32
    public static let defaultAlignment = 32
    /// ggml's GGML_MAX_DIMS.
    public static let maxDimensions = 4
    /// Arrays nested deeper than this are refused (the format allows nesting; files do not
    /// need it, and unbounded recursion would let a file exhaust the stack).
    static let maxArrayDepth = 4

    public let file: MappedFile
    public let version: UInt32
    /// Metadata in file order.
    public let metadata: [(key: String, value: GGUFValue)]
    /// Tensor infos in file order.
    public let tensors: [GGUFTensorInfo]
    public let alignment: Int
    /// Absolute file offset of the data section.
    public let dataOffset: Int

    private let metadataIndex: [String: Int]
    private let tensorIndex: [String: Int]

    public var url: URL { file.url }

    public convenience init(url: URL) throws {
        try self.init(file: MappedFile(url: url))
    }

    public init(file: MappedFile) throws(GGUFError) {
        self.file = file
        var r = ByteReader(file.bytes)
        do {
            let magic = try r.read(UInt32.self, "magic")
            guard magic == GGUFFile.magic else { throw GGUFError.badMagic(found: magic) }
            let version = try r.read(UInt32.self, "version")
            guard version == 2 || version == 3 else {
                if version.byteSwapped == 2 || version.byteSwapped == 3 { throw GGUFError.bigEndian }
                throw GGUFError.unsupportedVersion(version)
            }
            self.version = version
            let tensorCount = try r.read(UInt64.self, "tensor count")
            let kvCount = try r.read(UInt64.self, "metadata count")
            // A key-value pair takes at least 8 (key length) + 4 (type) + 1 bytes; a tensor
            // info at least 8 (name length) + 4 (n_dims) + 4 (type) + 8 (offset).
            guard kvCount <= UInt64(r.remaining / 13) else {
                throw GGUFError.countBeyondFile(what: "metadata count", count: kvCount, offset: 16)
            }
            guard tensorCount <= UInt64(r.remaining / 24) else {
                throw GGUFError.countBeyondFile(what: "tensor count", count: tensorCount, offset: 8)
            }

            var metadata: [(key: String, value: GGUFValue)] = []
            metadata.reserveCapacity(Int(kvCount))
            var metadataIndex: [String: Int] = [:]
            for i in 0 ..< Int(kvCount) {
                let keyOffset = r.offset
                let key = try GGUFFile.readString(&r, "key of metadata entry \(i)")
                guard metadataIndex[key] == nil else { throw GGUFError.duplicateKey(key, offset: keyOffset) }
                let typeOffset = r.offset
                let rawType = try r.read(UInt32.self, "type of \(key)")
                guard let type = GGUFValueType(rawValue: rawType) else {
                    throw GGUFError.unknownValueType(key: key, type: rawType, offset: typeOffset)
                }
                let value = try GGUFFile.readValue(&r, type: type, key: key, depth: 0)
                metadataIndex[key] = metadata.count
                metadata.append((key, value))
            }
            self.metadata = metadata
            self.metadataIndex = metadataIndex

            var alignment = GGUFFile.defaultAlignment
            if let value = metadataIndex["general.alignment"].map({ metadata[$0].value }) {
                guard case .uint32(let a) = value, a > 0, a & (a - 1) == 0, a <= 1 << 20 else {
                    throw GGUFError.badAlignment(String(describing: value))
                }
                alignment = Int(a)
            }
            self.alignment = alignment

            var tensors: [GGUFTensorInfo] = []
            tensors.reserveCapacity(Int(tensorCount))
            var tensorIndex: [String: Int] = [:]
            for i in 0 ..< Int(tensorCount) {
                let infoOffset = r.offset
                let name = try GGUFFile.readString(&r, "name of tensor \(i)")
                guard tensorIndex[name] == nil else { throw GGUFError.duplicateTensor(name, offset: infoOffset) }
                let nDims = try r.read(UInt32.self, "dimension count of \(name)")
                guard nDims >= 1, nDims <= GGUFFile.maxDimensions else {
                    throw GGUFError.badDimensionCount(tensor: name, count: nDims)
                }
                var dims: [Int] = []
                for d in 0 ..< Int(nDims) {
                    let n = try r.read(UInt64.self, "dimension \(d) of \(name)")
                    guard let dim = Int(exactly: n), checkedElementCount(dims + [dim]) != nil else {
                        throw GGUFError.dimensionOverflow(tensor: name, dimensions: dims.map(UInt64.init) + [n])
                    }
                    dims.append(dim)
                }
                let elements = checkedElementCount(dims)!
                let typeOffset = r.offset
                let rawType = try r.read(UInt32.self, "type of \(name)")
                guard let type = GGMLType(rawValue: rawType) else {
                    throw GGUFError.unknownTensorType(tensor: name, type: rawType, offset: typeOffset)
                }
                guard dims[0] % type.blockSize == 0, let bytes = type.byteCount(elements: elements) else {
                    throw GGUFError.badRowSize(tensor: name, type: type, innermost: dims[0])
                }
                let offset = try r.read(UInt64.self, "data offset of \(name)")
                guard let off = Int(exactly: offset), off % alignment == 0 else {
                    throw GGUFError.misalignedTensor(tensor: name, offset: offset, alignment: alignment)
                }
                tensorIndex[name] = tensors.count
                tensors.append(GGUFTensorInfo(name: name, dimensions: dims, type: type, offset: off, byteCount: bytes))
            }
            self.tensors = tensors
            self.tensorIndex = tensorIndex

            // The data section starts at the next multiple of the alignment. A file with no
            // tensors may end right after the header, without the padding.
            let headerEnd = r.offset
            let dataOffset = (headerEnd + alignment - 1) / alignment * alignment
            self.dataOffset = dataOffset
            let dataSize = max(file.bytes.count - dataOffset, 0)
            if !tensors.isEmpty, dataOffset > file.bytes.count {
                throw GGUFError.truncated(what: "padding before tensor data", offset: headerEnd,
                                          needed: dataOffset - headerEnd, available: file.bytes.count - headerEnd)
            }
            try GGUFFile.checkPlacement(tensors, dataSize: dataSize, dataOffset: dataOffset)
        } catch let ByteReaderError.truncated(what, offset, needed, available) {
            throw GGUFError.truncated(what: what, offset: offset, needed: needed, available: available)
        } catch let error as GGUFError {
            throw error
        } catch {
            throw GGUFError.truncated(what: "header", offset: r.offset, needed: 0, available: r.remaining)
        }
    }

    /// Every tensor lies inside the data section and no two overlap.
    private static func checkPlacement(_ tensors: [GGUFTensorInfo], dataSize: Int, dataOffset: Int) throws(GGUFError) {
        for t in tensors {
            let (end, overflow) = t.offset.addingReportingOverflow(t.byteCount)
            guard !overflow, end <= dataSize else {
                throw GGUFError.tensorOutOfBounds(tensor: t.name, offset: dataOffset + t.offset,
                                                  bytes: t.byteCount, fileSize: dataOffset + dataSize)
            }
        }
        let sorted = tensors.filter { $0.byteCount > 0 }.sorted { $0.offset < $1.offset }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.offset + a.byteCount > b.offset {
            throw GGUFError.tensorsOverlap(a.name, b.name)
        }
    }

    // MARK: Lookup

    public subscript(key: String) -> GGUFValue? {
        metadataIndex[key].map { metadata[$0].value }
    }

    public func tensorInfo(_ name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// The bytes of a tensor, inside the mapping (zero-copy).
    public func data(of info: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: file.bytes[dataOffset + info.offset ..< dataOffset + info.offset + info.byteCount])
    }

    /// `general.architecture`, if present.
    public var architecture: String? { self["general.architecture"]?.string }
}

// MARK: - Reading values

extension GGUFFile {
    static func readString(_ r: inout ByteReader, _ what: @autoclosure () -> String) throws -> String {
        let lengthOffset = r.offset
        let length = try r.read(UInt64.self, what())
        guard length <= UInt64(r.remaining) else {
            throw GGUFError.lengthBeyondFile(what: what(), offset: lengthOffset, length: length, available: r.remaining)
        }
        let bytes = try r.readBytes(Int(length), what())
        return String(decoding: bytes, as: UTF8.self)
    }

    static func readValue(_ r: inout ByteReader, type: GGUFValueType, key: String, depth: Int) throws -> GGUFValue {
        switch type {
        case .uint8: return .uint8(try r.read(UInt8.self, key))
        case .int8: return .int8(try r.read(Int8.self, key))
        case .uint16: return .uint16(try r.read(UInt16.self, key))
        case .int16: return .int16(try r.read(Int16.self, key))
        case .uint32: return .uint32(try r.read(UInt32.self, key))
        case .int32: return .int32(try r.read(Int32.self, key))
        case .uint64: return .uint64(try r.read(UInt64.self, key))
        case .int64: return .int64(try r.read(Int64.self, key))
        case .float32: return .float32(try r.readFloat(key))
        case .float64: return .float64(try r.readDouble(key))
        case .bool:
            let offset = r.offset
            let b = try r.read(UInt8.self, key)
            guard b <= 1 else { throw GGUFError.badBool(key: key, value: b, offset: offset) }
            return .bool(b == 1)
        case .string: return .string(try readString(&r, key))
        case .array: return .array(try readArray(&r, key: key, depth: depth + 1))
        }
    }

    static func readArray(_ r: inout ByteReader, key: String, depth: Int) throws -> GGUFArray {
        guard depth <= maxArrayDepth else { throw GGUFError.arrayTooDeep(key: key, offset: r.offset) }
        let typeOffset = r.offset
        let rawType = try r.read(UInt32.self, "array type of \(key)")
        guard let type = GGUFValueType(rawValue: rawType) else {
            throw GGUFError.unknownValueType(key: key, type: rawType, offset: typeOffset)
        }
        let countOffset = r.offset
        let count64 = try r.read(UInt64.self, "array length of \(key)")
        guard count64 <= UInt64(r.remaining / type.minimumEncodedSize) else {
            throw GGUFError.lengthBeyondFile(what: "array \(key)", offset: countOffset, length: count64, available: r.remaining)
        }
        let count = Int(count64)
        func fixed<T: FixedWidthInteger>(_: T.Type) throws -> [T] {
            let raw = try r.readBytes(count * MemoryLayout<T>.size, key)
            return (0 ..< count).map { T(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self)) }
        }
        switch type {
        case .uint8: return .uint8(try fixed(UInt8.self))
        case .int8: return .int8(try fixed(Int8.self))
        case .uint16: return .uint16(try fixed(UInt16.self))
        case .int16: return .int16(try fixed(Int16.self))
        case .uint32: return .uint32(try fixed(UInt32.self))
        case .int32: return .int32(try fixed(Int32.self))
        case .uint64: return .uint64(try fixed(UInt64.self))
        case .int64: return .int64(try fixed(Int64.self))
        case .float32: return .float32(try fixed(UInt32.self).map(Float.init(bitPattern:)))
        case .float64: return .float64(try fixed(UInt64.self).map(Double.init(bitPattern:)))
        case .bool:
            let raw = try fixed(UInt8.self)
            if let bad = raw.first(where: { $0 > 1 }) { throw GGUFError.badBool(key: key, value: bad, offset: countOffset + 8) }
            return .bool(raw.map { $0 == 1 })
        case .string:
            var strings: [String] = []
            strings.reserveCapacity(count)
            for i in 0 ..< count { strings.append(try readString(&r, "\(key)[\(i)]")) }
            return .string(strings)
        case .array:
            var arrays: [GGUFArray] = []
            for _ in 0 ..< count { arrays.append(try readArray(&r, key: key, depth: depth + 1)) }
            return .array(arrays)
        }
    }
}
