// Matrix products, all through cblas_sgemm / cblas_dgemm.
//
// Shapes: A [..., M, K] (or [..., K, M] with transposeA), B [..., K, N] (or [..., N, K]
// with transposeB), C [..., M, N]. A rank-2 B with an untransposed A of any rank is one
// gemm over the flattened rows of A (a linear layer); otherwise the batch axes of A and
// B must be equal and each batch item is one gemm, run in parallel.

extension Tensor {
    /// Matrix product `op(self) · op(other)`, batched over leading axes.
    ///
    /// `x: [B, L, D]`, `w: [O, D]` → `x.matmul(w, transposeB: true): [B, L, O]`.
    public func matmul(_ other: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        if let message = ShapeCheck.matmul(shape, other.shape, transposeA: transposeA, transposeB: transposeB) {
            preconditionFailure(message)
        }
        precondition(dtype == other.dtype, "matmul: dtypes \(dtype) and \(other.dtype) differ")
        let a = self, b = other
        let m = transposeA ? a.shape[a.rank - 1] : a.shape[a.rank - 2]
        let k = transposeA ? a.shape[a.rank - 2] : a.shape[a.rank - 1]
        let n = transposeB ? b.shape[b.rank - 2] : b.shape[b.rank - 1]
        let flatRows = b.rank == 2 && !transposeA
        let batch = flatRows ? 1 : a.shape.dropLast(2).reduce(1, *)
        let rowsA = flatRows ? a.count / Swift.max(k, 1) : m
        var outShape = Array(a.shape.dropLast(2))
        outShape += [m, n]
        if flatRows { outShape = Array(a.shape.dropLast()) + [n] }
        var out = Tensor.empty(outShape, dtype: dtype)

        func run<T: TensorScalar>(_: T.Type) {
            let pa = a.pointer(T.self), pb = b.pointer(T.self), pc = out.mutablePointer(T.self)
            let lda = a.shape[a.rank - 1], ldb = b.shape[b.rank - 1]
            if k == 0 { pc.update(repeating: 0, count: out.count); return }
            if batch == 1 {
                parallelGemm(transposeA, transposeB, rowsA, n, k, T(1), pa, lda, pb, ldb, T(0), pc, n)
            } else {
                let strideA = m * k, strideB = k * n, strideC = m * n
                func product(_ i: Int) {
                    gemm(transposeA, transposeB, m, n, k, T(1), pa + i * strideA, lda, pb + i * strideB, ldb, T(0), pc + i * strideC, n)
                }
                if batch * m * n * k < Parallel.productGrain {
                    for i in 0..<batch { product(i) }
                } else {
                    Parallel.forEach(batch, product)
                }
            }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }

        out.record("matmul", inputs: [a, b]) { g in
            var dA: Tensor? = nil, dB: Tensor? = nil
            if a.requiresGrad {
                dA = transposeA ? b.matmul(g, transposeA: transposeB, transposeB: true)
                                : g.matmul(b, transposeB: !transposeB)
            }
            if b.requiresGrad {
                if flatRows {
                    // Reduce over every row of A at once: [K, rows]·[rows, N] (or its transpose).
                    let a2 = a.reshaped([rowsA, k]), g2 = g.reshaped([rowsA, n])
                    dB = transposeB ? g2.matmul(a2, transposeA: true) : a2.matmul(g2, transposeA: true)
                } else {
                    dB = transposeB ? g.matmul(a, transposeA: true, transposeB: transposeA)
                                    : a.matmul(g, transposeA: !transposeA)
                }
            }
            return [dA, dB]
        }
        return out
    }
}
