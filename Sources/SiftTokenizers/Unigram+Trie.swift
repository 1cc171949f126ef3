// The vocabulary as a trie over UTF-8 bytes, for Unigram's "every vocabulary entry that
// starts here" lookup. tokenizers walks a trie of the same bytes, so the candidates come
// in the same order: shortest first.
//
// The trie is a double array (as SentencePiece's Darts): node s's child along byte c
// sits in slot base[s] + c, and is really its child if that slot's check is s. A step is
// one 12-byte load, which is what makes Viterbi fast: it walks the trie from every
// character of every piece. Building it: sort the keys (a node's keys are then a
// contiguous range), walk the nodes depth first, and give each node with children the
// first base at which all its children's slots are free.
import Foundation

struct ByteTrie: Sendable {
    struct Unit {
        /// Children of this node are at base + byte.
        var base: Int32
        /// The slot of this node's parent; -1 in a free slot, -2 in the root.
        var check: Int32
        /// The vocabulary id of the entry that ends here, or -1.
        var id: Int32
    }

    private let units: [Unit]

    /// - Parameter keys: the entries; entry i gets id i, and a key given twice keeps its
    ///   last id. Keys are compared as UTF-8 bytes: canonically equivalent spellings ("é",
    ///   "e" + U+0301) stay distinct entries.
    init(_ keys: [String]) {
        let sorted = SortedKeys(keys)
        var builder = DoubleArrayBuilder()
        // Depth first over (slot, sorted keys lo ..< hi sharing their first `depth` bytes):
        // a node's first child then lands near it, so a walk down the trie (Viterbi's inner
        // loop) tends to stay in the same cache lines. Breadth first was 1.5× slower on a
        // 250k vocabulary.
        var stack: [(slot: Int, lo: Int, hi: Int, depth: Int)] = [(0, 0, sorted.count, 0)]
        var labels: [UInt8] = []
        var ranges: [(lo: Int, hi: Int)] = []
        while let (slot, lo, hi, depth) = stack.popLast() {
            var i = lo
            // Keys that end here sort first; the last of equal keys wins. (An empty key
            // lands on the root, which lookups never report.)
            while i < hi, sorted.length(i) == depth {
                builder.units[slot].id = sorted.ids[i]
                i += 1
            }
            labels.removeAll(keepingCapacity: true)
            ranges.removeAll(keepingCapacity: true)
            while i < hi {
                let byte = sorted.byte(i, depth)
                var j = i + 1
                while j < hi, sorted.byte(j, depth) == byte { j += 1 }
                labels.append(byte)
                ranges.append((i, j))
                i = j
            }
            guard !labels.isEmpty else { continue }
            let base = builder.place(parent: slot, labels: labels)
            for (label, range) in zip(labels, ranges).reversed() {
                stack.append((base + Int(label), range.lo, range.hi, depth + 1))
            }
        }
        units = builder.finish()
    }

    /// The id of the entry whose bytes are exactly `key`.
    func id(of key: some Sequence<UInt8>) -> Int32? {
        withView { trie in
            var node = 0
            for byte in key {
                node = trie.child(of: node, byte)
                if node < 0 { return nil }
            }
            let id = trie.id(at: node)
            return id >= 0 ? id : nil
        }
    }

    /// Runs `body` with direct access to the units, for the tokenizer's inner loop.
    func withView<R>(_ body: (View) -> R) -> R {
        units.withUnsafeBufferPointer { body(View(units: $0)) }
    }

    /// The trie's units, borrowed.
    struct View {
        let units: UnsafeBufferPointer<Unit>

        /// The slot of the child of `node` along `byte`, or -1 if there is none.
        @inline(__always)
        func child(of node: Int, _ byte: UInt8) -> Int {
            let slot = Int(units[node].base) + Int(byte)
            // Every base leaves 256 slots after it (see finish()), so the bound check
            // only guards against a broken build.
            guard slot < units.count, Int(units[slot].check) == node else { return -1 }
            return slot
        }

        @inline(__always)
        func id(at node: Int) -> Int32 { units[node].id }
    }
}

/// The keys sorted by bytes (shorter first on a shared prefix, equal keys in entry order)
/// and stored back to back, so that the breadth-first build reads memory in order.
private struct SortedKeys {
    private var bytes: [UInt8] = []
    /// Key i is bytes[starts[i] ..< starts[i + 1]].
    private var starts: [Int] = [0]
    private(set) var ids: [Int32] = []

    var count: Int { ids.count }
    func length(_ i: Int) -> Int { starts[i + 1] - starts[i] }
    func byte(_ i: Int, _ depth: Int) -> UInt8 { bytes[starts[i] + depth] }

    init(_ keys: [String]) {
        var flat: [UInt8] = []
        var flatStarts = [0]
        flatStarts.reserveCapacity(keys.count + 1)
        // The first 8 bytes as a big-endian number: most comparisons end there.
        var prefixes: [UInt64] = []
        prefixes.reserveCapacity(keys.count)
        for key in keys {
            let start = flat.count
            flat.append(contentsOf: key.utf8)
            flatStarts.append(flat.count)
            var prefix: UInt64 = 0
            for k in start ..< start + 8 { prefix = prefix << 8 | UInt64(k < flat.count ? flat[k] : 0) }
            prefixes.append(prefix)
        }
        // Radix sort on the prefixes (stable, so equal prefixes keep entry order), then
        // settle the runs of equal prefixes by comparing whole keys.
        var order = SortedKeys.radixSort(prefixes)
        flat.withUnsafeBufferPointer { flat in
            flatStarts.withUnsafeBufferPointer { starts in
                let precedes = { (a: Int, b: Int) -> Bool in
                    let la = starts[a + 1] - starts[a], lb = starts[b + 1] - starts[b]
                    let common = Swift.min(la, lb)
                    let c = common == 0 ? 0 : memcmp(flat.baseAddress! + starts[a], flat.baseAddress! + starts[b], common)
                    if c != 0 { return c < 0 }
                    return la != lb ? la < lb : a < b
                }
                var i = 0
                while i < order.count {
                    var j = i + 1
                    while j < order.count, prefixes[order[j]] == prefixes[order[i]] { j += 1 }
                    if j - i > 1 { order[i ..< j].sort(by: precedes) }
                    i = j
                }
            }
        }
        bytes.reserveCapacity(flat.count)
        starts.reserveCapacity(order.count + 1)
        ids.reserveCapacity(order.count)
        for i in order {
            bytes.append(contentsOf: flat[flatStarts[i] ..< flatStarts[i + 1]])
            starts.append(bytes.count)
            ids.append(Int32(i))
        }
    }
}

extension SortedKeys {
    /// Indices of `keys` in ascending order, equal keys in index order (LSD, a byte a pass).
    static func radixSort(_ keys: [UInt64]) -> [Int] {
        var order = Array(keys.indices)
        var scratch = order
        for shift in stride(from: 0, to: 64, by: 8) {
            var counts = [Int](repeating: 0, count: 257)
            for k in keys { counts[Int(truncatingIfNeeded: k >> UInt64(shift)) & 0xFF + 1] += 1 }
            // A pass where every key has the same byte changes nothing.
            if counts.contains(keys.count) { continue }
            for d in 1 ..< 257 { counts[d] += counts[d - 1] }
            for i in order {
                let d = Int(truncatingIfNeeded: keys[i] >> UInt64(shift)) & 0xFF
                scratch[counts[d]] = i
                counts[d] += 1
            }
            swap(&order, &scratch)
        }
        return order
    }
}

/// Places nodes' children into a growing double array.
private struct DoubleArrayBuilder {
    var units: [ByteTrie.Unit] = [ByteTrie.Unit(base: 0, check: -2, id: -1)]
    /// Free slots as a doubly linked list in slot order; nextFree[i]/previousFree[i] are
    /// meaningful only for free slots. `firstFree` is the list head (or units.count).
    private var nextFree: [Int32] = [1]
    private var previousFree: [Int32] = [-1]
    private var firstFree = 1
    /// How often each free slot was the first candidate and did not fit; a slot that
    /// keeps failing is dropped from the list, so the search does not rescan a crowded
    /// region for every node (Darts does the same with its blocks).
    private var failures: [UInt8] = [0]

    /// Chooses a base for the children of `parent` (labels ascending), claims their slots
    /// and returns the base.
    mutating func place(parent: Int, labels: [UInt8]) -> Int {
        let first = Int(labels[0])
        var candidate = firstFree
        while true {
            ensure(candidate + 256)
            let base = candidate - first
            if base >= 0, labels.allSatisfy({ units[base + Int($0)].check == -1 }) {
                for label in labels { claim(base + Int(label), parent: parent) }
                units[parent].base = Int32(base)
                return base
            }
            let next = Int(nextFree[candidate])
            if base >= 0 {
                failures[candidate] &+= 1
                if failures[candidate] > 32 { claim(candidate, parent: -3) }
            }
            candidate = next
        }
    }

    /// Grows the array so that slot `index` exists, linking the new slots as free.
    private mutating func ensure(_ index: Int) {
        guard index >= units.count else { return }
        let old = units.count
        let new = Swift.max(index + 1, old * 2)
        units.append(contentsOf: repeatElement(ByteTrie.Unit(base: 0, check: -1, id: -1), count: new - old))
        failures.append(contentsOf: repeatElement(0, count: new - old))
        nextFree.append(contentsOf: (old + 1 ... new).map { Int32($0) })
        previousFree.append(contentsOf: (old - 1 ..< new - 1).map { Int32($0) })
        // The old tail (units.count == old) pointed past the end; it now points at `old`.
        if firstFree >= old { firstFree = old; previousFree[old] = -1 } else {
            var last = firstFree
            while Int(nextFree[last]) < old { last = Int(nextFree[last]) }
            previousFree[old] = Int32(last)
        }
    }

    /// Takes `slot` off the free list; `parent` -3 marks a slot abandoned as unusable.
    private mutating func claim(_ slot: Int, parent: Int) {
        let next = Int(nextFree[slot]), previous = Int(previousFree[slot])
        if previous >= 0 { nextFree[previous] = Int32(next) } else { firstFree = next }
        if next < units.count { previousFree[next] = Int32(previous) }
        units[slot].check = Int32(parent)
    }

    /// The units, cut to 256 slots after the highest base (every child lookup stays in
    /// bounds); abandoned slots are free again.
    mutating func finish() -> [ByteTrie.Unit] {
        let highestBase = units.map { Int($0.base) }.max() ?? 0
        let lastUsed = units.lastIndex { $0.check != -1 } ?? 0
        ensure(highestBase + 256)
        var result = Array(units.prefix(Swift.max(highestBase + 256, lastUsed) + 1))
        for i in result.indices where result[i].check == -3 { result[i].check = -1 }
        return result
    }
}
