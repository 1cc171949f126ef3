/// The result of tokenizing one input (or one pair of inputs): what a model consumes.
public struct Encoding: Sendable, Equatable {
    /// Token ids, special tokens included.
    public var ids: [Int32]
    /// Segment of each token: 0 for the first text, 1 for the second of a pair.
    public var typeIds: [Int32]
    /// 1 for a real token, 0 for padding. Sift never pads a single input, so all ones there.
    public var attentionMask: [Int32]
    /// Whether truncation dropped tokens to fit the maximum length.
    public var truncated: Bool

    public init(ids: [Int32], typeIds: [Int32]? = nil, attentionMask: [Int32]? = nil, truncated: Bool = false) {
        self.ids = ids
        self.typeIds = typeIds ?? [Int32](repeating: 0, count: ids.count)
        self.attentionMask = attentionMask ?? [Int32](repeating: 1, count: ids.count)
        self.truncated = truncated
    }

    public var count: Int { ids.count }
}
