// Row gather (embedding lookup) and its VJP, a scatter-add into the table.
//
// Shapes: table [N, D], indices: n = Π shape values in 0..<N or -1, out [shape..., D].
// Forward: out[i] = table[indices[i]] (a zero row for -1).
// Backward: dTable[indices[i]] += dOut[i]; repeated indices sum, -1 contributes nothing.

/// Elements below which a gather or scatter runs on one thread.
private let gatherGrain = Parallel.elementGrain

private func gatherKernel<T: TensorScalar>(_ table: UnsafePointer<T>, _ indices: UnsafePointer<Int32>, _ n: Int,
                                           _ d: Int, _ out: UnsafeMutablePointer<T>) {
    Parallel.forRanges(n, minChunk: Swift.max(1, gatherGrain / Swift.max(d, 1))) { r in
        for i in r {
            let index = Int(indices[i])
            if index < 0 { (out + i * d).update(repeating: 0, count: d) } else { (out + i * d).update(from: table + index * d, count: d) }
        }
    }
}

/// out[i] = a[ia[i]] + b[ib[i]] (a zero term for index -1; `ia` nil: row i of `a`).
private func gatherSumKernel<T: TensorScalar>(_ a: UnsafePointer<T>, _ ia: UnsafePointer<Int32>?, _ b: UnsafePointer<T>,
                                              _ ib: UnsafePointer<Int32>, _ n: Int, _ d: Int, _ out: UnsafeMutablePointer<T>) {
    Parallel.forRanges(n, minChunk: Swift.max(1, gatherGrain / Swift.max(d, 1))) { r in
        for i in r {
            let x = ia.map { Int($0[i]) } ?? i, y = Int(ib[i])
            let o = out + i * d
            switch (x >= 0, y >= 0) {
            case (true, true):
                let pa = a + x * d, pb = b + y * d
                for j in 0..<d { o[j] = pa[j] + pb[j] }
            case (true, false): o.update(from: a + x * d, count: d)
            case (false, true): o.update(from: b + y * d, count: d)
            case (false, false): o.update(repeating: 0, count: d)
            }
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

    /// `first.gatherRows(firstIndices) + second.gatherRows(secondIndices)` in one pass, shaped
    /// `[shape..., D]`: one output buffer instead of three. `firstIndices` nil reads row i of
    /// `first` for output row i. Index -1 is a zero term; gradients scatter-add into both tables.
    ///
    /// ```swift
    /// // a factored memory's projected slots: projected rows plus projected page-embedding rows
    /// let keys = Tensor.gatherRowsSum(projectedRows, rowOfSlot, projectedTable, tableIndex, shape: [B * M])
    /// ```
    public static func gatherRowsSum(_ first: Tensor, _ firstIndices: [Int32]?, _ second: Tensor, _ secondIndices: [Int32],
                                     shape outShape: [Int]) -> Tensor {
        let n = secondIndices.count
        if let message = ShapeCheck.gatherRows(table: second.shape, indices: secondIndices, shape: outShape)
            ?? (firstIndices.map { ShapeCheck.gatherRows(table: first.shape, indices: $0, shape: outShape) }
                ?? (first.rank == 2 && first.shape[0] == n ? nil : "gatherRowsSum: first table \(first.shape) is not [\(n), D]")) {
            preconditionFailure(message)
        }
        precondition(first.shape[1] == second.shape[1] && first.dtype == second.dtype,
                     "gatherRowsSum: tables \(first.shape) \(first.dtype) and \(second.shape) \(second.dtype) differ in width or dtype")
        let d = second.shape[1]
        var out = Tensor.empty(outShape + [d], dtype: second.dtype)
        func forward<T: TensorScalar>(_: T.Type) {
            secondIndices.withUnsafeBufferPointer { ib in
                if let firstIndices {
                    firstIndices.withUnsafeBufferPointer { ia in
                        gatherSumKernel(first.pointer(T.self), ia.baseAddress!, second.pointer(T.self), ib.baseAddress!, n, d, out.mutablePointer(T.self))
                    }
                } else {
                    gatherSumKernel(first.pointer(T.self), nil, second.pointer(T.self), ib.baseAddress!, n, d, out.mutablePointer(T.self))
                }
            }
        }
        if n > 0 { if second.dtype == .float32 { forward(Float.self) } else { forward(Double.self) } }
        let firstShape = first.shape, secondShape = second.shape
        let needFirst = first.requiresGrad, needSecond = second.requiresGrad
        out.record("gatherRowsSum", inputs: [first, second]) { g in
            func scatter(_ indices: [Int32], into shape: [Int]) -> Tensor {
                let dTable = Tensor.zeros(shape, dtype: g.dtype)
                guard g.count > 0 else { return dTable }
                indices.withUnsafeBufferPointer { idx in
                    switch g.dtype {
                    case .float32: scatterAddKernel(g.pointer(Float.self), idx.baseAddress!, n, d, dTable.mutablePointer(Float.self))
                    case .float64: scatterAddKernel(g.pointer(Double.self), idx.baseAddress!, n, d, dTable.mutablePointer(Double.self))
                    }
                }
                return dTable
            }
            func firstGradient() -> Tensor {
                guard let firstIndices else { return g.reshaped(firstShape) }
                // When no row of `first` is read twice (a factored memory: each summary row has
                // one slot), its gradient is a gather of the output gradient: no zero fill, no scatter.
                if let source = Self.inverseIfInjective(firstIndices, rows: firstShape[0]) {
                    return g.reshaped([n, d]).gatherRows(source, shape: [firstShape[0]])
                }
                return scatter(firstIndices, into: firstShape)
            }
            let dFirst = needFirst ? firstGradient() : nil
            return [dFirst, needSecond ? scatter(secondIndices, into: secondShape) : nil]
        }
        return out
    }

    /// For indices that name each of `rows` rows at most once, the position naming each row
    /// (−1 for a row none names); nil when some row is named twice.
    static func inverseIfInjective(_ indices: [Int32], rows: Int) -> [Int32]? {
        var inverse = [Int32](repeating: -1, count: rows)
        for (position, index) in indices.enumerated() where index >= 0 {
            if inverse[Int(index)] >= 0 { return nil }
            inverse[Int(index)] = Int32(position)
        }
        return inverse
    }
}
