// Post-processors: special tokens and type ids around the encoded sequence(s).

/// A template such as `[CLS] $A [SEP]` / `[CLS] $A [SEP] $B:1 [SEP]:1`.
struct TemplatePostProcessor: PostProcessor {
    let single: [TemplatePiece]
    let pair: [TemplatePiece]
    let specialTokens: [String: [Int32]]

    init(single: [TemplatePiece], pair: [TemplatePiece], specialTokens: [String: PostProcessorConfig.SpecialTokenIds]) throws(TokenizerError) {
        self.single = single
        self.pair = pair
        self.specialTokens = specialTokens.mapValues(\.ids)
        for piece in single + pair {
            if case .special(let id, _) = piece, self.specialTokens[id] == nil {
                throw .invalidConfig("template uses special token \(id.debugDescription), which special_tokens does not define")
            }
        }
    }

    func addedTokenCount(pair isPair: Bool) -> Int {
        (isPair ? pair : single).reduce(0) { n, piece in
            if case .special(let id, _) = piece { return n + (specialTokens[id]?.count ?? 0) }
            return n
        }
    }

    func process(_ a: Encoding, _ b: Encoding?) -> Encoding {
        var out = Encoding(ids: [], truncated: a.truncated || (b?.truncated ?? false))
        for piece in b == nil ? single : pair {
            switch piece {
            case .sequence(let id, let typeId):
                guard let e = id == "A" ? a : b else { continue }
                out.ids += e.ids
                out.typeIds += [Int32](repeating: typeId, count: e.count)
            case .special(let id, let typeId):
                let ids = specialTokens[id] ?? []
                out.ids += ids
                out.typeIds += [Int32](repeating: typeId, count: ids.count)
            }
        }
        out.attentionMask = [Int32](repeating: 1, count: out.ids.count)
        return out
    }
}

/// BertProcessing: `[CLS] A [SEP]` and `[CLS] A [SEP] B [SEP]` with B's part of type 1.
/// RobertaProcessing: `<s> A </s>` and `<s> A </s> </s> B </s>`, all of type 0.
struct ClassicPostProcessor: PostProcessor {
    let cls: Int32
    let sep: Int32
    let roberta: Bool

    func addedTokenCount(pair: Bool) -> Int { pair ? (roberta ? 4 : 3) : 2 }

    func process(_ a: Encoding, _ b: Encoding?) -> Encoding {
        var ids = [cls] + a.ids + [sep]
        var typeIds = [Int32](repeating: 0, count: ids.count)
        if let b {
            let second = (roberta ? [sep] : []) + b.ids + [sep]
            ids += second
            typeIds += [Int32](repeating: roberta ? 0 : 1, count: second.count)
        }
        return Encoding(ids: ids, typeIds: typeIds, truncated: a.truncated || (b?.truncated ?? false))
    }
}

/// ByteLevel as a post-processor only adjusts offsets, which Sift does not track.
struct IdentityPostProcessor: PostProcessor {
    func addedTokenCount(pair: Bool) -> Int { 0 }
    func process(_ a: Encoding, _ b: Encoding?) -> Encoding {
        guard let b else { return a }
        return Encoding(ids: a.ids + b.ids, typeIds: a.typeIds + [Int32](repeating: 1, count: b.count),
                        truncated: a.truncated || b.truncated)
    }
}

/// Stages in order. Only one stage may combine a pair; the others see the combined result.
struct SequencePostProcessor: PostProcessor {
    let stages: [any PostProcessor]

    func addedTokenCount(pair: Bool) -> Int { stages.reduce(0) { $0 + $1.addedTokenCount(pair: pair) } }

    func process(_ a: Encoding, _ b: Encoding?) -> Encoding {
        // Identity stages leave a pair for the stage that adds its tokens.
        let combining = stages.firstIndex { !($0 is IdentityPostProcessor) }
        guard let combining else { return IdentityPostProcessor().process(a, b) }
        var result = stages[combining].process(a, b)
        for stage in stages[(combining + 1)...] { result = stage.process(result, nil) }
        return result
    }
}

func makePostProcessor(_ config: PostProcessorConfig) throws(TokenizerError) -> any PostProcessor {
    switch config {
    case .template(let single, let pair, let specials):
        return try TemplatePostProcessor(single: single, pair: pair, specialTokens: specials)
    case .bert(let cls, let sep): return ClassicPostProcessor(cls: cls.1, sep: sep.1, roberta: false)
    case .roberta(let cls, let sep): return ClassicPostProcessor(cls: cls.1, sep: sep.1, roberta: true)
    case .byteLevel: return IdentityPostProcessor()
    case .sequence(let stages):
        var built: [any PostProcessor] = []
        for s in stages { built.append(try makePostProcessor(s)) }
        return SequencePostProcessor(stages: built)
    case .unsupported(let type): throw .unsupported(component: "post-processor", type: type)
    }
}
