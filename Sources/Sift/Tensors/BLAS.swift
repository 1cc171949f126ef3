#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif

/// fp32 matrix products through the platform BLAS (OpenBLAS on Linux, Accelerate on
/// Apple platforms).
public enum BLAS {
    /// C = alpha · op(A) · op(B) + beta · C for row-major matrices, where op(A) is m×k,
    /// op(B) is k×n and C is m×n. `lda`, `ldb`, `ldc` are row strides in elements of the
    /// matrices as stored (before the transpose).
    public static func sgemm(transposeA: Bool = false, transposeB: Bool = false,
                             m: Int, n: Int, k: Int, alpha: Float = 1,
                             a: UnsafePointer<Float>, lda: Int,
                             b: UnsafePointer<Float>, ldb: Int,
                             beta: Float = 0,
                             c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        _ = singleThreaded
        cblas_sgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    blasInt(m), blasInt(n), blasInt(k), alpha,
                    a, blasInt(lda), b, blasInt(ldb), beta, c, blasInt(ldc))
    }

    /// Sift parallelizes around BLAS calls with its own pool (so work is split the same way
    /// whatever the library), so OpenBLAS runs each call on the calling thread. Set once.
    private static let singleThreaded: Void = {
        #if !canImport(Accelerate)
        openblas_set_num_threads(1)
        #endif
    }()

    #if canImport(Accelerate)
    private static func blasInt(_ x: Int) -> Int32 { Int32(x) }
    #else
    private static func blasInt(_ x: Int) -> blasint { blasint(x) }
    #endif
}
