import Foundation
import SiftTokenizers

/// The prompt of zero-shot routing: an instruction naming the labels, the text, and the
/// point where the model's answer begins. Each label is then scored by the log-probability
/// of its tokens at that point.
struct ZeroShotPrompt: Sendable {
    /// The chat formats Sift writes itself (it does not run Jinja): recognised by the
    /// markers in the model's chat template.
    enum Format: Sendable, Equatable {
        case chatML        // <|im_start|>role\n…<|im_end|> (Qwen, SmolLM2)
        case llama3        // <|start_header_id|>role<|end_header_id|>\n\n…<|eot_id|>
        case gemma         // <start_of_turn>user\n…<end_of_turn>
        case plain         // no chat template, or one Sift does not know
        case custom(String)
    }

    static let instruction = "Classify the text into exactly one of these categories: {labels}.\nAnswer with the category name only."

    let format: Format
    let labels: [String]
    /// The tokens of each label as they follow the prompt.
    let labelIds: [[Int32]]
    /// Whether the tokenizer's own special tokens (BOS) are added around the prompt.
    let addSpecialTokens: Bool

    /// The ids of the prompt's constant opening (everything before the text), whose keys
    /// and values a session keeps between calls.
    let openingIds: [Int32]

    var maxLabelTokens: Int { labelIds.map(\.count).max() ?? 0 }
    /// Cache rows for the labels' continuations run together after the prompt (all tokens
    /// but each label's first), at most 512: beyond that they run in groups.
    var continuationTokens: Int { min(512, labelIds.reduce(0) { $0 + max(0, $1.count - 1) }) }

    init(template: String?, chatTemplate: String?, labels: [String], tokenizer: Tokenizer) throws {
        if let template {
            guard template.contains("{text}") else {
                throw ClassifierError.invalidOption("the template must contain {text} where the input goes")
            }
            format = .custom(template)
        } else if let chat = chatTemplate, chat.contains("<|im_start|>") {
            format = .chatML
        } else if let chat = chatTemplate, chat.contains("<|start_header_id|>") {
            format = .llama3
        } else if let chat = chatTemplate, chat.contains("<start_of_turn>") {
            format = .gemma
        } else {
            format = .plain
        }
        self.labels = labels
        switch format {
        case .chatML, .llama3, .gemma: addSpecialTokens = false
        case .plain, .custom: addSpecialTokens = true
        }
        // The label's tokens as they follow the prompt: the prompt's text does not change
        // how its constant ending and the label are split, so one placeholder serves all.
        let probe = ZeroShotPrompt.render(format: format, labels: labels, text: "x")
        let probeIds = tokenizer.tokenize(probe)
        var ids: [[Int32]] = []
        for label in labels {
            let continuation = ZeroShotPrompt.continuation(format: format, label: label)
            let joined = tokenizer.tokenize(probe + continuation)
            if joined.count > probeIds.count, joined.starts(with: probeIds) {
                ids.append(Array(joined[probeIds.count...]))
            } else {
                ids.append(tokenizer.tokenize(continuation))
            }
            guard !(ids.last ?? []).isEmpty else { throw ClassifierError.noLabels("the label \"\(label)\" has no tokens") }
        }
        labelIds = ids
        // The opening: the rendered prompt up to where the text goes.
        let marker = "\u{E000}"
        let rendered = ZeroShotPrompt.render(format: format, labels: labels, text: marker)
        let opening = rendered.components(separatedBy: marker).first ?? ""
        openingIds = opening.isEmpty ? [] : ZeroShotPrompt.promptIds(opening, tokenizer: tokenizer, addSpecialTokens: addSpecialTokens)
    }

    static func render(format: Format, labels: [String], text: String) -> String {
        let instruction = ZeroShotPrompt.instruction.replacingOccurrences(of: "{labels}", with: labels.joined(separator: ", "))
        switch format {
        case .chatML:
            return "<|im_start|>system\n\(instruction)<|im_end|>\n<|im_start|>user\n\(text)<|im_end|>\n<|im_start|>assistant\n"
        case .llama3:
            return "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n\(instruction)<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\n\(text)<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"
        case .gemma:
            return "<bos><start_of_turn>user\n\(instruction)\n\n\(text)<end_of_turn>\n<start_of_turn>model\n"
        case .plain:
            return "\(instruction)\n\nText: \(text)\nCategory:"
        case .custom(let template):
            // {text} last, so a label list cannot inject a {text}.
            return template.replacingOccurrences(of: "{labels}", with: labels.joined(separator: ", "))
                .replacingOccurrences(of: "{text}", with: text)
        }
    }

    /// What the model would write for `label`: a plain prompt ends at "Category:", so the
    /// answer starts with a space; in a chat turn it starts the line.
    static func continuation(format: Format, label: String) -> String {
        switch format {
        case .plain: return " " + label
        case .custom(let t): return t.hasSuffix(" ") || t.hasSuffix("\n") ? label : " " + label
        default: return label
        }
    }

    /// The prompt's ids for `text`, the text shortened (by characters, keeping its start)
    /// until the prompt and the longest label fit in `maxTokens`.
    func encode(_ text: String, tokenizer: Tokenizer, maxTokens: Int)
        -> (ids: [Int32], truncated: Bool, reusablePrefix: Int) {
        var text = text
        var truncated = false
        let budget = max(1, maxTokens - maxLabelTokens)
        while true {
            let prompt = ZeroShotPrompt.render(format: format, labels: labels, text: text)
            let ids = ZeroShotPrompt.promptIds(prompt, tokenizer: tokenizer, addSpecialTokens: addSpecialTokens)
            if ids.count <= budget || text.isEmpty {
                let kept = Array(ids.suffix(budget))
                // The opening's keys and values can be reused when the prompt starts with its ids.
                let reusable = kept.count == ids.count && kept.starts(with: openingIds) ? openingIds.count : 0
                return (kept, truncated, reusable)
            }
            // Cut the text in proportion to the excess, and a little more.
            let keep = Int(Double(text.count) * Double(budget) / Double(ids.count) * 0.9)
            text = String(text.prefix(max(0, min(keep, text.count - 1))))
            truncated = true
        }
    }

    private static func promptIds(_ prompt: String, tokenizer: Tokenizer, addSpecialTokens: Bool) -> [Int32] {
        let tokens = tokenizer.tokenize(prompt)
        guard addSpecialTokens else { return tokens }
        // The post-processor's leading tokens (BOS), but not a trailing EOS: the answer follows.
        let full = tokenizer.encode(prompt).ids
        guard full.count > tokens.count else { return tokens }
        for start in 0 ... (full.count - tokens.count) where full[start...].starts(with: tokens) {
            return Array(full[..<start]) + tokens
        }
        return tokens
    }

    /// chat_template from a Hugging Face folder's tokenizer_config.json, if any.
    static func chatTemplate(folder: URL) -> String? {
        struct Config: Decodable { var chat_template: String? }
        guard let data = try? Data(contentsOf: folder.appendingPathComponent("tokenizer_config.json")) else { return nil }
        if let c = try? JSONDecoder().decode(Config.self, from: data), let t = c.chat_template { return t }
        return (try? String(contentsOf: folder.appendingPathComponent("chat_template.jinja"), encoding: .utf8))
    }
}
