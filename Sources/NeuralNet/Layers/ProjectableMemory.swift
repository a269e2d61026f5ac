import TensorCore

/// What cross-attention reads: a memory `[B, M, D]` that can apply a projection to every
/// position. A plain tensor applies it directly; a memory kept in a factored form (e.g.
/// the real rows of a padded memory plus small position tables) can project only what it
/// stores and skip gradients it does not need.
public protocol ProjectableMemory {
    /// `linear` applied at every memory position: `[B, M, linear.outFeatures]`.
    func projected(by linear: Linear) -> Tensor
}

extension Tensor: ProjectableMemory {
    public func projected(by linear: Linear) -> Tensor { linear(self) }
}
