import TensorCore

/// Builders for the additive key masks of `Tensor.attention` (0 = attend, −1e9 = masked).
public enum AttentionMask {
    /// The additive value of a masked key: large enough that `exp` underflows to 0 in
    /// Float32, small enough that adding it to a score stays finite.
    public static let maskedValue = -1e9

    /// `keyBias: [B, L]` from per-example valid flags (`valid.count == B·L`, row-major).
    ///
    /// ```swift
    /// let keyBias = AttentionMask.keyBias(valid: tokens.map { $0 != pad }, batch: B, length: L)
    /// ```
    public static func keyBias(valid: [Bool], batch: Int, length: Int, dtype: DType = .float32) -> Tensor {
        precondition(valid.count == batch * length, "AttentionMask.keyBias: \(valid.count) flags for batch \(batch) × length \(length)")
        let bias = Tensor.zeros([batch, length], dtype: dtype)
        switch dtype {
        case .float32: fill(bias, valid, Float(maskedValue))
        case .float64: fill(bias, valid, maskedValue)
        }
        return bias
    }

    /// `keyBias: [B, length]` where example `b` has its first `lengths[b]` keys valid
    /// (padding at the end).
    public static func keyBias(validLengths lengths: [Int], length: Int, dtype: DType = .float32) -> Tensor {
        var valid = [Bool](repeating: false, count: lengths.count * length)
        for (b, n) in lengths.enumerated() {
            precondition(n >= 0 && n <= length, "AttentionMask.keyBias: valid length \(n) of example \(b) outside 0...\(length)")
            for j in 0..<n { valid[b * length + j] = true }
        }
        return keyBias(valid: valid, batch: lengths.count, length: length, dtype: dtype)
    }

    private static func fill<T: TensorScalar>(_ bias: Tensor, _ valid: [Bool], _ masked: T) {
        bias.withUnsafeMutableBufferPointer(as: T.self) { p in
            for i in 0..<valid.count where !valid[i] { p[i] = masked }
        }
    }
}
