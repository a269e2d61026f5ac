// Shape ops that move elements: transpose / permute, concat, split, slice. Every result
// is a contiguous copy; the VJPs move the gradient back (inverse permutation, slices of
// the gradient, a scatter into zeros).
//
// Shapes: x [d0, …, dn−1]. Along one axis a tensor is viewed as [outer, extent, inner]
// with outer = d0·…·d(axis−1) and inner = d(axis+1)·…·dn−1, so concat / slice are
// copies of contiguous blocks of `extent·inner` elements per outer index.

/// Elements below which a copy runs on one thread.
private let copyGrain = Parallel.elementGrain

/// Copies `rows` blocks of `width` elements: block r from src + r·srcStride to dst + r·dstStride.
private func copyBlocks<T: TensorScalar>(_ src: UnsafePointer<T>, srcStride: Int, _ dst: UnsafeMutablePointer<T>, dstStride: Int,
                                         rows: Int, width: Int) {
    if rows == 0 || width == 0 { return }
    Parallel.forRanges(rows, minChunk: Swift.max(1, copyGrain / width)) { r in
        for row in r { (dst + row * dstStride).update(from: src + row * srcStride, count: width) }
    }
}

/// y (contiguous, axes `dims`) = x read with element strides `strides` per output axis.
/// The last axis is the inner loop; the others advance like an odometer.
private func permuteKernel<T: TensorScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, dims: [Int], strides: [Int]) {
    let rank = dims.count
    let inner = dims[rank - 1], innerStride = strides[rank - 1]
    let outer = dims.dropLast().reduce(1, *)
    Parallel.forRanges(outer, minChunk: Swift.max(1, copyGrain / Swift.max(inner, 1))) { rows in
        var coord = [Int](repeating: 0, count: rank - 1)
        var rest = rows.lowerBound, offset = 0
        for axis in stride(from: rank - 2, through: 0, by: -1) {
            coord[axis] = rest % dims[axis]; rest /= dims[axis]
            offset += coord[axis] * strides[axis]
        }
        for row in rows {
            let px = x + offset, py = y + row * inner
            if innerStride == 1 {
                py.update(from: px, count: inner)
            } else {
                for j in 0..<inner { py[j] = px[j * innerStride] }
            }
            var axis = rank - 2
            while axis >= 0 {
                coord[axis] += 1; offset += strides[axis]
                if coord[axis] < dims[axis] { break }
                offset -= dims[axis] * strides[axis]
                coord[axis] = 0
                axis -= 1
            }
        }
    }
}

extension Tensor {
    /// `[outer, extent, inner]` of this tensor around a resolved `axis`.
    fileprivate func blocks(around axis: Int) -> (outer: Int, extent: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }

    /// The axes reordered: result axis i is axis `axes[i]` of `self` (a copy).
    ///
    /// `x: [B, L, H, Dh]` → `x.permuted([0, 2, 1, 3]): [B, H, L, Dh]`.
    public func permuted(_ axes: [Int]) -> Tensor {
        if let message = ShapeCheck.permute(shape, axes: axes) { preconditionFailure(message) }
        let perm = axes.map { resolveAxis($0, rank: rank) }
        var out = Tensor.empty(perm.map { shape[$0] }, dtype: dtype)
        if count > 0 {
            var inStrides = [Int](repeating: 1, count: rank)
            for i in stride(from: rank - 2, through: 0, by: -1) { inStrides[i] = inStrides[i + 1] * shape[i + 1] }
            // Output axes in order, size-1 axes dropped, neighbours merged when they are
            // also neighbours (in the same order) in the input.
            var dims: [Int] = [], strides: [Int] = []
            for p in perm where shape[p] != 1 {
                if let last = strides.last, last == inStrides[p] * shape[p] {
                    dims[dims.count - 1] *= shape[p]; strides[strides.count - 1] = inStrides[p]
                } else {
                    dims.append(shape[p]); strides.append(inStrides[p])
                }
            }
            if dims.isEmpty { dims = [1]; strides = [1] }
            switch dtype {
            case .float32: permuteKernel(pointer(Float.self), out.mutablePointer(Float.self), dims: dims, strides: strides)
            case .float64: permuteKernel(pointer(Double.self), out.mutablePointer(Double.self), dims: dims, strides: strides)
            }
        }
        var inverse = [Int](repeating: 0, count: rank)
        for (i, p) in perm.enumerated() { inverse[p] = i }
        out.record("permute", inputs: [self]) { g in [g.permuted(inverse)] }
        return out
    }

    /// Axes `a` and `b` swapped (a copy; negative axes count from the end).
    ///
    /// `k: [B, L, D]` → `k.transposed(-1, -2): [B, D, L]`.
    public func transposed(_ a: Int, _ b: Int) -> Tensor {
        for axis in [a, b] {
            if let message = ShapeCheck.axis("transpose", shape, axis: axis) { preconditionFailure(message) }
        }
        var perm = Array(0..<rank)
        perm.swapAt(resolveAxis(a, rank: rank), resolveAxis(b, rank: rank))
        return permuted(perm)
    }

    /// The tensors joined along `axis`; every other extent must agree.
    ///
    /// `[B, K, D]` and `[B, L, D]` → `Tensor.concat([s, x], axis: 1): [B, K+L, D]`.
    public static func concat(_ ts: [Tensor], axis: Int) -> Tensor {
        if let message = ShapeCheck.concat(ts.map(\.shape), axis: axis) { preconditionFailure(message) }
        let dtype = ts[0].dtype
        precondition(ts.allSatisfy { $0.dtype == dtype }, "concat: dtypes \(ts.map(\.dtype)) differ")
        let a = resolveAxis(axis, rank: ts[0].rank)
        let sizes = ts.map { $0.shape[a] }
        var outShape = ts[0].shape
        outShape[a] = sizes.reduce(0, +)
        var out = Tensor.empty(outShape, dtype: dtype)
        let (outer, extent, inner) = out.blocks(around: a)
        func run<T: TensorScalar>(_: T.Type) {
            var start = 0
            for (t, size) in zip(ts, sizes) {
                copyBlocks(t.pointer(T.self), srcStride: size * inner, out.mutablePointer(T.self) + start * inner,
                           dstStride: extent * inner, rows: outer, width: size * inner)
                start += size
            }
        }
        if out.count > 0 {
            switch dtype {
            case .float32: run(Float.self)
            case .float64: run(Double.self)
            }
        }
        let needsGrad = ts.map(\.requiresGrad)
        out.record("concat", inputs: ts) { g in
            var start = 0
            return zip(sizes, needsGrad).map { size, needed in
                defer { start += size }
                return needed ? g.slice(axis: a, start..<start + size) : nil
            }
        }
        return out
    }

    /// Consecutive pieces along `axis` with extents `sizes` (copies); `sizes` must add up to
    /// the extent of `axis`.
    ///
    /// `qkv: [B, L, 3D]` → `qkv.split(sizes: [D, D, D], axis: -1)`: three `[B, L, D]`.
    public func split(sizes: [Int], axis: Int) -> [Tensor] {
        if let message = ShapeCheck.split(shape, sizes: sizes, axis: axis) { preconditionFailure(message) }
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return slice(axis: axis, start..<start + size)
        }
    }

    /// Elements `range` along `axis` (a copy; the VJP scatters into zeros).
    ///
    /// `x: [B, L, D]` → `x.slice(axis: 1, 0..<K): [B, K, D]`.
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        if let message = ShapeCheck.slice(shape, axis: axis, range: range) { preconditionFailure(message) }
        let a = resolveAxis(axis, rank: rank)
        var outShape = shape
        outShape[a] = range.count
        var out = Tensor.empty(outShape, dtype: dtype)
        let (outer, extent, inner) = blocks(around: a)
        let lower = range.lowerBound, width = range.count * inner
        if out.count > 0 {
            switch dtype {
            case .float32:
                copyBlocks(pointer(Float.self) + lower * inner, srcStride: extent * inner, out.mutablePointer(Float.self),
                           dstStride: width, rows: outer, width: width)
            case .float64:
                copyBlocks(pointer(Double.self) + lower * inner, srcStride: extent * inner, out.mutablePointer(Double.self),
                           dstStride: width, rows: outer, width: width)
            }
        }
        let from = shape
        out.record("slice", inputs: [self]) { g in
            let dx = Tensor.zeros(from, dtype: g.dtype)
            if g.count > 0 {
                switch g.dtype {
                case .float32:
                    copyBlocks(g.pointer(Float.self), srcStride: width, dx.mutablePointer(Float.self) + lower * inner,
                               dstStride: extent * inner, rows: outer, width: width)
                case .float64:
                    copyBlocks(g.pointer(Double.self), srcStride: width, dx.mutablePointer(Double.self) + lower * inner,
                               dstStride: extent * inner, rows: outer, width: width)
                }
            }
            return [dx]
        }
        return out
    }
}
