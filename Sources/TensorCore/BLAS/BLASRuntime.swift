import CBLAS

/// The BLAS library as loaded: its kernel and thread settings.
public enum BLASRuntime {
    /// BLAS always runs single-threaded; parallelism comes from `Parallel` (see there).
    static let configured: Void = { openblas_set_num_threads(1) }()

    /// OpenBLAS's name for the kernel it selected for this CPU (e.g. `Haswell`, `SkylakeX`, `Prescott`).
    public static var kernelName: String {
        _ = configured
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// OpenBLAS's build configuration string.
    public static var configString: String {
        guard let c = openblas_get_config() else { return "unknown" }
        return String(cString: c)
    }
}

/// `C = alpha·op(A)·op(B) + beta·C` on one thread (row-major), for `Float` or `Double`.
@inline(__always)
func gemm<T: TensorScalar>(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int,
                           _ alpha: T, _ a: UnsafePointer<T>, _ lda: Int,
                           _ b: UnsafePointer<T>, _ ldb: Int,
                           _ beta: T, _ c: UnsafeMutablePointer<T>, _ ldc: Int) {
    _ = BLASRuntime.configured
    let ta = transA ? CblasTrans : CblasNoTrans
    let tb = transB ? CblasTrans : CblasNoTrans
    if T.self == Float.self {
        cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), Float(alpha),
                    UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), Int32(lda),
                    UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), Int32(ldb), Float(beta),
                    UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), Int32(ldc))
    } else {
        cblas_dgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), Double(alpha),
                    UnsafeRawPointer(a).assumingMemoryBound(to: Double.self), Int32(lda),
                    UnsafeRawPointer(b).assumingMemoryBound(to: Double.self), Int32(ldb), Double(beta),
                    UnsafeMutableRawPointer(c).assumingMemoryBound(to: Double.self), Int32(ldc))
    }
}

/// `gemm` with the output split into row or column blocks over `Parallel.threads`
/// (1-thread BLAS per block). Small products run as one call.
func parallelGemm<T: TensorScalar>(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int,
                                   _ alpha: T, _ a: UnsafePointer<T>, _ lda: Int,
                                   _ b: UnsafePointer<T>, _ ldb: Int,
                                   _ beta: T, _ c: UnsafeMutablePointer<T>, _ ldc: Int) {
    if m == 0 || n == 0 { return }
    let flops = m * n * k
    if Parallel.threads <= 1 || flops < (1 << 20) {
        gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
        return
    }
    if m >= n {
        Parallel.forRanges(m, minChunk: 32, align: 16) { r in
            // Rows r of op(A): row offset when A is stored [M, K], column offset when stored [K, M].
            let aBlock = transA ? a + r.lowerBound : a + r.lowerBound * lda
            gemm(transA, transB, r.count, n, k, alpha, aBlock, lda, b, ldb, beta, c + r.lowerBound * ldc, ldc)
        }
    } else {
        Parallel.forRanges(n, minChunk: 32, align: 16) { r in
            // Columns r of op(B): column offset when B is stored [K, N], row offset when stored [N, K].
            let bBlock = transB ? b + r.lowerBound * ldb : b + r.lowerBound
            gemm(transA, transB, m, r.count, k, alpha, a, lda, bBlock, ldb, beta, c + r.lowerBound, ldc)
        }
    }
}
