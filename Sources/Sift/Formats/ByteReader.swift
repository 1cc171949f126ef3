/// A bounds-checked little-endian cursor over a byte buffer. Every read checks that the
/// bytes exist before touching them and reports what it was reading and where.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset: Int

    init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    /// Throws `.truncated` unless `count` more bytes exist.
    func require(_ count: Int, for what: @autoclosure () -> String) throws(ByteReaderError) {
        guard count >= 0, count <= remaining else {
            throw ByteReaderError.truncated(what: what(), offset: offset, needed: count, available: max(remaining, 0))
        }
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type, _ what: @autoclosure () -> String) throws(ByteReaderError) -> T {
        try require(MemoryLayout<T>.size, for: what())
        let value = T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
        offset += MemoryLayout<T>.size
        return value
    }

    mutating func readFloat(_ what: @autoclosure () -> String) throws(ByteReaderError) -> Float {
        Float(bitPattern: try read(UInt32.self, what()))
    }

    mutating func readDouble(_ what: @autoclosure () -> String) throws(ByteReaderError) -> Double {
        Double(bitPattern: try read(UInt64.self, what()))
    }

    /// Reads `count` raw bytes.
    mutating func readBytes(_ count: Int, _ what: @autoclosure () -> String) throws(ByteReaderError) -> UnsafeRawBufferPointer {
        try require(count, for: what())
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset ..< offset + count])
        offset += count
        return slice
    }

    mutating func skip(to newOffset: Int, _ what: @autoclosure () -> String) throws(ByteReaderError) {
        guard newOffset >= offset else { return }
        try require(newOffset - offset, for: what())
        offset = newOffset
    }
}

enum ByteReaderError: Error, Equatable {
    case truncated(what: String, offset: Int, needed: Int, available: Int)
}
