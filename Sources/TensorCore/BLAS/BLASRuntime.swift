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

    /// One line for run logs and `mpvqa bench`: library, kernel and where it came from, threads.
    ///
    /// e.g. `OpenBLAS 0.3.21 kernel Haswell (OpenBLAS's own detection), 2 worker threads × 1-thread BLAS`
    public static var summary: String {
        let library = configString.split(separator: " ").prefix(2).joined(separator: " ")
        return "\(library) kernel \(kernelName) (\(BLASKernelSelection.origin)), \(Parallel.threads) worker threads × 1-thread BLAS"
    }

    /// Runs `body` with OpenBLAS's own threading at `threads` threads, then returns it to 1.
    /// For measuring plain multithreaded BLAS; do not call MPVQA ops inside `body`.
    public static func withBLASThreads<R>(_ threads: Int, _ body: () throws -> R) rethrows -> R {
        _ = configured
        openblas_set_num_threads(Int32(max(1, threads)))
        defer { openblas_set_num_threads(1) }
        return try body()
    }

    /// `C = op(A)·op(B)` in Float32 on raw row-major buffers, one BLAS call on the calling
    /// thread (multithreaded only inside `withBLASThreads`). For benchmarks and kernel checks.
    ///
    /// `a: [M, K]` (`[K, M]` when `transposeA`), `b: [K, N]` (`[N, K]` when `transposeB`), `c: [M, N]`.
    public static func sgemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                             a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                             c: UnsafeMutablePointer<Float>, ldc: Int) {
        gemm(transposeA, transposeB, m, n, k, Float(1), a, lda, b, ldb, Float(0), c, ldc)
    }

    /// `sgemm` split into row or column blocks over `Parallel.threads`, one 1-thread BLAS call
    /// per block: exactly how `matmul` runs an unbatched product.
    public static func parallelSgemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                     c: UnsafeMutablePointer<Float>, ldc: Int) {
        parallelGemm(transposeA, transposeB, m, n, k, Float(1), a, lda, b, ldb, Float(0), c, ldc)
    }

    /// `batch` independent `sgemm`s at fixed strides, spread over `Parallel.threads` with one
    /// 1-thread BLAS call each: how `matmul` runs batched products (pages × heads).
    public static func batchedSgemm(transposeA: Bool, transposeB: Bool, batch: Int, m: Int, n: Int, k: Int,
                                    a: UnsafePointer<Float>, lda: Int, strideA: Int,
                                    b: UnsafePointer<Float>, ldb: Int, strideB: Int,
                                    c: UnsafeMutablePointer<Float>, ldc: Int, strideC: Int) {
        Parallel.forEach(batch) { i in
            gemm(transposeA, transposeB, m, n, k, Float(1), a + i * strideA, lda, b + i * strideB, ldb,
                 Float(0), c + i * strideC, ldc)
        }
    }
}

/// `C = alpha·op(A)·op(B) + beta·C` on one thread (row-major), for `Float` or `Double`.
@inline(__always)
func gemm<T: TensorScalar>(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int,
                           _ alpha: T, _ a: UnsafePointer<T>, _ lda: Int,
                           _ b: UnsafePointer<T>, _ ldb: Int,
                           _ beta: T, _ c: UnsafeMutablePointer<T>, _ ldc: Int) {
    _ = BLASRuntime.configured
    if OpProfiler.isEnabled { OpProfiler.countGemm(m: m, n: n, k: k) }
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
    if Parallel.threads <= 1 || flops < Parallel.productGrain {
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
