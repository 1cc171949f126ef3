import Foundation

/// A checkpoint split over several safetensors files, named by
/// `model.safetensors.index.json` (`{"metadata": {...}, "weight_map": {tensor: file}}`).
public final class ShardedSafetensors: TensorStore, @unchecked Sendable {
    public let shards: [SafetensorsFile]
    public let tensorNames: [String]
    private let location: [String: Int]

    public init(index url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw FileError.cannotOpen(url.path, reason: error.localizedDescription)
        }
        struct Index: Decodable { let weight_map: [String: String] }
        let index: Index
        do { index = try JSONDecoder().decode(Index.self, from: data) } catch {
            throw ShardError.badIndex(url.lastPathComponent, SafetensorsFile.describe(error))
        }
        let folder = url.deletingLastPathComponent()
        var shardNumber: [String: Int] = [:]
        var shards: [SafetensorsFile] = []
        for file in Set(index.weight_map.values).sorted() {
            // Shards live beside the index: a name with a path separator could reach elsewhere.
            guard !file.contains("/"), !file.contains("\\"), file != "..", file != "." else {
                throw ShardError.badShardName(file)
            }
            shardNumber[file] = shards.count
            shards.append(try SafetensorsFile(url: folder.appendingPathComponent(file)))
        }
        var location: [String: Int] = [:]
        var names: [String] = []
        for (i, shard) in shards.enumerated() {
            for name in shard.tensorNames {
                guard location[name] == nil else { throw ShardError.duplicateTensor(name) }
                location[name] = i
                names.append(name)
            }
        }
        for (name, file) in index.weight_map.sorted(by: { $0.key < $1.key }) where location[name] != shardNumber[file] {
            throw ShardError.missingTensor(name, shard: file)
        }
        self.shards = shards
        self.location = location
        tensorNames = names
    }

    public func tensor(_ name: String) -> TensorView? {
        location[name].flatMap { shards[$0].tensor(name) }
    }
}

public enum ShardError: Error, Equatable, CustomStringConvertible {
    case badIndex(String, String)
    case badShardName(String)
    case duplicateTensor(String)
    case missingTensor(String, shard: String)

    public var description: String {
        switch self {
        case .badIndex(let file, let why): return "invalid \(file): \(why)"
        case .badShardName(let name): return "shard file name \(name.debugDescription) must be a plain file name"
        case .duplicateTensor(let name): return "tensor \(name) appears in more than one shard"
        case .missingTensor(let name, let shard): return "the index puts tensor \(name) in \(shard), which does not contain it"
        }
    }
}
