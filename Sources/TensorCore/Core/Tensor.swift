/// An n-dimensional array of `Float` (or `Double`, for gradient checks), row-major and
/// contiguous, with an optional node on the autograd tape.
///
/// Tensors are values: ops return new tensors and never modify their inputs. The only
/// in-place writers are explicit (`withUnsafeMutableBufferPointer`, used by optimisers
/// and loaders). Slicing along the first axis (`rows`) is a view sharing storage.
///
/// ```swift
/// var rng = SeededRNG(seed: 1)
/// let w = Tensor.randn([3, 4], rng: &rng).requiringGrad()
/// let x = Tensor([1, 2, 3], shape: [1, 3])
/// let loss = x.matmul(w).sum()
/// loss.backward()
/// print(w.grad!.shape)   // [3, 4]
/// ```
public struct Tensor: @unchecked Sendable {
    /// Extent of every axis; `[]` is a scalar.
    public let shape: [Int]
    /// Number of elements (product of `shape`).
    public let count: Int
    public let dtype: DType
    /// `var` only so `isKnownUniquelyReferenced` can test it (`addInPlaceIfUnshared`).
    var storage: TensorStorage
    /// Offset of element 0 into `storage`, in elements.
    let offset: Int
    /// Autograd node: set on parameters (leaves) and on results of ops that involve them.
    var node: GradNode?

    init(shape: [Int], dtype: DType, storage: TensorStorage, offset: Int = 0, node: GradNode? = nil) {
        self.shape = shape
        self.count = shape.reduce(1, *)
        self.dtype = dtype
        self.storage = storage
        self.offset = offset
        self.node = node
    }

    /// An uninitialised tensor; kernels write every element before it is read.
    static func empty(_ shape: [Int], dtype: DType) -> Tensor {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative extent in shape \(shape)")
        let n = shape.reduce(1, *)
        return Tensor(shape: shape, dtype: dtype, storage: TensorStorage(byteCount: n * dtype.byteSize))
    }

    public var rank: Int { shape.count }

    // MARK: Creation

    /// All zeros.
    public static func zeros(_ shape: [Int], dtype: DType = .float32) -> Tensor {
        let n = shape.reduce(1, *)
        return Tensor(shape: shape, dtype: dtype, storage: TensorStorage(zeroedByteCount: n * dtype.byteSize))
    }

    /// Every element equal to `value`.
    public static func full(_ shape: [Int], _ value: Double, dtype: DType = .float32) -> Tensor {
        let t = empty(shape, dtype: dtype)
        switch dtype {
        case .float32: t.mutablePointer(Float.self).update(repeating: Float(value), count: t.count)
        case .float64: t.mutablePointer(Double.self).update(repeating: value, count: t.count)
        }
        return t
    }

    public static func ones(_ shape: [Int], dtype: DType = .float32) -> Tensor { full(shape, 1, dtype: dtype) }

    /// A scalar tensor.
    public static func scalar(_ value: Double, dtype: DType = .float32) -> Tensor { full([], value, dtype: dtype) }

    /// Normal(0, std²) samples drawn from `rng`.
    public static func randn(_ shape: [Int], std: Double = 1, dtype: DType = .float32, rng: inout SeededRNG) -> Tensor {
        let t = empty(shape, dtype: dtype)
        switch dtype {
        case .float32:
            let p = t.mutablePointer(Float.self)
            for i in 0..<t.count { p[i] = Float(rng.nextNormal() * std) }
        case .float64:
            let p = t.mutablePointer(Double.self)
            for i in 0..<t.count { p[i] = rng.nextNormal() * std }
        }
        return t
    }

    /// Uniform samples in `[low, high)` drawn from `rng`.
    public static func uniform(_ shape: [Int], low: Double = 0, high: Double = 1, dtype: DType = .float32,
                               rng: inout SeededRNG) -> Tensor {
        let t = empty(shape, dtype: dtype)
        switch dtype {
        case .float32:
            let p = t.mutablePointer(Float.self)
            for i in 0..<t.count { p[i] = Float(low + (high - low) * rng.nextUniform()) }
        case .float64:
            let p = t.mutablePointer(Double.self)
            for i in 0..<t.count { p[i] = low + (high - low) * rng.nextUniform() }
        }
        return t
    }

    /// A Float32 tensor holding `values` (row-major) with `shape`.
    public init(_ values: [Float], shape: [Int]) {
        self.init(values, shape: shape, as: Float.self)
    }

    /// A tensor of `T`'s dtype holding `values` (row-major) with `shape`.
    public init<T: TensorScalar>(_ values: [T], shape: [Int], as: T.Type) {
        let n = shape.reduce(1, *)
        precondition(values.count == n, "Tensor(_:shape:): \(values.count) values do not fill shape \(shape) (\(n) elements)")
        self = Tensor.empty(shape, dtype: T.dtype)
        values.withUnsafeBufferPointer { src in
            if n > 0 { mutablePointer(T.self).update(from: src.baseAddress!, count: n) }
        }
    }

    // MARK: Element access

    /// Pointer to element 0 for kernels. Internal: ops write only into tensors they created.
    @inline(__always)
    func mutablePointer<T: TensorScalar>(_: T.Type) -> UnsafeMutablePointer<T> {
        precondition(T.dtype == dtype, "Tensor: accessed \(dtype) storage as \(T.dtype)")
        return storage.raw.assumingMemoryBound(to: T.self) + offset
    }

    @inline(__always)
    func pointer<T: TensorScalar>(_: T.Type) -> UnsafePointer<T> { UnsafePointer(mutablePointer(T.self)) }

    /// Reads the elements (row-major).
    public func withUnsafeBufferPointer<T: TensorScalar, R>(as: T.Type, _ body: (UnsafeBufferPointer<T>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: pointer(T.self), count: count))
    }

    /// Writes the elements in place. Every tensor sharing this storage (views, the
    /// parameter the optimiser updates) sees the change; use only on tensors you own.
    public func withUnsafeMutableBufferPointer<T: TensorScalar, R>(as: T.Type, _ body: (UnsafeMutableBufferPointer<T>) throws -> R) rethrows -> R {
        try body(UnsafeMutableBufferPointer(start: mutablePointer(T.self), count: count))
    }

    /// The elements as `[Float]` (converted from Float64 if needed).
    public var scalars: [Float] {
        switch dtype {
        case .float32: return withUnsafeBufferPointer(as: Float.self) { Array($0) }
        case .float64: return withUnsafeBufferPointer(as: Double.self) { $0.map { Float($0) } }
        }
    }

    /// The elements as `[Double]` (converted from Float32 if needed).
    public var doubles: [Double] {
        switch dtype {
        case .float32: return withUnsafeBufferPointer(as: Float.self) { $0.map { Double($0) } }
        case .float64: return withUnsafeBufferPointer(as: Double.self) { Array($0) }
        }
    }

    /// The single element of a one-element tensor.
    public var item: Double {
        precondition(count == 1, "Tensor.item: tensor of shape \(shape) has \(count) elements, expected 1")
        return doubles[0]
    }

    /// A copy in `dtype` (no gradient flows through the conversion).
    public func converted(to dtype: DType) -> Tensor {
        if dtype == self.dtype { return detached() }
        let out = Tensor.empty(shape, dtype: dtype)
        switch (self.dtype, dtype) {
        case (.float32, .float64):
            let s = pointer(Float.self), d = out.mutablePointer(Double.self)
            for i in 0..<count { d[i] = Double(s[i]) }
        case (.float64, .float32):
            let s = pointer(Double.self), d = out.mutablePointer(Float.self)
            for i in 0..<count { d[i] = Float(s[i]) }
        default: break
        }
        return out
    }

    /// A contiguous copy with its own storage and no autograd history.
    public func copy() -> Tensor {
        let out = Tensor.empty(shape, dtype: dtype)
        if count > 0 { out.storage.raw.copyMemory(from: storage.raw + offset * dtype.byteSize, byteCount: count * dtype.byteSize) }
        return out
    }

    /// The same values, cut from the autograd tape (shares storage).
    public func detached() -> Tensor {
        Tensor(shape: shape, dtype: dtype, storage: storage, offset: offset)
    }

    /// Rows `range` of the first axis: a view sharing storage (gradient flows back).
    public func rows(_ range: Range<Int>) -> Tensor {
        precondition(rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0],
                     "rows: range \(range) out of bounds for shape \(shape)")
        let inner = shape.dropFirst().reduce(1, *)
        var outShape = shape
        outShape[0] = range.count
        var out = Tensor(shape: outShape, dtype: dtype, storage: storage, offset: offset + range.lowerBound * inner)
        let fullShape = shape, lower = range.lowerBound
        out.record("rows", inputs: [self]) { g in
            let dx = Tensor.zeros(fullShape, dtype: g.dtype)
            let bytes = g.dtype.byteSize
            if g.count > 0 {
                (dx.storage.raw + (lower * inner) * bytes).copyMemory(from: g.storage.raw + g.offset * bytes, byteCount: g.count * bytes)
            }
            return [dx]
        }
        return out
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview = doubles.prefix(8).map { String(format: "%.4g", $0) }.joined(separator: ", ")
        return "Tensor(\(shape), \(dtype)\(node != nil ? ", grad" : ""): [\(preview)\(count > 8 ? ", …" : "")])"
    }
}

import Foundation
