import Foundation
import SiftTokenizers

extension GGUFFile {
    /// The key under which Sift stores a Hugging Face tokenizer.json that GGUF's
    /// tokenizer.ggml.* keys cannot express.
    public static let tokenizerJSONKey = "sift.tokenizer.json"

    /// The tokenizer.ggml.* metadata as a vocabulary description.
    public func vocabulary() throws(TokenizerError) -> GGUFVocabulary {
        guard let model = self["tokenizer.ggml.model"]?.string else {
            throw .invalidConfig("\(url.lastPathComponent) has no tokenizer (tokenizer.ggml.model is missing)")
        }
        guard let tokens = self["tokenizer.ggml.tokens"]?.array?.strings else {
            throw .invalidConfig("tokenizer.ggml.tokens is missing or not an array of strings")
        }
        var v = GGUFVocabulary(model: model, tokens: tokens)
        v.pre = self["tokenizer.ggml.pre"]?.string
        v.scores = self["tokenizer.ggml.scores"]?.array?.floats
        v.tokenTypes = self["tokenizer.ggml.token_type"]?.array?.ints?.map { Int32(truncatingIfNeeded: $0) }
        v.merges = self["tokenizer.ggml.merges"]?.array?.strings
        func id(_ key: String) -> Int32? { self["tokenizer.ggml.\(key)"]?.int.flatMap { Int32(exactly: $0) } }
        v.bosId = id("bos_token_id")
        v.eosId = id("eos_token_id")
        v.unknownId = id("unknown_token_id")
        v.separatorId = id("seperator_token_id") ?? id("separator_token_id")
        v.paddingId = id("padding_token_id")
        v.clsId = id("cls_token_id")
        v.maskId = id("mask_token_id")
        v.addBOS = self["tokenizer.ggml.add_bos_token"]?.bool
        v.addEOS = self["tokenizer.ggml.add_eos_token"]?.bool
        v.addSpacePrefix = self["tokenizer.ggml.add_space_prefix"]?.bool
        return v
    }

    /// The model's tokenizer: the embedded tokenizer.json if Sift wrote one, else the one
    /// described by tokenizer.ggml.*.
    public func tokenizer() throws -> Tokenizer {
        if let json = self[GGUFFile.tokenizerJSONKey]?.string {
            return try Tokenizer(json: Data(json.utf8))
        }
        return try Tokenizer(gguf: vocabulary())
    }
}

extension Tokenizer {
    /// Loads the tokenizer of a tokenizer.json file, a Hugging Face folder or a GGUF file.
    public static func load(from url: URL) throws -> Tokenizer {
        if url.pathExtension == "json" { return try Tokenizer(contentsOf: url) }
        switch try ModelLocation(url) {
        case .gguf(let file): return try GGUFFile(url: file).tokenizer()
        case .huggingFace(let folder):
            let json = folder.appendingPathComponent("tokenizer.json")
            guard FileManager.default.fileExists(atPath: json.path) else {
                throw ModelLocationError.notAModelFolder(folder.path, missing: "tokenizer.json")
            }
            return try Tokenizer(contentsOf: json)
        case .safetensors(let file):
            throw ModelLocationError.notAModelFolder(file.deletingLastPathComponent().path, missing: "tokenizer.json")
        }
    }
}
