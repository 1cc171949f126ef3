/// Several sequences packed row after row with no padding: sequence s is rows
/// `offsets[s] ..< offsets[s + 1]`. Matrix products run over all rows at once; attention
/// stays within each sequence (block-diagonal).
struct PackedBatch: Sendable {
    let ids: [Int32]
    let typeIds: [Int32]
    /// count + 1 entries, from 0 to `rows`.
    let offsets: [Int]

    init(_ sequences: [(ids: [Int32], typeIds: [Int32])]) {
        var ids: [Int32] = [], types: [Int32] = [], offsets = [0]
        for (i, t) in sequences {
            ids += i
            types += t.count == i.count ? t : [Int32](repeating: 0, count: i.count)
            offsets.append(ids.count)
        }
        self.ids = ids
        typeIds = types
        self.offsets = offsets
    }

    var count: Int { offsets.count - 1 }
    var rows: Int { ids.count }
    var longest: Int { (0 ..< count).map { range($0).count }.max() ?? 0 }
    func range(_ s: Int) -> Range<Int> { offsets[s] ..< offsets[s + 1] }
}
