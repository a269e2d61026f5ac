import TensorCore

/// Writes the elements of `source` into `destination`'s buffer (same element count),
/// converting between Float32 and Float64. Used by checkpoint loading and optimiser
/// restore, which must update parameters in place so every holder sees the new values.
func copyValues(from source: Tensor, into destination: Tensor) {
    precondition(source.count == destination.count,
                 "copyValues: \(source.count) elements into \(destination.count) (\(source.shape) → \(destination.shape))")
    switch (source.dtype, destination.dtype) {
    case (.float32, .float32): copy(Float.self, Float.self, source, destination)
    case (.float32, .float64): copy(Float.self, Double.self, source, destination)
    case (.float64, .float32): copy(Double.self, Float.self, source, destination)
    case (.float64, .float64): copy(Double.self, Double.self, source, destination)
    }
}

private func copy<S: TensorScalar, D: TensorScalar>(_: S.Type, _: D.Type, _ source: Tensor, _ destination: Tensor) {
    source.withUnsafeBufferPointer(as: S.self) { s in
        destination.withUnsafeMutableBufferPointer(as: D.self) { d in
            for i in 0..<s.count { d[i] = D(s[i]) }
        }
    }
}
