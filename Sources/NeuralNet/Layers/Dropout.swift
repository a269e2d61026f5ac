import TensorCore

/// Inverted dropout as a switch: active only when a generator is passed.
///
/// Layers take `rng: inout SeededRNG?`: a generator means training (each element is
/// zeroed with probability `rate`, the rest scaled by 1/(1 − rate), drawing from that one
/// seeded stream); `nil` means inference, where dropout is the identity. A rate of 0
/// is the identity either way and draws nothing.
///
/// ```swift
/// var rng: SeededRNG? = SeededRNG(seed: 1)    // training; `nil` for evaluation
/// let y = Dropout(rate: 0.1)(x, rng: &rng)
/// ```
public struct Dropout: Sendable, Equatable {
    /// Probability of zeroing an element, in [0, 1).
    public let rate: Double

    public init(rate: Double) {
        precondition(rate >= 0 && rate < 1, "Dropout: rate must be in [0, 1), got \(rate)")
        self.rate = rate
    }

    public func callAsFunction(_ x: Tensor, rng: inout SeededRNG?) -> Tensor {
        guard rate > 0, rng != nil else { return x }
        return x.dropout(p: rate, rng: &rng!)
    }
}
