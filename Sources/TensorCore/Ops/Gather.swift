// Row gather (embedding lookup) and its VJP, a scatter-add into the table.
//
// Shapes: table [N, D], indices: n = Π shape values in 0..<N or -1, out [shape..., D].
// Forward: out[i] = table[indices[i]] (a zero row for -1).
// Backward: dTable[indices[i]] += dOut[i]; repeated indices sum, -1 contributes nothing.

/// Elements below which a gather or scatter runs on one thread.
private let gatherGrain = 1 << 16

private func gatherKernel<T: TensorScalar>(_ table: UnsafePointer<T>, _ indices: UnsafePointer<Int32>, _ n: Int,
                                           _ d: Int, _ out: UnsafeMutablePointer<T>) {
    Parallel.forRanges(n, minChunk: Swift.max(1, gatherGrain / Swift.max(d, 1))) { r in
        for i in r {
            let index = Int(indices[i])
            if index < 0 { (out + i * d).update(repeating: 0, count: d) } else { (out + i * d).update(from: table + index * d, count: d) }
        }
    }
}

/// dTable[indices[i], columns] += g[i, columns]. Threads take disjoint column ranges and
/// walk every index in order, so repeated indices never race and the sum order is fixed.
private func scatterAddKernel<T: TensorScalar>(_ g: UnsafePointer<T>, _ indices: UnsafePointer<Int32>, _ n: Int,
                                               _ d: Int, _ dTable: UnsafeMutablePointer<T>) {
    Parallel.forRanges(d, minChunk: Swift.max(1, gatherGrain / Swift.max(n, 1))) { columns in
        for i in 0..<n {
            let index = Int(indices[i])
            if index < 0 { continue }
            let src = g + i * d, dst = dTable + index * d
            for j in columns { dst[j] += src[j] }
        }
    }
}

extension Tensor {
    /// Rows of this `[N, D]` table picked by `indices`, shaped `[shape..., D]`
    /// (embedding lookup). Index -1 gives a zero row (padding); the gradient is
    /// scatter-added into the table, summing over repeated indices.
    ///
    /// ```swift
    /// let embedding = Tensor.randn([vocab, d], std: 0.02, rng: &rng).requiringGrad()
    /// let x = embedding.gatherRows(tokenIDs, shape: [B, L])   // [B, L, d]
    /// ```
    public func gatherRows(_ indices: [Int32], shape outShape: [Int]) -> Tensor {
        if let message = ShapeCheck.gatherRows(table: shape, indices: indices, shape: outShape) {
            preconditionFailure(message)
        }
        let d = shape[1], n = indices.count
        var out = Tensor.empty(outShape + [d], dtype: dtype)
        if out.count > 0 {
            indices.withUnsafeBufferPointer { idx in
                switch dtype {
                case .float32: gatherKernel(pointer(Float.self), idx.baseAddress!, n, d, out.mutablePointer(Float.self))
                case .float64: gatherKernel(pointer(Double.self), idx.baseAddress!, n, d, out.mutablePointer(Double.self))
                }
            }
        }
        let tableShape = shape
        out.record("gatherRows", inputs: [self]) { g in
            let dTable = Tensor.zeros(tableShape, dtype: g.dtype)
            if g.count > 0 {
                indices.withUnsafeBufferPointer { idx in
                    switch g.dtype {
                    case .float32: scatterAddKernel(g.pointer(Float.self), idx.baseAddress!, n, d, dTable.mutablePointer(Float.self))
                    case .float64: scatterAddKernel(g.pointer(Double.self), idx.baseAddress!, n, d, dTable.mutablePointer(Double.self))
                    }
                }
            }
            return [dTable]
        }
        return out
    }
}
