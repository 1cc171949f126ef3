// GGUF, the file format of ggml/llama.cpp (versions 2 and 3), summarised from its spec:
//
//   magic     4 bytes  "GGUF"
//   version   u32      2 or 3 (1 used u32 counts and is not supported; a byte-swapped
//                      version means a big-endian file, also not supported)
//   n_tensors u64
//   n_kv      u64
//   n_kv × { key: string, value_type: u32, value }
//   n_tensors × { name: string, n_dims: u32 (≤ 4), ne: u64[n_dims] (ne[0] innermost),
//                 type: u32 (ggml_type), offset: u64 (from the start of the data section,
//                 a multiple of the alignment) }
//   padding to `general.alignment` (u32, power of two, default 32)
//   data section
//
//   string = u64 length + UTF-8 bytes (no terminator)
//   value types: 0 u8, 1 i8, 2 u16, 3 i16, 4 u32, 5 i32, 6 f32, 7 bool (1 byte),
//                8 string, 9 array (u32 element type, u64 count, elements), 10 u64,
//                11 i64, 12 f64. Everything is little-endian.
//
// Every count and length is checked against the bytes that remain before anything is
// allocated, so a hostile header cannot make the reader allocate more than the file size.
import Foundation

/// A GGUF metadata value.
public enum GGUFValue: Sendable, Equatable {
    case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32)
    case float32(Float), bool(Bool), string(String), array(GGUFArray)
    case uint64(UInt64), int64(Int64), float64(Double)

    /// The value as an integer, if it is one (of any width) and fits.
    public var int: Int? {
        switch self {
        case .uint8(let v): return Int(v)
        case .int8(let v): return Int(v)
        case .uint16(let v): return Int(v)
        case .int16(let v): return Int(v)
        case .uint32(let v): return Int(v)
        case .int32(let v): return Int(v)
        case .uint64(let v): return Int(exactly: v)
        case .int64(let v): return Int(exactly: v)
        default: return nil
        }
    }

    /// The value as a floating-point number, if it is numeric.
    public var double: Double? {
        switch self {
        case .float32(let v): return Double(v)
        case .float64(let v): return v
        default: return int.map(Double.init)
        }
    }

    public var string: String? { if case .string(let s) = self { return s } else { return nil } }
    public var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var array: GGUFArray? { if case .array(let a) = self { return a } else { return nil } }
}

/// A typed GGUF array. Arrays of arrays are allowed by the format.
public enum GGUFArray: Sendable, Equatable {
    case uint8([UInt8]), int8([Int8]), uint16([UInt16]), int16([Int16]), uint32([UInt32]), int32([Int32])
    case float32([Float]), bool([Bool]), string([String]), array([GGUFArray])
    case uint64([UInt64]), int64([Int64]), float64([Double])

    public var count: Int {
        switch self {
        case .uint8(let a): return a.count
        case .int8(let a): return a.count
        case .uint16(let a): return a.count
        case .int16(let a): return a.count
        case .uint32(let a): return a.count
        case .int32(let a): return a.count
        case .float32(let a): return a.count
        case .bool(let a): return a.count
        case .string(let a): return a.count
        case .array(let a): return a.count
        case .uint64(let a): return a.count
        case .int64(let a): return a.count
        case .float64(let a): return a.count
        }
    }

    /// The element type's GGUF code.
    public var elementType: GGUFValueType {
        switch self {
        case .uint8: return .uint8
        case .int8: return .int8
        case .uint16: return .uint16
        case .int16: return .int16
        case .uint32: return .uint32
        case .int32: return .int32
        case .float32: return .float32
        case .bool: return .bool
        case .string: return .string
        case .array: return .array
        case .uint64: return .uint64
        case .int64: return .int64
        case .float64: return .float64
        }
    }

    public var strings: [String]? { if case .string(let a) = self { return a } else { return nil } }

    /// Integer elements of any width, if all fit in Int.
    public var ints: [Int]? {
        switch self {
        case .uint8(let a): return a.map(Int.init)
        case .int8(let a): return a.map(Int.init)
        case .uint16(let a): return a.map(Int.init)
        case .int16(let a): return a.map(Int.init)
        case .uint32(let a): return a.map(Int.init)
        case .int32(let a): return a.map(Int.init)
        case .uint64(let a):
            let r = a.compactMap { Int(exactly: $0) }
            return r.count == a.count ? r : nil
        case .int64(let a): return a.map(Int.init)
        default: return nil
        }
    }

    /// Numeric elements as Float.
    public var floats: [Float]? {
        switch self {
        case .float32(let a): return a
        case .float64(let a): return a.map(Float.init)
        default: return ints?.map(Float.init)
        }
    }
}

/// GGUF metadata value type codes.
public enum GGUFValueType: UInt32, Sendable {
    case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6, bool = 7
    case string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12

    /// Smallest encoded size of one value: used to bound array counts by the bytes left.
    var minimumEncodedSize: Int {
        switch self {
        case .uint8, .int8, .bool: return 1
        case .uint16, .int16: return 2
        case .uint32, .int32, .float32: return 4
        case .uint64, .int64, .float64: return 8
        case .string: return 8
        case .array: return 12
        }
    }
}

/// One tensor's entry in the GGUF header.
public struct GGUFTensorInfo: Sendable, Equatable {
    public let name: String
    /// ggml order: `dimensions[0]` is the innermost (contiguous) dimension.
    public let dimensions: [Int]
    public let type: GGMLType
    /// Byte offset from the start of the data section.
    public let offset: Int
    public let byteCount: Int

    /// Outermost-first shape, as numpy, PyTorch and safetensors write it.
    public var shape: [Int] { dimensions.reversed() }
    public var elementCount: Int { dimensions.contains(0) ? 0 : dimensions.reduce(1, *) }
}
