import CSiftKernels

/// How a Linear layer keeps its weights. Quantization is the layer's business: model code
/// calls `linear(x, into: y)` whatever the storage.
public enum WeightType: String, Sendable, CaseIterable {
    /// fp32, multiplied with BLAS sgemm.
    case f32
    /// GGUF Q8_0 blocks, repacked into panels for the int8 kernels.
    case q8_0
}

/// How the int8 path scales each 32-value block of activations it quantizes.
public enum ActivationScales: String, Sendable, CaseIterable {
    /// max|x| / 127 rounded up to a power of two (OCP Microscaling's MXINT8 idea): the
    /// rounding step is up to 2× (1.44× on average) as coarse as `.exact`, and the kernels
    /// fold the scales in with an integer add instead of a float multiply, 6-18% faster
    /// products. The default.
    case powerOfTwo = "power-of-two"
    /// max|x| / 127 in fp32: the quants of ggml's Q8_0 reference quantizer, with the scale
    /// kept in fp32 where ggml rounds it to fp16.
    case exact

    var kernelValue: sk_scales { self == .exact ? SK_SCALES_EXACT : SK_SCALES_POW2 }
}

/// y = x · Wᵀ + b for W of shape [out, in].
public final class Linear: @unchecked Sendable {
    public let inFeatures: Int
    public let outFeatures: Int
    public let bias: [Float]?
    /// How the int8 path quantizes the layer's input (Q8_0 weights; fp32 ones ignore it).
    public let activationScales: ActivationScales
    let storage: Storage
    /// Fewest rows for which two threads split the product's rows instead of its columns
    /// (see `multiply`): 64, or 16 for the layers of a model whose int8 weights stay in the
    /// cache (`keepRowSplitForCachedWeights`). Set while the model loads, before any call.
    private(set) var rowSplitRows = 64

    enum Storage {
        /// [out][in] floats; `owner` keeps mapped memory alive when the pointer is zero-copy.
        case f32(UnsafePointer<Float>, owner: AnyObject)
        /// Panels and their scales from sk_pack_q8_0 (`count` = sk_packed_panels), in
        /// `memory`, which this layer owns.
        case q8_0(UnsafeMutablePointer<sk_panel_q8_0>, count: Int, memory: WeightMemory)
    }

    public var weightType: WeightType {
        switch storage {
        case .f32: return .f32
        case .q8_0: return .q8_0
        }
    }

    /// Builds the layer from a stored tensor of shape [out, in], converting once: Q8_0 data
    /// is repacked as is; any other type is dequantized to fp32 and, for `.q8_0`, quantized.
    /// `hugePages`: keep int8 panels of 2 MiB or more in transparent huge pages where the OS
    /// has them (`WeightMemory`). `packPool`: threads to repack large int8 weights with.
    public init(weight: TensorView, bias: [Float]?, as type: WeightType, activationScales: ActivationScales = .powerOfTwo,
                hugePages: Bool = true, packPool: ThreadPool? = nil) throws {
        self.activationScales = activationScales
        guard weight.shape.count == 2 else {
            throw ModelError.shapeMismatch(tensor: weight.name, expected: "[out, in]", found: weight.shape)
        }
        let out = weight.shape[0], inputs = weight.shape[1]
        outFeatures = out
        inFeatures = inputs
        if let bias, bias.count != outFeatures {
            throw ModelError.shapeMismatch(tensor: weight.name + " bias", expected: "[\(outFeatures)]", found: [bias.count])
        }
        self.bias = bias
        guard outFeatures > 0, inFeatures > 0, let base = weight.data.baseAddress else {
            throw ModelError.shapeMismatch(tensor: weight.name, expected: "a non-empty matrix", found: weight.shape)
        }
        switch (type, weight.dtype) {
        case (.q8_0, .ggml(.q8_0)):
            storage = try Linear.pack([(weight.name, base.assumingMemoryBound(to: sk_block_q8_0.self), outFeatures)], k: inFeatures,
                                      hugePages: hugePages, pool: packPool)
            weight.releasePages()
        case (.q8_0, _):
            guard inFeatures % 32 == 0 else {
                throw ModelError.shapeMismatch(tensor: weight.name, expected: "input size a multiple of 32 for q8_0", found: weight.shape)
            }
            let floats = try weight.floats()
            var blocks = [sk_block_q8_0](repeating: sk_block_q8_0(), count: out * inputs / 32)
            blocks.withUnsafeMutableBufferPointer { dstBuffer in
                floats.withUnsafeBufferPointer { srcBuffer in
                    let src = srcBuffer.baseAddress!, dst = dstBuffer.baseAddress!
                    let quantize = { (rows: Range<Int>) in
                        for r in rows { sk_quantize_row_q8_0(src + r * inputs, dst + r * inputs / 32, Int64(inputs)) }
                    }
                    if let packPool { packPool.forRows(out, elementsPerRow: inputs, minimumElements: 1 << 20, quantize) } else { quantize(0 ..< out) }
                }
            }
            storage = try blocks.withUnsafeBufferPointer {
                try Linear.pack([(weight.name, $0.baseAddress!, out)], k: inputs, hugePages: hugePages, pool: packPool)
            }
            weight.releasePages()
        case (.f32, .f32) where Int(bitPattern: base) % MemoryLayout<Float>.alignment == 0:
            storage = .f32(base.assumingMemoryBound(to: Float.self), owner: weight.owner)
        case (.f32, _):
            let owned = OwnedFloats(try weight.floats())
            storage = .f32(UnsafePointer(owned.pointer), owner: owned)
            weight.releasePages()
        }
    }

    /// A layer over fp32 values already in memory (tests, heads built in code).
    public convenience init(weights: [Float], out: Int, in inFeatures: Int, bias: [Float]?, as type: WeightType,
                            activationScales: ActivationScales = .powerOfTwo, hugePages: Bool = true, packPool: ThreadPool? = nil) throws {
        let owned = OwnedFloats(weights)
        let view = TensorView(name: "weights", shape: [out, inFeatures], dtype: .f32,
                              data: UnsafeRawBufferPointer(start: owned.pointer, count: weights.count * 4), owner: owned)
        try self.init(weight: view, bias: bias, as: type, activationScales: activationScales, hugePages: hugePages, packPool: packPool)
    }

    /// `count` panels on a cache-line boundary at least (the struct itself only asks for byte
    /// alignment, and a large allocation comes back 16 bytes past a page): each panel is then
    /// exactly 8 lines and each 32-byte group of scales sits in one. Large ones are in huge
    /// pages where the OS has them (`WeightMemory`). Filled with `panel`, or left for a caller
    /// that writes every byte (a plain C struct needs no initialization).
    private static func allocatePanels(_ count: Int, repeating panel: sk_panel_q8_0?,
                                       hugePages: Bool) -> (UnsafeMutablePointer<sk_panel_q8_0>, WeightMemory) {
        let memory = WeightMemory(byteCount: count * MemoryLayout<sk_panel_q8_0>.stride, hugePages: hugePages)
        let panels = memory.base.bindMemory(to: sk_panel_q8_0.self, capacity: count)
        if let panel { panels.initialize(repeating: panel, count: count) }
        return (panels, memory)
    }

    /// One int8 layer whose outputs are those of `weights` side by side (q, k, v → [q | k | v];
    /// gate, up → [gate | up]), packed straight from the stored Q8_0 matrices, with no
    /// stacked copy of them. Each must be [out_i, in] Q8_0 with the same `in`.
    public static func stacking(_ weights: [TensorView], bias: [Float]?, activationScales: ActivationScales = .powerOfTwo,
                                hugePages: Bool = true, packPool: ThreadPool? = nil) throws -> Linear {
        guard let first = weights.first, first.shape.count == 2 else {
            throw ModelError.shapeMismatch(tensor: weights.first?.name ?? "stacked weights", expected: "[out, in]", found: weights.first?.shape ?? [])
        }
        let inFeatures = first.shape[1]
        var parts: [(name: String, blocks: UnsafePointer<sk_block_q8_0>, rows: Int)] = []
        for w in weights {
            guard w.dtype == .ggml(.q8_0) else { throw ModelError.unsupportedTensorType(tensor: w.name, type: "\(w.dtype) (stacking takes Q8_0)") }
            guard w.shape.count == 2, w.shape[0] > 0, w.shape[1] == inFeatures, inFeatures % 32 == 0,
                  w.data.count >= w.shape[0] * inFeatures / 32 * MemoryLayout<sk_block_q8_0>.stride, let base = w.data.baseAddress else {
                throw ModelError.shapeMismatch(tensor: w.name, expected: "[out, \(inFeatures)] of Q8_0 blocks", found: w.shape)
            }
            parts.append((w.name, base.assumingMemoryBound(to: sk_block_q8_0.self), w.shape[0]))
        }
        let outFeatures = parts.reduce(0) { $0 + $1.rows }
        if let bias, bias.count != outFeatures {
            throw ModelError.shapeMismatch(tensor: parts.map(\.name).joined(separator: "+") + " bias", expected: "[\(outFeatures)]", found: [bias.count])
        }
        let storage = try pack(parts, k: inFeatures, hugePages: hugePages, pool: packPool)
        for w in weights { w.releasePages() }
        return Linear(inFeatures: inFeatures, outFeatures: outFeatures, bias: bias, activationScales: activationScales, storage: storage)
    }

    /// Repacks Q8_0 blocks for the kernels: the rows of `matrices`, one after the other, each
    /// `rows` contiguous rows of k/32 blocks. A block whose fp16 scale is inf or NaN is refused:
    /// its values are not numbers, and the power-of-two kernels would turn the scale into a
    /// finite one instead of propagating it.
    ///
    /// With a pool, a matrix of 2 MiB or more is packed by its threads, in ranges of 16-column
    /// tiles. Most of the time goes to first touches of the new memory; on this project's VM a
    /// huge page the host has taken back costs ~2 µs a KiB to fault in, and two threads fault
    /// in parallel (1 GiB: 2.24-2.34 s on one thread, 1.16-1.22 s on two).
    private static func pack(_ matrices: [(name: String, blocks: UnsafePointer<sk_block_q8_0>, rows: Int)], k: Int, hugePages: Bool,
                             pool: ThreadPool?) throws -> Storage {
        let nb = k / 32
        var rows: [UnsafePointer<sk_block_q8_0>?] = []
        for (name, blocks, rowCount) in matrices {
            for i in 0 ..< rowCount * nb where blocks[i].d & 0x7c00 == 0x7c00 {
                throw ModelError.invalidValue(key: "\(name): the scale of Q8_0 block \(i % nb) of row \(i / nb)",
                                              value: blocks[i].d & 0x3ff == 0 ? "inf" : "NaN", expected: "a finite number")
            }
            rows += (0 ..< rowCount).map { blocks + $0 * nb }
        }
        let n = rows.count
        let count = Int(sk_packed_panels(Int64(n), Int64(k)))
        let (panels, memory) = allocatePanels(count, repeating: nil, hugePages: hugePages)
        let tiles = (n + 15) / 16
        let tasks = count * MemoryLayout<sk_panel_q8_0>.stride < WeightMemory.hugePageBytes ? 1 : min(pool?.threadCount ?? 1, tiles)
        rows.withUnsafeBufferPointer { rows in
            let pack = { (p: Int) in
                sk_pack_q8_0_tiles(rows.baseAddress, Int64(n), Int64(k), panels, Int64(tiles * p / tasks), Int64(tiles * (p + 1) / tasks))
            }
            if let pool, tasks > 1 { pool.parallel(tasks, pack) } else { pack(0) }
        }
        return .q8_0(panels, count: count, memory: memory)
    }

    /// A layer of some of this layer's output rows, in the order given (repeats allowed),
    /// stored as this one is. Q8_0 panels are copied lane by lane, so each selected output is
    /// computed from the same bytes in the same order: bit-identical to the same column of
    /// the full product. fp32 rows are copied (BLAS may group a sum differently for a
    /// different column count, within rounding).
    public func selectingRows(_ rows: [Int]) -> Linear {
        precondition(!rows.isEmpty && rows.allSatisfy { (0 ..< outFeatures).contains($0) }, "rows out of range")
        let picked = rows.count, k = inFeatures
        switch storage {
        case .f32(let w, _):
            let owned = OwnedFloats(count: picked * k)
            for (i, r) in rows.enumerated() { (owned.pointer + i * k).update(from: w + r * k, count: k) }
            return Linear(inFeatures: k, outFeatures: picked, bias: bias.map { b in rows.map { b[$0] } }, activationScales: activationScales,
                          storage: .f32(UnsafePointer(owned.pointer), owner: owned))
        case .q8_0(let panels, _, let source):
            let nb = k / 32, count = Int(sk_packed_panels(Int64(picked), Int64(k)))
            // Padding, as sk_pack_q8_0 pads: quants 128 (the value 0), scales 1.0 (the GEMMs
            // need nonzero weight scales).
            let (out, memory) = Linear.allocatePanels(count, repeating: Linear.emptyPanel, hugePages: source.hugePages)
            let scales = UnsafeMutablePointer(mutating: sk_panel_scales(out, Int64(picked), Int64(k))!)
            scales.update(repeating: 0x3c00, count: Int(sk_panel_count(Int64(picked), Int64(k))) * 16)
            let from = sk_panel_scales(panels, Int64(outFeatures), Int64(k))!
            for (i, r) in rows.enumerated() {
                for b in 0 ..< nb {
                    let src = (r / 16) * nb + b, dst = (i / 16) * nb + b
                    Linear.copyLane(from: panels + src, lane: r % 16, to: out + dst, lane: i % 16)
                    scales[dst * 16 + i % 16] = from[src * 16 + r % 16]
                }
            }
            return Linear(inFeatures: k, outFeatures: picked, bias: bias.map { b in rows.map { b[$0] } }, activationScales: activationScales,
                          storage: .q8_0(out, count: count, memory: memory))
        }
    }

    private init(inFeatures: Int, outFeatures: Int, bias: [Float]?, activationScales: ActivationScales, storage: Storage) {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        self.bias = bias
        self.activationScales = activationScales
        self.storage = storage
    }

    /// A panel whose columns are all padding: quants 128 (the value 0).
    private static let emptyPanel: sk_panel_q8_0 = {
        var p = sk_panel_q8_0()
        withUnsafeMutableBytes(of: &p.qs) { _ = $0.initializeMemory(as: UInt8.self, repeating: 128) }
        return p
    }()

    /// Copies one column's quants (its scale is copied by the caller).
    private static func copyLane(from src: UnsafePointer<sk_panel_q8_0>, lane: Int, to dst: UnsafeMutablePointer<sk_panel_q8_0>, lane out: Int) {
        withUnsafeBytes(of: src.pointee.qs) { q in
            withUnsafeMutableBytes(of: &dst.pointee.qs) { o in
                // qs[g][c][j]: 8 groups of 16 columns × 4 bytes.
                for g in 0 ..< 8 {
                    o.storeBytes(of: q.load(fromByteOffset: 64 * g + 4 * lane, as: UInt32.self), toByteOffset: 64 * g + 4 * out, as: UInt32.self)
                }
            }
        }
    }

    /// y[m × out] = act(x[m × in] · Wᵀ (+ b)). `scratch` holds x quantized for the int8 path:
    /// at least `quantizedBlocks(rows:)` blocks. The bias and the activation are applied by
    /// each thread to the columns it computed, while they are in cache; the result is the
    /// same as separate passes (`Activation.apply`).
    public func callAsFunction(_ x: Matrix, into y: Matrix, scratch: UnsafeMutablePointer<sk_block_q8_a>, pool: ThreadPool,
                               activation: Activation? = nil) {
        StageProfiler.measure(\.matmul) {
            let fused = activation.flatMap(\.epilogue)
            multiply(x, into: y, scratch: scratch, pool: pool) { rows, n0, n1 in
                self.addBias(to: y, rows: rows, columns: n0 ..< n1, fused: fused)
            }
            if let activation, activation.epilogue == nil { activation.apply(y.rows(0 ..< x.rows), pool: pool) }
        }
    }

    /// Rows `rows` of `callAsFunction`'s product, computed on the calling thread: x's rows are
    /// quantized into `scratch` from its start (`quantizedBlocks(rows: rows.count)` blocks).
    /// For a layer that `splitsRows` the product of all x's rows, each output is the same, bit
    /// for bit, as in `callAsFunction`; model code calls this to run several row-wise steps in
    /// one parallel region (`BertEncoder.forward`).
    func callAsFunction(_ x: Matrix, rows: Range<Int>, into y: Matrix, scratch: UnsafeMutablePointer<sk_block_q8_a>,
                        activation: Activation? = nil) {
        guard case .q8_0(let panels, _, _) = storage else { preconditionFailure("row products are for int8 layers") }
        guard !rows.isEmpty else { return }
        StageProfiler.measure(\.matmul) {
            quantizedProduct(x, rows: rows, into: y, blocks: scratch, panels: panels)
            addBias(to: y, rows: rows, columns: 0 ..< outFeatures, fused: activation.flatMap(\.epilogue))
            if let activation, activation.epilogue == nil { activation.apply(rowsOf: y.rows(rows)) }
        }
    }

    /// Columns `columns` of the product for all `m` rows of an input already quantized for
    /// this layer (`quantizeInput`, `quantizeOutput`: `m · quantizedBlocks(rows: 1)` blocks),
    /// on the calling thread, with the bias and the activation. With `quantizeOutput`, the
    /// results are also quantized, as `next`'s input, into those blocks (a row's blocks
    /// `outFeatures / 32` apart): then `columns` must start on a multiple of 32 and end on one
    /// or at `outFeatures`. Model code splits a product's columns this way to keep each
    /// thread on the columns its next steps read (`BertEncoder.forward`); every output is the
    /// same, bit for bit, as in `callAsFunction`.
    func callAsFunction(quantized blocks: UnsafePointer<sk_block_q8_a>, rows m: Int, columns: Range<Int>, into y: Matrix,
                        activation: Activation? = nil,
                        quantizeOutput: (blocks: UnsafeMutablePointer<sk_block_q8_a>, next: Linear)? = nil) {
        guard case .q8_0(let panels, _, _) = storage else { preconditionFailure("quantized inputs are for int8 layers") }
        guard m > 0, !columns.isEmpty else { return }
        precondition(columns.lowerBound % 16 == 0 && columns.upperBound <= outFeatures, "columns \(columns) are not whole panels")
        StageProfiler.measure(\.matmul) {
            let n0 = columns.lowerBound, n1 = columns.upperBound
            sk_gemm_q8_0(Int64(m), Int64(outFeatures), Int64(inFeatures), blocks, Int64(inFeatures / 32), panels,
                         y.data, Int64(y.stride), Int64(n0), Int64(n1), activationScales.kernelValue)
            addBias(to: y, rows: 0 ..< m, columns: columns, fused: activation.flatMap(\.epilogue))
            if let activation, activation.epilogue == nil { activation.apply(rowsOf: y.columns(columns).rows(0 ..< m)) }
            if let (out, next) = quantizeOutput {
                precondition(next.inFeatures == outFeatures, "quantized output of \(outFeatures) for an input of \(next.inFeatures)")
                next.quantizeInput(y.rows(0 ..< m), columns: columns, into: out)
            }
        }
    }

    /// `callAsFunction(quantized:rows:columns:…)` for all columns, split in `columnHalves`
    /// over two tasks of `pool` (two threads: model code's column-parallel paths).
    func callAsFunction(quantized blocks: UnsafePointer<sk_block_q8_a>, rows m: Int, into y: Matrix, pool: ThreadPool,
                        activation: Activation? = nil,
                        quantizeOutput: (blocks: UnsafeMutablePointer<sk_block_q8_a>, next: Linear)? = nil) {
        let halves = columnHalves
        pool.parallel(2) { task in
            self(quantized: blocks, rows: m, columns: task == 0 ? halves.first : halves.second, into: y, activation: activation,
                 quantizeOutput: quantizeOutput)
        }
    }

    /// The two column parts of a product split over two threads: whole units of 4 panels (64
    /// columns), as `multiply` splits them.
    var columnHalves: (first: Range<Int>, second: Range<Int>) { Linear.columnHalves(outFeatures) }

    /// `columnHalves` of `n` columns.
    static func columnHalves(_ n: Int) -> (first: Range<Int>, second: Range<Int>) {
        let units = ((n + 15) / 16 + 3) / 4
        let middle = min(n, units / 2 * 64)
        return (0 ..< middle, middle ..< n)
    }

    /// x's rows quantized as this layer's input into `blocks` (row i at `blocks + i ·
    /// quantizedBlocks(rows: 1)`), the rows split over the pool's threads when there are
    /// enough of them.
    func quantizeInput(_ x: Matrix, into blocks: UnsafeMutablePointer<sk_block_q8_a>, pool: ThreadPool) {
        let perRow = quantizedBlocks(rows: 1)
        pool.forRows(x.rows, elementsPerRow: inFeatures, minimumElements: ThreadPool.heavyRowPass) { rows in
            quantizeInput(x, rows: rows, into: blocks + rows.lowerBound * perRow)
        }
    }

    /// x's columns `columns` (starting on a multiple of 32), every row, quantized as this
    /// layer's input: row i's blocks go to `blocks + i · quantizedBlocks(rows: 1)`, from the
    /// block of the first column.
    func quantizeInput(_ x: Matrix, columns: Range<Int>, into blocks: UnsafeMutablePointer<sk_block_q8_a>) {
        precondition(columns.lowerBound % 32 == 0 && (columns.upperBound % 32 == 0 || columns.upperBound == inFeatures))
        let perRow = quantizedBlocks(rows: 1)
        for i in 0 ..< x.rows {
            sk_quantize_row_q8_a(x.row(i) + columns.lowerBound, blocks + i * perRow + columns.lowerBound / 32, Int64(columns.count),
                                 activationScales.kernelValue)
        }
    }

    /// Whether a product of `m` rows on `threads` threads splits its rows (see `multiply`).
    func splitsRows(_ m: Int, threads: Int) -> Bool {
        guard case .q8_0 = storage else { return false }
        return threads == 2 && m >= rowSplitRows && outFeatures * inFeatures <= 8 << 20
    }

    /// The threads an int8 product of `m` rows uses: a product too small to pay for handing
    /// work to another thread (~20 µs of int8 work, measured on MiniLM at 16 tokens) stays on
    /// the caller.
    func productThreads(rows m: Int, pool: ThreadPool) -> Int {
        m * outFeatures * inFeatures < 4_000_000 ? 1 : pool.threadCount
    }

    /// The two row parts of a row split of `m` rows: the first ends on a multiple of the
    /// kernel's 4-row groups.
    static func rowHalves(_ m: Int) -> (first: Range<Int>, second: Range<Int>) {
        let half = min(m, ((m + 3) / 4 + 1) / 2 * 4)
        return (0 ..< half, half ..< m)
    }

    /// x's rows `rows` quantized as this layer's input into `blocks` (from its start:
    /// `quantizedBlocks(rows: rows.count)` blocks), on the calling thread.
    func quantizeInput(_ x: Matrix, rows: Range<Int>, into blocks: UnsafeMutablePointer<sk_block_q8_a>) {
        let mode = activationScales.kernelValue, blocksPerRow = inFeatures / 32
        // Blocks are independent, so adjacent rows are one call (the kernel works in batches
        // of 16 blocks; a 384-wide row is only 12).
        if x.stride == inFeatures {
            sk_quantize_row_q8_a(x.row(rows.lowerBound), blocks, Int64(rows.count * inFeatures), mode)
        } else {
            for i in rows { sk_quantize_row_q8_a(x.row(i), blocks + (i - rows.lowerBound) * blocksPerRow, Int64(inFeatures), mode) }
        }
    }

    /// y's rows `rows` = x's rows · Wᵀ, every column, on the calling thread.
    private func quantizedProduct(_ x: Matrix, rows: Range<Int>, into y: Matrix, blocks: UnsafeMutablePointer<sk_block_q8_a>,
                                  panels: UnsafeMutablePointer<sk_panel_q8_0>) {
        quantizeInput(x, rows: rows, into: blocks)
        sk_gemm_q8_0(Int64(rows.count), Int64(outFeatures), Int64(inFeatures), blocks, Int64(inFeatures / 32),
                     panels, y.row(rows.lowerBound), Int64(y.stride), 0, Int64(outFeatures), activationScales.kernelValue)
    }

    /// Adds the bias (if any) and applies `fused` (if any) to y's rows `rows`, columns
    /// `columns`: the epilogue of every product, on the block a task computed while it is in
    /// cache.
    private func addBias(to y: Matrix, rows: Range<Int>, columns: Range<Int>, fused: sk_activation?) {
        guard bias != nil || fused != nil else { return }
        (bias ?? []).withUnsafeBufferPointer { b in
            sk_bias_activation(y.row(rows.lowerBound) + columns.lowerBound, Int64(y.stride), Int64(rows.count), Int64(columns.count),
                               bias == nil ? nil : b.baseAddress! + columns.lowerBound, fused ?? SK_ACT_NONE)
        }
    }

    /// The product, then `epilogue(rows, n0, n1)` on the block a task computed: `rows`, columns
    /// n0 ..< n1.
    private func multiply(_ x: Matrix, into y: Matrix, scratch: UnsafeMutablePointer<sk_block_q8_a>, pool: ThreadPool,
                          epilogue: (Range<Int>, Int, Int) -> Void) {
        let m = x.rows
        switch storage {
        case .f32(let w, _):
            // BLAS runs single-threaded; the pool splits the output columns, in blocks of 16.
            let n = outFeatures, k = inFeatures
            let parts = min(pool.threadCount, max(1, n / 64))
            pool.parallel(parts) { t in
                let n0 = (n * t / parts) & ~15, n1 = t == parts - 1 ? n : (n * (t + 1) / parts) & ~15
                guard n1 > n0 else { return }
                BLAS.sgemm(transposeB: true, m: m, n: n1 - n0, k: k, a: x.data, lda: x.stride,
                           b: w + n0 * k, ldb: k, c: y.data + n0, ldc: y.stride)
                epilogue(0 ..< m, n0, n1)
            }
        case .q8_0(let panels, _, _):
            let blocksPerRow = inFeatures / 32, mode = activationScales.kernelValue
            let n = outFeatures, k = inFeatures
            let threads = productThreads(rows: m, pool: pool)
            // Two threads split the rows instead of the columns from `rowSplitRows` rows (64:
            // at least 32 a thread; 16 for weights that stay in the cache) when the weights
            // are at most 8M (8 MB of quants): each task quantizes its rows and computes all
            // their outputs. The rows a task reads and writes are then mostly the ones its
            // thread's row-wise passes (norms, adds) wrote and will read, where a column split
            // has every thread read the other's rows and write lines the other holds; the
            // cost is that both threads read every weight. 3 alternating rounds of `sift-bench
            // models --runs 10`, best p50 ms, column split / row split: BERT-base 64 tokens
            // 18.08 -> 17.01, 128 36.30 -> 34.24; Qwen2.5-0.5B 64 68.08 -> 66.55, 128 138.3 ->
            // 131.2 (its 8.7 MB gate/up product keeps the column split); Llama-3.2-1B 174.2
            // -> 174.1, 340 -> 345 (only q and o are small enough). Without the bound, runs
            // labeled by the VM's state (see `sift-bench models`' x-core column; 14
            // alternations at 64 tokens): near, Llama-3.2-1B 175 -> 180 and Qwen2.5-0.5B 67.3
            // -> 68.2 (medians); far, Qwen2.5-0.5B 83-86 -> 89-91. Row parts end on multiples
            // of the kernel's 4-row groups. Measured with two threads only: with more, each
            // further row part would read all the weights again.
            if splitsRows(m, threads: threads) {
                let halves = Linear.rowHalves(m)
                pool.parallel(2) { t in
                    let rows = t == 0 ? halves.first : halves.second
                    quantizedProduct(x, rows: rows, into: y, blocks: scratch + rows.lowerBound * blocksPerRow, panels: panels)
                    epilogue(rows, 0, n)
                }
                return
            }
            quantizeInput(x, into: scratch, pool: pool)
            // Otherwise work is split over output columns in whole panels, so every output is
            // computed by one thread in the same order whatever the thread count.
            let tiles = (n + 15) / 16
            guard threads > 1 else {
                sk_gemm_q8_0(Int64(m), Int64(n), Int64(k), scratch, Int64(blocksPerRow), panels, y.data, Int64(y.stride), 0, Int64(n), mode)
                epilogue(0 ..< m, 0, n)
                return
            }
            // Units of 4 panels (the kernel's column group), or of single panels when that
            // leaves fewer than two units a thread.
            let unit = (tiles + 3) / 4 >= 2 * threads ? 4 : 1
            let units = (tiles + unit - 1) / unit
            // A product with few rows (it streams its weights from memory) or a small one is
            // split evenly, one task a thread: each further task is another kernel call, and
            // a call's first column group waits on memory (the kernel prefetches the next
            // group only within a call). 4 alternating rounds of `sift-bench models`, 16
            // tokens, against shrinking tasks for all: BERT-base 6.48 -> 5.05 ms, Qwen2.5-0.5B
            // 21.95 -> 19.2, Llama-3.2-1B 52.9 -> 51.8, MiniLM 0.75 -> 0.72. Raising the size
            // bound from 40M to 80M multiply-adds: MiniLM at 128 tokens 5.62 -> 5.37, the
            // others at 64-128 tokens within noise. Larger products take shrinking tasks
            // (GuidedSplit), so that a worker that starts late leaves the caller little to
            // wait for.
            let even = m <= 24 || m * n * k < 80_000_000
            let split = even ? nil : GuidedSplit(units: units, threads: threads)
            pool.parallel(split?.count ?? threads) { t in
                let units = split?.range(t) ?? units * t / threads ..< units * (t + 1) / threads
                let n0 = units.lowerBound * unit * 16, n1 = min(n, units.upperBound * unit * 16)
                sk_gemm_q8_0(Int64(m), Int64(n), Int64(k), scratch, Int64(blocksPerRow), panels, y.data, Int64(y.stride), Int64(n0), Int64(n1), mode)
                epilogue(0 ..< m, n0, n1)
            }
        }
    }

    /// Sets `rowSplitRows` for all `layers` (a model's): 16 when their int8 weights together
    /// take at most half the last-level cache, else 64. Then the weights come from the
    /// cache, and two threads reading all of them cost less than the column split's traffic
    /// between the cores even at 16 rows. A larger model streams its weights from memory at
    /// short inputs, where reading them twice costs more. Alternating rounds, p50 ms, 16/32
    /// tokens, from 64 rows / from 16 rows: MiniLM (11 MB) 0.69-0.70/1.25-1.29 ->
    /// 0.65-0.66/1.17-1.18; BERT-base (90 MB) 4.89-5.33/8.85-9.38 -> 5.99-6.20/9.68-9.91;
    /// Qwen2.5-0.5B 19.3-19.7/35.7-36.0 -> 21.1-21.5/36.1-36.8 (this machine: 32 MB L3).
    static func keepRowSplitForCachedWeights(_ layers: [Linear], cacheBytes: Int? = CacheSize.lastLevel) {
        guard let cache = cacheBytes else { return }
        let bytes = layers.reduce(0) { total, layer in
            guard case .q8_0(_, let count, _) = layer.storage else { return total }
            return total + count * MemoryLayout<sk_panel_q8_0>.stride
        }
        for layer in layers { layer.rowSplitRows = bytes <= cache / 2 ? 16 : 64 }
    }

    /// Activation blocks the int8 path needs for `rows` rows.
    public func quantizedBlocks(rows: Int) -> Int { rows * ((inFeatures + 31) / 32) }
}

/// fp32 values owned by a class, so a Linear (or a view) can keep them alive.
final class OwnedFloats: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(_ values: [Float]) {
        count = values.count
        pointer = .allocate(capacity: max(values.count, 1))
        values.withUnsafeBufferPointer { pointer.initialize(from: $0.baseAddress!, count: values.count) }
    }

    /// `count` zeros.
    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { pointer.deallocate() }
}

extension TensorView {
    /// The tensor as fp32 values, dequantized if needed.
    public func floats() throws -> [Float] {
        guard case .ggml(let type) = dtype else { throw ModelError.unsupportedTensorType(tensor: name, type: dtype.description) }
        var out = [Float](repeating: 0, count: elementCount)
        do {
            try out.withUnsafeMutableBufferPointer { try Dequantize.row(type, from: data, into: $0) }
        } catch {
            throw ModelError.unsupportedTensorType(tensor: name, type: dtype.description)
        }
        return out
    }
}

/// Splits `units` of work into tasks that shrink as they go: each takes 1/(2·threads) of
/// what is left (at least one unit). Threads claim tasks in order, so a thread that starts
/// late or runs slow is left with small tasks and the others wait for little. With equal
/// tasks (4 per thread) the caller spent about 5% of a Qwen-shape forward at 64 tokens
/// waiting for a worker's last task.
struct GuidedSplit {
    let units: Int
    let threads: Int
    /// The number of tasks.
    let count: Int

    init(units: Int, threads: Int) {
        self.units = units
        self.threads = max(1, threads)
        var count = 0, start = 0
        while start < units {
            start += Self.size(remaining: units - start, threads: self.threads)
            count += 1
        }
        self.count = count
    }

    /// Task `t`'s units.
    func range(_ t: Int) -> Range<Int> {
        var start = 0
        for _ in 0 ..< t { start += Self.size(remaining: units - start, threads: threads) }
        return start ..< start + Self.size(remaining: units - start, threads: threads)
    }

    private static func size(remaining: Int, threads: Int) -> Int {
        max(1, remaining / (2 * threads))
    }
}
