import Foundation

/// A description of a model file or folder: format, metadata and tensor table. What
/// `sift inspect` prints, as a value so that it can be rendered as text or JSON.
public struct Inspection: Sendable, Encodable {
    public struct Tensor: Sendable, Encodable {
        public let name: String
        /// Outermost first.
        public let shape: [Int]
        public let type: String
        public let bytes: Int
    }

    public struct Entry: Sendable, Encodable {
        public let key: String
        /// "u32", "string", "[string]" and so on.
        public let type: String
        /// Arrays: the element count.
        public let count: Int?
        /// The value as text; arrays show their first `previewCount` elements.
        public let value: String
    }

    public let path: String
    public let format: String
    public let architecture: String?
    public let metadata: [Entry]
    public let tensors: [Tensor]
    public let parameterCount: Int
    public let tensorBytes: Int

    public static let previewCount = 8

    public init(path: URL) throws {
        switch try ModelLocation(path) {
        case .gguf(let url):
            let gguf = try GGUFFile(url: url)
            self.init(path: url.path, format: "GGUF v\(gguf.version), alignment \(gguf.alignment)",
                      architecture: gguf.architecture,
                      metadata: gguf.metadata.map { Inspection.entry($0.key, $0.value) },
                      store: gguf)
        case .safetensors(let url):
            let file = try SafetensorsFile(url: url)
            self.init(path: url.path, format: "safetensors", architecture: nil,
                      metadata: file.metadata.sorted { $0.key < $1.key }.map {
                          Entry(key: $0.key, type: "string", count: nil, value: $0.value)
                      },
                      store: file)
        case .huggingFace(let folder):
            let config = try Inspection.configEntries(folder.appendingPathComponent("config.json"))
            let store = try ModelLocation.openWeights(folder: folder)
            let architectures = config.first { $0.key == "architectures" }?.value
            let modelType = config.first { $0.key == "model_type" }?.value
            self.init(path: folder.path, format: "Hugging Face folder (safetensors)",
                      architecture: [modelType, architectures].compactMap { $0 }.joined(separator: " "),
                      metadata: config, store: store)
        }
    }

    init(path: String, format: String, architecture: String?, metadata: [Entry], store: any TensorStore) {
        self.path = path
        self.format = format
        self.architecture = architecture
        self.metadata = metadata
        var tensors: [Tensor] = []
        var parameters = 0, bytes = 0
        for name in store.tensorNames {
            guard let t = store.tensor(name) else { continue }
            tensors.append(Tensor(name: name, shape: t.shape, type: t.dtype.description, bytes: t.data.count))
            parameters += t.elementCount
            bytes += t.data.count
        }
        self.tensors = tensors
        parameterCount = parameters
        tensorBytes = bytes
    }

    static func entry(_ key: String, _ value: GGUFValue) -> Entry {
        switch value {
        case .array(let a):
            return Entry(key: key, type: "[\(a.elementType.name)]", count: a.count, value: preview(a))
        default:
            return Entry(key: key, type: value.typeName, count: nil, value: value.text)
        }
    }

    static func preview(_ a: GGUFArray) -> String {
        let items: [String]
        switch a {
        case .string(let s): items = s.prefix(previewCount).map { $0.debugDescription }
        case .float32(let v): items = v.prefix(previewCount).map { "\($0)" }
        case .float64(let v): items = v.prefix(previewCount).map { "\($0)" }
        case .bool(let v): items = v.prefix(previewCount).map { "\($0)" }
        case .array(let v): items = v.prefix(previewCount).map { "[\($0.elementType.name) × \($0.count)]" }
        default: items = (a.ints ?? []).prefix(previewCount).map { "\($0)" }
        }
        return "[" + items.joined(separator: ", ") + (a.count > previewCount ? ", … (\(a.count) total)]" : "]")
    }

    /// config.json's top-level keys, values as compact JSON.
    static func configEntries(_ url: URL) throws -> [Entry] {
        let data = try Data(contentsOf: url)
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ConfigError.notAnObject(url.lastPathComponent)
        }
        return object.sorted { $0.key < $1.key }.map { key, v in
            let text: String
            if let s = v as? String {
                text = s
            } else if let d = try? JSONSerialization.data(withJSONObject: v, options: [.sortedKeys, .fragmentsAllowed]) {
                text = String(decoding: d, as: UTF8.self)
            } else {
                text = "\(v)"
            }
            return Entry(key: key, type: "json", count: nil, value: text)
        }
    }
}

public enum ConfigError: Error, Equatable, CustomStringConvertible {
    case notAnObject(String)

    public var description: String {
        switch self {
        case .notAnObject(let file): return "\(file) is not a JSON object"
        }
    }
}

extension GGUFValueType {
    var name: String {
        switch self {
        case .uint8: return "u8"
        case .int8: return "i8"
        case .uint16: return "u16"
        case .int16: return "i16"
        case .uint32: return "u32"
        case .int32: return "i32"
        case .uint64: return "u64"
        case .int64: return "i64"
        case .float32: return "f32"
        case .float64: return "f64"
        case .bool: return "bool"
        case .string: return "string"
        case .array: return "array"
        }
    }
}

extension GGUFValue {
    var typeName: String {
        switch self {
        case .uint8: return "u8"
        case .int8: return "i8"
        case .uint16: return "u16"
        case .int16: return "i16"
        case .uint32: return "u32"
        case .int32: return "i32"
        case .uint64: return "u64"
        case .int64: return "i64"
        case .float32: return "f32"
        case .float64: return "f64"
        case .bool: return "bool"
        case .string: return "string"
        case .array(let a): return "[\(a.elementType.name)]"
        }
    }

    var text: String {
        switch self {
        case .string(let s): return s
        case .bool(let b): return "\(b)"
        case .float32(let f): return "\(f)"
        case .float64(let f): return "\(f)"
        case .array(let a): return Inspection.preview(a)
        case .uint64(let v): return "\(v)"
        default: return int.map { "\($0)" } ?? "\(self)"
        }
    }
}
