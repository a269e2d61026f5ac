// Reductions over chosen axes: sum, mean, max (with its arg-max for the VJP).
//
// Shapes: x [d0, …, dn−1]; out has the reduced axes removed (or kept as 1 with keepDims).
// A `ReductionPlan` merges adjacent axes of the same kind (kept / reduced) and drops
// size-1 axes, so every reduction becomes: for each outer kept position o, for each
// combination c of outer reduced axes, one contiguous run of `inner` elements at
// x + keptOffsets[o] + reducedOffsets[c] that is either summed into one value
// (innermost group reduced) or added element-wise into an output row (innermost kept).

/// Geometry of one reduction; see the file header.
struct ReductionPlan {
    /// Extent of the innermost merged axis group (contiguous in x).
    let inner: Int
    /// Whether the innermost group is reduced (else it is kept and becomes the output row).
    let innerReduced: Bool
    /// Offset in x of every outer kept position, row-major over the kept axes.
    let keptOffsets: [Int]
    /// Offset in x of every combination of the outer reduced axes, row-major (so the
    /// kernels visit the elements of one group in increasing flat index).
    let reducedOffsets: [Int]

    /// Output elements per outer kept position.
    var outInner: Int { innerReduced ? 1 : inner }

    init(shape: [Int], reduced: Set<Int>) {
        var dims: [Int] = [], isReduced: [Bool] = []
        for (a, e) in shape.enumerated() where e != 1 {
            let r = reduced.contains(a)
            if isReduced.last == r { dims[dims.count - 1] *= e } else { dims.append(e); isReduced.append(r) }
        }
        if dims.isEmpty { dims = [1]; isReduced = [false] }
        var strides = [Int](repeating: 1, count: dims.count)
        for i in stride(from: dims.count - 2, through: 0, by: -1) { strides[i] = strides[i + 1] * dims[i + 1] }
        var kept = [0], red = [0]
        for i in 0..<dims.count - 1 {
            let previous = isReduced[i] ? red : kept
            var expanded: [Int] = []
            expanded.reserveCapacity(previous.count * dims[i])
            for o in previous { for k in 0..<dims[i] { expanded.append(o + k * strides[i]) } }
            if isReduced[i] { red = expanded } else { kept = expanded }
        }
        inner = dims[dims.count - 1]
        innerReduced = isReduced[isReduced.count - 1]
        keptOffsets = kept
        reducedOffsets = red
    }
}

/// Work (input elements) below which a reduction runs on one thread.
private let reductionGrain = Parallel.elementGrain

/// Σ p[0..<n] with four independent accumulators (shorter dependency chains, less round-off).
@inline(__always)
private func contiguousSum<T: TensorScalar>(_ p: UnsafePointer<T>, _ n: Int) -> T {
    var s0 = T(0), s1 = T(0), s2 = T(0), s3 = T(0)
    var j = 0
    while j + 4 <= n { s0 += p[j]; s1 += p[j + 1]; s2 += p[j + 2]; s3 += p[j + 3]; j += 4 }
    while j < n { s0 += p[j]; j += 1 }
    return (s0 + s1) + (s2 + s3)
}

/// y[o] (or y[o·inner + j]) = Σ over reduced combinations `combos`, for outer kept positions `outer`.
private func sumKernel<T: TensorScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ plan: ReductionPlan,
                                        outer: Range<Int>, combos: Range<Int>) {
    let inner = plan.inner
    plan.keptOffsets.withUnsafeBufferPointer { kept in
        plan.reducedOffsets.withUnsafeBufferPointer { red in
            for o in outer {
                let base = x + kept[o]
                if plan.innerReduced {
                    var s = T(0)
                    for c in combos { s += contiguousSum(base + red[c], inner) }
                    y[o] = s
                } else {
                    let row = y + o * inner
                    row.update(repeating: 0, count: inner)
                    for c in combos {
                        let px = base + red[c]
                        for j in 0..<inner { row[j] += px[j] }
                    }
                }
            }
        }
    }
}

/// Like `sumKernel` with max; `arg` receives the flat index in x of the first maximum
/// (NaN counts as the maximum, so it propagates).
private func maxKernel<T: TensorScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ arg: UnsafeMutablePointer<Int>,
                                        _ plan: ReductionPlan, outer: Range<Int>, combos: Range<Int>) {
    let inner = plan.inner
    plan.keptOffsets.withUnsafeBufferPointer { kept in
        plan.reducedOffsets.withUnsafeBufferPointer { red in
            for o in outer {
                let base = kept[o]
                if plan.innerReduced {
                    var best = x[base + red[combos.lowerBound]], at = base + red[combos.lowerBound]
                    for c in combos {
                        let start = base + red[c]
                        for j in 0..<inner {
                            let v = x[start + j]
                            if v > best || (v.isNaN && !best.isNaN) { best = v; at = start + j }
                        }
                    }
                    y[o] = best; arg[o] = at
                } else {
                    let row = y + o * inner, rowArg = arg + o * inner
                    let first = base + red[combos.lowerBound]
                    for j in 0..<inner { row[j] = x[first + j]; rowArg[j] = first + j }
                    for c in combos.dropFirst() {
                        let start = base + red[c]
                        for j in 0..<inner {
                            let v = x[start + j], best = row[j]
                            if v > best || (v.isNaN && !best.isNaN) { row[j] = v; rowArg[j] = start + j }
                        }
                    }
                }
            }
        }
    }
}

/// How a reduction is split over threads. With several outer positions each thread takes a
/// range of them; with a single one (a full reduction, a column sum) the reduced
/// combinations are cut into fixed blocks whose partial results are combined in block
/// order, so the result does not depend on the thread count.
private enum ReductionSchedule {
    case serial
    case outer(minChunk: Int)
    case blocks(perBlock: Int, count: Int)

    init(_ plan: ReductionPlan, work: Int) {
        let outerCount = plan.keptOffsets.count, comboCount = plan.reducedOffsets.count
        if work <= 2 * reductionGrain || (outerCount == 1 && comboCount == 1) {
            self = .serial
        } else if outerCount > 1 {
            self = .outer(minChunk: Swift.max(1, reductionGrain * outerCount / work))
        } else {
            let perBlock = Swift.max(1, reductionGrain / plan.inner)
            self = .blocks(perBlock: perBlock, count: (comboCount + perBlock - 1) / perBlock)
        }
    }
}

/// `sumKernel` over the whole plan, scheduled by `ReductionSchedule`.
private func sumDriver<T: TensorScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ plan: ReductionPlan, work: Int) {
    let all = 0..<plan.reducedOffsets.count
    switch ReductionSchedule(plan, work: work) {
    case .serial:
        sumKernel(x, y, plan, outer: 0..<plan.keptOffsets.count, combos: all)
    case .outer(let minChunk):
        Parallel.forRanges(plan.keptOffsets.count, minChunk: minChunk) { r in sumKernel(x, y, plan, outer: r, combos: all) }
    case .blocks(let perBlock, let blockCount):
        let width = plan.outInner
        let partial = UnsafeMutablePointer<T>.allocate(capacity: blockCount * width)
        defer { partial.deallocate() }
        Parallel.forEach(blockCount) { b in
            sumKernel(x, partial + b * width, plan, outer: 0..<1, combos: b * perBlock..<Swift.min(all.upperBound, (b + 1) * perBlock))
        }
        for j in 0..<width { y[j] = partial[j] }
        for b in 1..<blockCount { for j in 0..<width { y[j] += partial[b * width + j] } }
    }
}

/// `maxKernel` over the whole plan, scheduled by `ReductionSchedule`.
private func maxDriver<T: TensorScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ arg: UnsafeMutablePointer<Int>,
                                        _ plan: ReductionPlan, work: Int) {
    let all = 0..<plan.reducedOffsets.count
    switch ReductionSchedule(plan, work: work) {
    case .serial:
        maxKernel(x, y, arg, plan, outer: 0..<plan.keptOffsets.count, combos: all)
    case .outer(let minChunk):
        Parallel.forRanges(plan.keptOffsets.count, minChunk: minChunk) { r in maxKernel(x, y, arg, plan, outer: r, combos: all) }
    case .blocks(let perBlock, let blockCount):
        let width = plan.outInner
        let value = UnsafeMutablePointer<T>.allocate(capacity: blockCount * width)
        let at = UnsafeMutablePointer<Int>.allocate(capacity: blockCount * width)
        defer { value.deallocate(); at.deallocate() }
        Parallel.forEach(blockCount) { b in
            maxKernel(x, value + b * width, at + b * width, plan, outer: 0..<1,
                      combos: b * perBlock..<Swift.min(all.upperBound, (b + 1) * perBlock))
        }
        // Blocks are in flat-index order, so a strict > keeps the first maximum.
        for j in 0..<width { y[j] = value[j]; arg[j] = at[j] }
        for b in 1..<blockCount {
            for j in 0..<width {
                let v = value[b * width + j], best = y[j]
                if v > best || (v.isNaN && !best.isNaN) { y[j] = v; arg[j] = at[b * width + j] }
            }
        }
    }
}

extension Tensor {
    /// Resolved reduction axes, the keepDims and squeezed output shapes, and the number of
    /// elements reduced into each output.
    fileprivate func reductionShapes(_ axes: [Int]) -> (axes: Set<Int>, kept: [Int], out: [Int], reducedCount: Int) {
        let resolved = Set(axes.map { resolveAxis($0, rank: rank) })
        var kept = shape, out: [Int] = [], n = 1
        for a in 0..<rank {
            if resolved.contains(a) { kept[a] = 1; n *= shape[a] } else { out.append(shape[a]) }
        }
        return (resolved, kept, out, n)
    }

    /// Sum over `axes` (negative axes count from the end).
    ///
    /// `x: [B, L, D]` → `x.sum(axes: [-1]): [B, L]`, `x.sum(axes: [1], keepDims: true): [B, 1, D]`.
    public func sum(axes: [Int], keepDims: Bool = false) -> Tensor {
        if let message = ShapeCheck.reduceAxes("sum", shape, axes: axes) { preconditionFailure(message) }
        let geo = reductionShapes(axes)
        var out = reduceSum(geo.axes, outShape: keepDims ? geo.kept : geo.out, scale: 1)
        let from = shape, kept = geo.kept
        out.record("sum", inputs: [self]) { g in [g.reshaped(kept).broadcast(to: from)] }
        return out
    }

    /// Sum of every element, as a scalar (shape `[]`).
    public func sum() -> Tensor { sum(axes: Array(0..<rank)) }

    /// Mean over `axes` (negative axes count from the end).
    ///
    /// `x: [B, L, D]` → `x.mean(axes: [1]): [B, D]`.
    public func mean(axes: [Int], keepDims: Bool = false) -> Tensor {
        if let message = ShapeCheck.reduceAxes("mean", shape, axes: axes) { preconditionFailure(message) }
        let geo = reductionShapes(axes)
        let scale = 1 / Double(geo.reducedCount)
        var out = reduceSum(geo.axes, outShape: keepDims ? geo.kept : geo.out, scale: scale)
        let from = shape, kept = geo.kept
        out.record("mean", inputs: [self]) { g in [g.reshaped(kept).scaled(by: scale).broadcast(to: from)] }
        return out
    }

    /// Mean of every element, as a scalar (shape `[]`).
    public func mean() -> Tensor { mean(axes: Array(0..<rank)) }

    /// Maximum over `axes` (negative axes count from the end). The gradient flows to the
    /// first maximal element of each group (lowest flat index), as in PyTorch's `amax` VJP
    /// restricted to one winner.
    ///
    /// `scores: [B, P]` → `scores.max(axes: [1]): [B]`.
    public func max(axes: [Int], keepDims: Bool = false) -> Tensor {
        if let message = ShapeCheck.maxReduction(shape, axes: axes) { preconditionFailure(message) }
        let geo = reductionShapes(axes)
        var out = Tensor.empty(keepDims ? geo.kept : geo.out, dtype: dtype)
        var argmax = [Int](repeating: 0, count: out.count)
        if out.count > 0 {
            let plan = ReductionPlan(shape: shape, reduced: geo.axes)
            func run<T: TensorScalar>(_: T.Type) {
                argmax.withUnsafeMutableBufferPointer { arg in
                    maxDriver(pointer(T.self), out.mutablePointer(T.self), arg.baseAddress!, plan, work: count)
                }
            }
            switch dtype {
            case .float32: run(Float.self)
            case .float64: run(Double.self)
            }
        }
        let from = shape, winners = argmax
        out.record("max", inputs: [self]) { g in [Tensor.scatter(g, into: from, at: winners)] }
        return out
    }

    /// `log Σ exp(x)` over `axis` (dropped from the shape), computed stably as
    /// `m + log Σ exp(x − m)` with `m` the (constant) maximum along the axis. The gradient is
    /// `softmax(x)` along the axis. Entries of −1e9 act as absent.
    public func logSumExp(axis: Int) -> Tensor {
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < rank, "logSumExp: axis \(axis) out of range for shape \(shape)")
        let m = max(axes: [a], keepDims: true).detached()
        var reduced = shape
        reduced.remove(at: a)
        return ((self - m).exp().sum(axes: [a], keepDims: true).log() + m).reshaped(reduced)
    }

    /// Sum (times `scale`) over `axes` into a new tensor of `outShape`.
    private func reduceSum(_ axes: Set<Int>, outShape: [Int], scale: Double) -> Tensor {
        let out = Tensor.empty(outShape, dtype: dtype)
        if out.count == 0 { return out }
        if count == 0 { return Tensor.full(outShape, 0 * scale, dtype: dtype) }
        let plan = ReductionPlan(shape: shape, reduced: axes)
        func run<T: TensorScalar>(_: T.Type) {
            let y = out.mutablePointer(T.self)
            sumDriver(pointer(T.self), y, plan, work: count)
            if scale != 1 { for i in 0..<out.count { y[i] *= T(scale) } }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        return out
    }

    /// A zero tensor of `shape` with `g`'s elements added at flat positions `positions`
    /// (the VJP of picking one element per output).
    static func scatter(_ g: Tensor, into shape: [Int], at positions: [Int]) -> Tensor {
        let dx = Tensor.zeros(shape, dtype: g.dtype)
        func run<T: TensorScalar>(_: T.Type) {
            let src = g.pointer(T.self), dst = dx.mutablePointer(T.self)
            for (i, p) in positions.enumerated() { dst[p] += src[i] }
        }
        switch g.dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        return dx
    }
}
