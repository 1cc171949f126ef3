import ArgumentParser
import CSiftKernels
import Foundation
import Sift

/// The int8 GEMM alone (activations already quantized, weights packed), per shape and
/// thread count, against the int8 peak measured in the same run.
struct GEMMBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm",
        abstract: "int8 GEMM throughput (GOP/s and % of peak) for prefill shapes."
    )

    @Option(help: "Rows (tokens), comma-separated.")
    var m = "1,16,64,128,256"

    @Option(help: "Shapes N×K, comma-separated.")
    var shapes = "768x768,3072x768,768x3072,4864x896,896x4864,8192x2048"

    @Option(help: "Threads.")
    var threads = 2

    @Option(help: "int8 activation block scales: power-of-two or exact.")
    var activationScales: ActivationScales = .powerOfTwo

    @Flag(help: "Print JSON lines instead of a table.")
    var json = false

    func run() throws {
        let peak = ModelBenchmark.calibratePeak(threads: threads)
        let pool = ThreadPool(threads: threads)
        if !json {
            print("\(String(cString: sk_isa_name(sk_isa_active()))), \(threads) threads, \(Peak.describe(peak))")
            print([pad("N×K", 11), leftPad("M", 5), leftPad("µs", 9), leftPad("GOP/s", 7), leftPad("%peak", 6)].joined(separator: " "))
        }
        for shape in shapes.split(separator: ",") {
            let dims = shape.split(separator: "x").compactMap { Int($0) }
            guard dims.count == 2 else { continue }
            let n = dims[0], k = dims[1]
            let weights = randomNormal(n * k, seed: 1, scale: 0.02)
            let linear = try Linear(weights: weights, out: n, in: k, bias: nil, as: .q8_0, activationScales: activationScales)
            for rows in m.split(separator: ",").compactMap({ Int($0) }) {
                let x = randomNormal(rows * k, seed: 2)
                let y = UnsafeMutablePointer<Float>.allocate(capacity: rows * n)
                let scratch = UnsafeMutablePointer<sk_block_q8_a>.allocate(capacity: linear.quantizedBlocks(rows: rows))
                defer { y.deallocate(); scratch.deallocate() }
                var samples: [Double] = []
                x.withUnsafeBufferPointer { xp in
                    let xm = Matrix(UnsafeMutablePointer(mutating: xp.baseAddress!), rows: rows, cols: k)
                    let ym = Matrix(y, rows: rows, cols: n)
                    let reps = max(3, 2_000_000_000 / max(1, 2 * rows * n * k))
                    for _ in 0 ..< 3 { linear(xm, into: ym, scratch: scratch, pool: pool) }
                    for _ in 0 ..< min(reps, 200) {
                        let start = now()
                        linear(xm, into: ym, scratch: scratch, pool: pool)
                        samples.append(Double(now() - start) / 1e3)
                    }
                }
                let us = percentile(samples, 50)
                let gops = 2 * Double(rows * n * k) / (us * 1e3)
                if json {
                    let fraction = peak.map { #","peak_fraction":\#(fixed(gops / $0.gops, 3))"# } ?? ""
                    print(#"{"n":\#(n),"k":\#(k),"m":\#(rows),"threads":\#(threads),"us":\#(fixed(us, 2)),"gops":\#(fixed(gops, 1))\#(fraction)}"#)
                } else {
                    print([pad("\(n)×\(k)", 11), leftPad(String(rows), 5), leftPad(fixed(us, 1), 9), leftPad(fixed(gops, 0), 7),
                           leftPad(Peak.percent(gops, of: peak), 6)].joined(separator: " "))
                }
            }
        }
    }
}

/// Normally distributed floats (Box–Muller), deterministic for a seed.
func randomNormal(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
    var state = seed &+ 0x9E37_79B9_7F4A_7C15
    func next() -> Float {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float((state >> 40) + 1) / Float(1 << 24)
    }
    return (0 ..< count).map { _ in scale * (-2 * log(next())).squareRoot() * cos(2 * .pi * next()) }
}
