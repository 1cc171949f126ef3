/// A row-major fp32 matrix view into memory owned elsewhere (a session's arena, or a
/// mapped weight file). `rows × cols`, rows `stride` floats apart.
public struct Matrix: @unchecked Sendable {
    public let data: UnsafeMutablePointer<Float>
    public let rows: Int
    public let cols: Int
    public let stride: Int

    public init(_ data: UnsafeMutablePointer<Float>, rows: Int, cols: Int, stride: Int? = nil) {
        self.data = data
        self.rows = rows
        self.cols = cols
        self.stride = stride ?? cols
    }

    @inline(__always) public func row(_ i: Int) -> UnsafeMutablePointer<Float> { data + i * stride }

    /// Rows `range` of this matrix.
    public func rows(_ range: Range<Int>) -> Matrix {
        Matrix(data + range.lowerBound * stride, rows: range.count, cols: cols, stride: stride)
    }

    /// Columns `range` of this matrix (a strided view).
    public func columns(_ range: Range<Int>) -> Matrix {
        Matrix(data + range.lowerBound, rows: rows, cols: range.count, stride: stride)
    }

    /// The values, row by row (for tests and results).
    public var array: [Float] {
        var out: [Float] = []
        out.reserveCapacity(rows * cols)
        for i in 0 ..< rows { out.append(contentsOf: UnsafeBufferPointer(start: row(i), count: cols)) }
        return out
    }
}

/// Scratch memory for one forward pass: one allocation, handed out by bumping an offset
/// and reset between passes, so a classification allocates nothing.
public final class Arena: @unchecked Sendable {
    private let base: UnsafeMutableRawPointer
    public let capacity: Int
    private var offset = 0
    /// The most ever in use at once: lets tests and the benchmark check the sizing.
    public private(set) var highWater = 0

    public init(bytes: Int) {
        capacity = max(bytes, 64)
        base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
    }

    deinit { base.deallocate() }

    public func reset() { offset = 0 }

    /// `count` elements of `T`, 64-byte aligned, uninitialized.
    public func allocate<T>(_: T.Type, count: Int) throws(ArenaError) -> UnsafeMutablePointer<T> {
        let bytes = (count * MemoryLayout<T>.stride + 63) & ~63
        guard offset + bytes <= capacity else { throw .exhausted(needed: offset + bytes, capacity: capacity) }
        let p = (base + offset).bindMemory(to: T.self, capacity: count)
        offset += bytes
        highWater = max(highWater, offset)
        return p
    }

    public func matrix(rows: Int, cols: Int) throws(ArenaError) -> Matrix {
        Matrix(try allocate(Float.self, count: rows * cols), rows: rows, cols: cols)
    }
}

public enum ArenaError: Error, Equatable, CustomStringConvertible {
    case exhausted(needed: Int, capacity: Int)

    public var description: String {
        switch self {
        case .exhausted(let needed, let capacity):
            return "scratch arena exhausted: \(needed) bytes needed, \(capacity) reserved"
        }
    }
}
