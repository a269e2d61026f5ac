// Broadcasting binary ops (add, sub, mul, div) and their reduction back to an input's
// shape (`sumToShape`), the VJP of broadcasting.
//
// Both kernels first collapse adjacent axes that broadcast the same way, so that
// `[B, L, D] + [D]` runs as `[B·L, D] + [1, D]`: an outer loop over rows and a
// contiguous inner loop with input strides 0 or 1.

enum BinaryOp { case add, sub, mul, div }

/// Axes of one broadcast, merged where neither input changes its broadcast status.
struct CollapsedBroadcast {
    var dims: [Int] = []
    var stridesA: [Int] = []
    var stridesB: [Int] = []

    init(out: [Int], a: [Int], b: [Int]) {
        let rank = out.count
        let pa = [Int](repeating: 1, count: rank - a.count) + a
        let pb = [Int](repeating: 1, count: rank - b.count) + b
        var lastKind = -1
        for i in 0..<rank where out[i] != 1 {
            let kind = (pa[i] == 1 ? 0 : 1) | (pb[i] == 1 ? 0 : 2)
            if kind == lastKind {
                dims[dims.count - 1] *= out[i]
            } else {
                dims.append(out[i]); stridesA.append(kind & 1); stridesB.append(kind >> 1)
                lastKind = kind
            }
        }
        if dims.isEmpty { dims = [1]; stridesA = [1]; stridesB = [1] }
        // Turn per-axis "present" flags into element strides (row-major over collapsed dims).
        var sa = 1, sb = 1
        for i in stride(from: dims.count - 1, through: 0, by: -1) {
            let presentA = stridesA[i], presentB = stridesB[i]
            stridesA[i] = presentA == 1 ? sa : 0
            stridesB[i] = presentB == 1 ? sb : 0
            if presentA == 1 { sa *= dims[i] }
            if presentB == 1 { sb *= dims[i] }
        }
    }
}

/// One binary op as a type, so that each kernel is specialised for it: with the op a runtime
/// value, the element loop dispatched on it at every element and stayed scalar.
private protocol ElementwiseBinary {
    static func apply<T: TensorScalar>(_ x: T, _ y: T) -> T
}
private enum AddElements: ElementwiseBinary { @inline(__always) static func apply<T: TensorScalar>(_ x: T, _ y: T) -> T { x + y } }
private enum SubtractElements: ElementwiseBinary { @inline(__always) static func apply<T: TensorScalar>(_ x: T, _ y: T) -> T { x - y } }
private enum MultiplyElements: ElementwiseBinary { @inline(__always) static func apply<T: TensorScalar>(_ x: T, _ y: T) -> T { x * y } }
private enum DivideElements: ElementwiseBinary { @inline(__always) static func apply<T: TensorScalar>(_ x: T, _ y: T) -> T { x / y } }

private func binaryKernel<T: TensorScalar>(_ op: BinaryOp, _ a: UnsafePointer<T>, _ b: UnsafePointer<T>,
                                           _ c: UnsafeMutablePointer<T>, _ geo: CollapsedBroadcast) {
    switch op {
    case .add: binaryKernel(AddElements.self, a, b, c, geo)
    case .sub: binaryKernel(SubtractElements.self, a, b, c, geo)
    case .mul: binaryKernel(MultiplyElements.self, a, b, c, geo)
    case .div: binaryKernel(DivideElements.self, a, b, c, geo)
    }
}

private func binaryKernel<T: TensorScalar, Op: ElementwiseBinary>(_: Op.Type, _ a: UnsafePointer<T>, _ b: UnsafePointer<T>,
                                                                   _ c: UnsafeMutablePointer<T>, _ geo: CollapsedBroadcast) {
    let rank = geo.dims.count
    let inner = geo.dims[rank - 1]
    let ia = geo.stridesA[rank - 1], ib = geo.stridesB[rank - 1]
    let outer = geo.dims.dropLast().reduce(1, *)
    Parallel.forRanges(outer, minChunk: max(1, Parallel.elementGrain / max(inner, 1))) { rows in
        // Decompose the first row index into per-axis coordinates, then step like an odometer.
        var coord = [Int](repeating: 0, count: max(rank - 1, 0))
        var rest = rows.lowerBound
        var offA = 0, offB = 0
        for axis in stride(from: rank - 2, through: 0, by: -1) {
            coord[axis] = rest % geo.dims[axis]; rest /= geo.dims[axis]
            offA += coord[axis] * geo.stridesA[axis]; offB += coord[axis] * geo.stridesB[axis]
        }
        for row in rows {
            let pa = a + offA, pb = b + offB, pc = c + row * inner
            switch (ia, ib) {
            case (1, 1): for j in 0..<inner { pc[j] = Op.apply(pa[j], pb[j]) }
            case (1, 0): let y = pb[0]; for j in 0..<inner { pc[j] = Op.apply(pa[j], y) }
            case (0, 1): let x = pa[0]; for j in 0..<inner { pc[j] = Op.apply(x, pb[j]) }
            default: let v = Op.apply(pa[0], pb[0]); for j in 0..<inner { pc[j] = v }
            }
            var axis = rank - 2
            while axis >= 0 {
                coord[axis] += 1; offA += geo.stridesA[axis]; offB += geo.stridesB[axis]
                if coord[axis] < geo.dims[axis] { break }
                offA -= geo.dims[axis] * geo.stridesA[axis]; offB -= geo.dims[axis] * geo.stridesB[axis]
                coord[axis] = 0
                axis -= 1
            }
        }
    }
}

extension Tensor {
    static func binary(_ op: BinaryOp, _ name: String, _ a: Tensor, _ b: Tensor) -> Tensor {
        let outShape: [Int]
        switch ShapeCheck.broadcast(name, a.shape, b.shape) {
        case .success(let s): outShape = s
        case .failure(let e): preconditionFailure(e.description)
        }
        precondition(a.dtype == b.dtype, "\(name): dtypes \(a.dtype) and \(b.dtype) differ")
        var out = Tensor.empty(outShape, dtype: a.dtype)
        if out.count > 0 {
            let geo = CollapsedBroadcast(out: outShape, a: a.shape, b: b.shape)
            switch a.dtype {
            case .float32: binaryKernel(op, a.pointer(Float.self), b.pointer(Float.self), out.mutablePointer(Float.self), geo)
            case .float64: binaryKernel(op, a.pointer(Double.self), b.pointer(Double.self), out.mutablePointer(Double.self), geo)
            }
        }
        out.record(name, inputs: [a, b]) { g in
            let sa = a.shape, sb = b.shape
            switch op {
            case .add:
                return [a.requiresGrad ? g.sumToShape(sa) : nil, b.requiresGrad ? g.sumToShape(sb) : nil]
            case .sub:
                return [a.requiresGrad ? g.sumToShape(sa) : nil, b.requiresGrad ? g.sumToShape(sb).scaled(by: -1) : nil]
            case .mul:
                return [a.requiresGrad ? (g * b).sumToShape(sa) : nil, b.requiresGrad ? (g * a).sumToShape(sb) : nil]
            case .div:
                return [a.requiresGrad ? (g / b).sumToShape(sa) : nil,
                        b.requiresGrad ? (g * a / (b * b)).sumToShape(sb).scaled(by: -1) : nil]
            }
        }
        return out
    }

    /// Element-wise sum with broadcasting.
    public func adding(_ other: Tensor) -> Tensor { Tensor.binary(.add, "add", self, other) }

    /// `self += other` (same shape and dtype) when no other tensor shares this one's storage;
    /// returns false, changing nothing, when one might (a view, a value saved for a VJP, a
    /// caller's copy). Not recorded on the tape: for gradient accumulation in `backward()`.
    mutating func addInPlaceIfUnshared(_ other: Tensor) -> Bool {
        guard other.shape == shape, other.dtype == dtype, isKnownUniquelyReferenced(&storage) else { return false }
        func add<T: TensorScalar>(_: T.Type) {
            let y = mutablePointer(T.self), x = other.pointer(T.self)
            Parallel.forRanges(count, minChunk: Parallel.elementGrain) { r in
                for i in r { y[i] += x[i] }
            }
        }
        switch dtype {
        case .float32: add(Float.self)
        case .float64: add(Double.self)
        }
        return true
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor { binary(.add, "add", a, b) }
    public static func - (a: Tensor, b: Tensor) -> Tensor { binary(.sub, "sub", a, b) }
    public static func * (a: Tensor, b: Tensor) -> Tensor { binary(.mul, "mul", a, b) }
    public static func / (a: Tensor, b: Tensor) -> Tensor { binary(.div, "div", a, b) }

    /// Sums `self` over the axes that broadcasting expanded from `target`
    /// (the VJP of broadcasting `target` up to `self.shape`).
    public func sumToShape(_ target: [Int]) -> Tensor {
        if target == shape { return self }
        precondition(target.count <= rank, "sumToShape: target \(target) has higher rank than \(shape)")
        var out = Tensor.zeros(target, dtype: dtype)
        if count > 0 {
            // Kept axes play "A" (stride into out) and every axis of self is present ("B").
            let padded = [Int](repeating: 1, count: rank - target.count) + target
            for (x, t) in zip(shape, padded) {
                precondition(t == x || t == 1, "sumToShape: shape \(shape) does not broadcast from \(target)")
            }
            let geo = CollapsedBroadcast(out: shape, a: target, b: shape)
            switch dtype {
            case .float32: reduceKernel(pointer(Float.self), out.mutablePointer(Float.self), geo)
            case .float64: reduceKernel(pointer(Double.self), out.mutablePointer(Double.self), geo)
            }
        }
        let from = shape
        out.record("sumToShape", inputs: [self]) { g in [g.broadcast(to: from)] }
        return out
    }

    /// `self` repeated along broadcast axes up to `shape` (a materialised copy).
    public func broadcast(to target: [Int]) -> Tensor {
        if target == shape { return self }
        return Tensor.binary(.add, "broadcast", self, Tensor.zeros(target, dtype: dtype))
    }
}

/// out[kept] += x over every element (out strides from `geo.stridesA`, x contiguous).
private func reduceKernel<T: TensorScalar>(_ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, _ geo: CollapsedBroadcast) {
    let rank = geo.dims.count
    let inner = geo.dims[rank - 1], io = geo.stridesA[rank - 1]
    let outer = geo.dims.dropLast().reduce(1, *)
    var coord = [Int](repeating: 0, count: max(rank - 1, 0))
    var offO = 0
    for row in 0..<outer {
        let px = x + row * inner, po = out + offO
        if io == 1 {
            for j in 0..<inner { po[j] += px[j] }
        } else {
            var s = T(0)
            for j in 0..<inner { s += px[j] }
            po[0] += s
        }
        var axis = rank - 2
        while axis >= 0 {
            coord[axis] += 1; offO += geo.stridesA[axis]
            if coord[axis] < geo.dims[axis] { break }
            offO -= geo.dims[axis] * geo.stridesA[axis]
            coord[axis] = 0
            axis -= 1
        }
    }
}
