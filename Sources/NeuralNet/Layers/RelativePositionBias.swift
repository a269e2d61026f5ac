import Foundation
import TensorCore

/// T5's learned relative position bias: the offset `key − query` is mapped to one of
/// `numBuckets` buckets (exact for small offsets, logarithmic up to `maxDistance`), and
/// each bucket has a learned scalar per head, added to the attention scores.
///
/// Bidirectional (encoder): half the buckets for keys after the query, half for keys at
/// or before it. Causal (decoder): only keys at or before the query matter, all buckets
/// for those. One table serves every layer of a stack (as in T5, where layer 0 owns it).
///
/// Shapes: `weight: [numBuckets, H]` → bias `[H, Lq, Lk]` (the `positionBias` of
/// `Tensor.attention`). Parameter name: `weight`.
///
/// ```swift
/// let bias = RelativePositionBias(heads: 4, bidirectional: true, rng: &rng)
/// let positionBias = bias(queryLength: L, keyLength: L)      // [4, L, L]
/// ```
public final class RelativePositionBias: Module, Sendable {
    /// `[numBuckets, H]`.
    public let weight: Tensor
    public let bidirectional: Bool
    public let maxDistance: Int

    public var numBuckets: Int { weight.shape[0] }
    public var heads: Int { weight.shape[1] }

    /// A table with entries ~ Normal(0, std²) (T5: std = d_model^-0.5).
    public init(heads: Int, numBuckets: Int = 32, maxDistance: Int = 128, bidirectional: Bool,
                std: Double = 0.1, dtype: DType = .float32, rng: inout SeededRNG) {
        weight = ParameterInitialization.normal([numBuckets, heads], std: std, dtype: dtype, rng: &rng)
        self.bidirectional = bidirectional
        self.maxDistance = maxDistance
    }

    /// The bias for queries at positions `queryOffset ..< queryOffset + queryLength` and
    /// keys at `0 ..< keyLength` (a decoding step passes the cache length as the offset).
    public func callAsFunction(queryLength: Int, keyLength: Int, queryOffset: Int = 0) -> Tensor {
        let buckets = Self.buckets(queryLength: queryLength, keyLength: keyLength, queryOffset: queryOffset,
                                   bidirectional: bidirectional, numBuckets: numBuckets, maxDistance: maxDistance)
        return weight.gatherRows(buckets, shape: [queryLength, keyLength]).permuted([2, 0, 1])
    }

    /// Bucket indices `[Lq·Lk]` (row-major over query, key).
    public static func buckets(queryLength: Int, keyLength: Int, queryOffset: Int = 0,
                               bidirectional: Bool, numBuckets: Int, maxDistance: Int) -> [Int32] {
        // The bucket depends only on the offset, which spans a small range: compute each once.
        let lowest = -(queryOffset + queryLength - 1), highest = keyLength - 1 - queryOffset
        let table = (lowest...max(lowest, highest)).map {
            Int32(bucket(relativePosition: $0, bidirectional: bidirectional, numBuckets: numBuckets, maxDistance: maxDistance))
        }
        var out = [Int32](repeating: 0, count: queryLength * keyLength)
        for i in 0..<queryLength {
            for j in 0..<keyLength { out[i * keyLength + j] = table[j - (i + queryOffset) - lowest] }
        }
        return out
    }

    /// T5's bucket of `relativePosition = key position − query position`.
    ///
    /// The logarithmic part is computed in Float32, as T5 does, so boundary offsets land
    /// in the same bucket as in the original implementation.
    public static func bucket(relativePosition: Int, bidirectional: Bool, numBuckets: Int, maxDistance: Int) -> Int {
        var buckets = numBuckets
        var result = 0
        let distance: Int
        if bidirectional {
            buckets /= 2
            if relativePosition > 0 { result += buckets }
            distance = abs(relativePosition)
        } else {
            distance = max(0, -relativePosition)
        }
        let maxExact = buckets / 2
        if distance < maxExact { return result + distance }
        let logRatio = Float(Foundation.log(Double(maxDistance) / Double(maxExact)))
        let scaled = Foundation.logf(Float(distance) / Float(maxExact)) / logRatio * Float(buckets - maxExact)
        return result + min(maxExact + Int(scaled), buckets - 1)
    }

    public var namedParameters: [NamedParameter] { [("weight", weight)] }
}
