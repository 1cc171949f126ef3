import Foundation

/// What a user-given path points at: a GGUF file, a single safetensors file, or a Hugging
/// Face model folder (config.json beside model.safetensors or a sharded index).
public enum ModelLocation: Sendable {
    case gguf(URL)
    case safetensors(URL)
    case huggingFace(folder: URL)

    /// Classifies `url` by what is on disk (a GGUF file is recognised by its magic, not its
    /// name). Throws `ModelLocationError` naming what is missing.
    public init(_ url: URL) throws(ModelLocationError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw .notFound(url.path)
        }
        if isDirectory.boolValue {
            let config = url.appendingPathComponent("config.json")
            guard FileManager.default.fileExists(atPath: config.path) else { throw .notAModelFolder(url.path, missing: "config.json") }
            self = .huggingFace(folder: url)
            return
        }
        if let handle = FileHandle(forReadingAtPath: url.path) {
            defer { try? handle.close() }
            let head = handle.readData(ofLength: 4)
            if head == Data("GGUF".utf8) {
                self = .gguf(url)
                return
            }
        }
        if url.pathExtension == "safetensors" {
            self = .safetensors(url)
            return
        }
        if url.pathExtension == "gguf" {
            // Let the GGUF reader say what is wrong with the magic.
            self = .gguf(url)
            return
        }
        throw .unrecognized(url.path)
    }

    /// The weights of a Hugging Face folder: model.safetensors, or the shards named by
    /// model.safetensors.index.json.
    public static func openWeights(folder: URL) throws -> any TensorStore {
        let single = folder.appendingPathComponent("model.safetensors")
        let index = folder.appendingPathComponent("model.safetensors.index.json")
        if FileManager.default.fileExists(atPath: single.path) { return try SafetensorsFile(url: single) }
        if FileManager.default.fileExists(atPath: index.path) { return try ShardedSafetensors(index: index) }
        if FileManager.default.fileExists(atPath: folder.appendingPathComponent("pytorch_model.bin").path) {
            throw ModelLocationError.pickleWeights(folder.path)
        }
        throw ModelLocationError.notAModelFolder(folder.path, missing: "model.safetensors or model.safetensors.index.json")
    }
}

public enum ModelLocationError: Error, Equatable, CustomStringConvertible {
    case notFound(String)
    case notAModelFolder(String, missing: String)
    case unrecognized(String)
    case pickleWeights(String)

    public var description: String {
        switch self {
        case .notFound(let path): return "\(path): no such file or folder"
        case .notAModelFolder(let path, let missing):
            return "\(path) is not a Hugging Face model folder: \(missing) is missing"
        case .unrecognized(let path):
            return "\(path) is neither a GGUF file, a .safetensors file nor a model folder"
        case .pickleWeights(let path):
            return "\(path) holds pytorch_model.bin only; Sift reads safetensors (save with safe_serialization=True)"
        }
    }
}
