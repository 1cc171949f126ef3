import Foundation
import SiftTokenizers

/// Writes a tokenizer.json's vocabulary as llama.cpp's tokenizer.ggml.* keys, where
/// llama.cpp's vocabulary types can express it: byte-level BPE as `gpt2` (with the
/// `tokenizer.ggml.pre` name of its pre-tokenizer), WordPiece as `bert`. Sift itself
/// tokenizes with the verbatim tokenizer.json stored beside them (sift.tokenizer.json), so
/// a tokenizer llama.cpp cannot express (Unigram, byte-fallback BPE) is still exact here.
enum GGMLVocabularyWriter {
    static func write(_ config: TokenizerConfig, folder: URL, into w: inout GGUFWriter) {
        var vocab: [(String, Int32)]
        switch config.model {
        case .bpe(let bpe) where !bpe.byteFallback: vocab = bpe.vocab
        case .wordPiece(let wp): vocab = wp.vocab
        default: return
        }
        vocab += config.addedTokens.map { ($0.content, $0.id) }
        guard let maxId = vocab.map(\.1).max(), maxId >= 0, maxId < 10_000_000 else { return }
        // Ids with no token (gaps) get placeholders, as llama.cpp's converter does.
        var tokens = (0 ... Int(maxId)).map { "[PAD\($0)]" }
        var types = [Int32](repeating: 1, count: tokens.count)
        for (t, id) in vocab where id >= 0 { tokens[Int(id)] = t }
        for a in config.addedTokens where a.id >= 0 { types[Int(a.id)] = a.special ? 3 : 4 }

        switch config.model {
        case .bpe(let bpe):
            w.set("tokenizer.ggml.model", .string("gpt2"))
            w.set("tokenizer.ggml.pre", .string(preTokenizerName(config.preTokenizer)))
            w.set("tokenizer.ggml.tokens", .array(.string(tokens)))
            w.set("tokenizer.ggml.token_type", .array(.int32(types)))
            w.set("tokenizer.ggml.merges", .array(.string(bpe.merges.map { $0.0 + " " + $0.1 })))
        case .wordPiece:
            w.set("tokenizer.ggml.model", .string("bert"))
            w.set("tokenizer.ggml.tokens", .array(.string(tokens)))
            w.set("tokenizer.ggml.token_type", .array(.int32(types)))
        default: return
        }
        let ids = Dictionary(tokens.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let special = SpecialTokens(folder: folder)
        func set(_ key: String, _ token: String?) {
            if let token, let id = ids[token] { w.set("tokenizer.ggml.\(key)", .uint32(UInt32(id))) }
        }
        set("bos_token_id", special.bos ?? (ids["[CLS]"] != nil ? "[CLS]" : nil))
        set("eos_token_id", special.eos ?? (ids["[SEP]"] != nil ? "[SEP]" : nil))
        set("unknown_token_id", special.unk)
        set("padding_token_id", special.pad)
        if case .wordPiece = config.model {
            set("cls_token_id", special.cls ?? "[CLS]")
            set("seperator_token_id", special.sep ?? "[SEP]")
        }
        // Whether the post-processor puts a special token first (BOS) or last (EOS).
        if case .template(let single, _, _)? = config.postProcessor {
            if case .special? = single.first { w.set("tokenizer.ggml.add_bos_token", .bool(true)) } else { w.set("tokenizer.ggml.add_bos_token", .bool(false)) }
            if case .special? = single.last { w.set("tokenizer.ggml.add_eos_token", .bool(true)) } else { w.set("tokenizer.ggml.add_eos_token", .bool(false)) }
        } else if config.postProcessor == nil {
            w.set("tokenizer.ggml.add_bos_token", .bool(false))
        }
    }

    /// llama.cpp's name for the byte-level pre-tokenizer in `p`.
    static func preTokenizerName(_ p: PreTokenizerConfig?) -> String {
        guard let p else { return "default" }
        func patterns(_ p: PreTokenizerConfig) -> [String] {
            switch p {
            case .split(.regex(let r), _, _): return [r]
            case .sequence(let parts): return parts.flatMap(patterns)
            default: return []
            }
        }
        func hasDigits(_ p: PreTokenizerConfig) -> Bool {
            switch p {
            case .digits: return true
            case .sequence(let parts): return parts.contains(where: hasDigits)
            default: return false
            }
        }
        let regexes = patterns(p)
        if regexes.contains(ByteLevelPattern.llama3) { return "llama-bpe" }
        if regexes.contains(ByteLevelPattern.qwen2) { return "qwen2" }
        if hasDigits(p) { return "smollm" }
        return "gpt-2"
    }

    /// The special tokens tokenizer_config.json names (as strings or AddedToken objects).
    struct SpecialTokens {
        var bos, eos, unk, pad, cls, sep: String?

        init(folder: URL) {
            guard let data = try? Data(contentsOf: folder.appendingPathComponent("tokenizer_config.json")),
                  let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return }
            func token(_ key: String) -> String? {
                if let s = json[key] as? String { return s }
                return (json[key] as? [String: Any])?["content"] as? String
            }
            bos = token("bos_token")
            eos = token("eos_token")
            unk = token("unk_token")
            pad = token("pad_token")
            cls = token("cls_token")
            sep = token("sep_token")
        }
    }
}
