// The stages of a tokenizer, in the order Hugging Face `tokenizers` runs them:
//
//   added tokens  split the raw text around added/special tokens (never split further)
//   normalizer    rewrite each remaining text segment (lowercase, NFKC, charsmap, …)
//   pre-tokenizer cut a normalized segment into pieces (whitespace, punctuation, regex)
//   model         turn each piece into token ids (WordPiece, BPE, Unigram)
//   truncation    drop tokens beyond the maximum length, keeping room for special tokens
//   post-processor add special tokens and type ids ([CLS] A [SEP] B [SEP])
//
// Text is handled as Unicode scalars throughout, as the Rust library handles `char`s.

/// Rewrites text. Stateless and thread-safe.
public protocol Normalizer: Sendable {
    func normalize(_ text: String) -> String
}

/// Cuts text into pieces that the model tokenizes independently. Each stage receives the
/// pieces of the previous one (a Sequence feeds them through in order).
public protocol PreTokenizer: Sendable {
    func split(_ text: String) -> [String]
    /// The same, told whether `text` begins the input (Metaspace's "first" scheme needs
    /// it). A requirement, so callers dispatch without a dynamic cast.
    func split(_ text: String, atStart: Bool) -> [String]
}

extension PreTokenizer {
    public func split(_ text: String, atStart: Bool) -> [String] { split(text) }
}

/// Maps one piece of text to token ids.
public protocol TokenizerModel: Sendable {
    func tokenize(_ piece: String, into ids: inout [Int32])
    func id(of token: String) -> Int32?
    func token(of id: Int32) -> String?
    var vocabularySize: Int { get }
}

/// Adds special tokens and type ids around one or two encoded sequences.
public protocol PostProcessor: Sendable {
    /// How many tokens `process` adds for a single input (`pair == false`) or a pair.
    func addedTokenCount(pair: Bool) -> Int
    func process(_ a: Encoding, _ b: Encoding?) -> Encoding
}

/// A tokenizer configuration element that Sift does not implement. Thrown, never skipped.
public enum TokenizerError: Error, Equatable, CustomStringConvertible {
    case unsupported(component: String, type: String)
    case invalidConfig(String)
    case unknownToken(String, role: String)

    public var description: String {
        switch self {
        case .unsupported(let component, let type):
            return "unsupported \(component) \(type.debugDescription) in tokenizer configuration"
        case .invalidConfig(let why): return "invalid tokenizer configuration: \(why)"
        case .unknownToken(let token, let role): return "\(role) token \(token.debugDescription) is not in the vocabulary"
        }
    }
}

extension PreTokenizer {
    /// Applies this stage to each piece of an earlier stage.
    func split(_ pieces: [String]) -> [String] {
        var out: [String] = []
        out.reserveCapacity(pieces.count)
        for p in pieces { out.append(contentsOf: split(p)) }
        return out
    }
}
