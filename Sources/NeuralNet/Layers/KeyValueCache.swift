import TensorCore

/// Keys and values of one attention layer kept across decoding steps.
///
/// Self-attention appends the projections of each new token (`append`); cross-attention
/// projects the encoder memory once (`MultiHeadAttention.keysValues(for:)`) and reuses it.
///
/// Shapes: `keys, values: [B, L, H·Dh]` (the raw projection outputs).
public struct KeyValueCache: Sendable {
    public private(set) var keys: Tensor?
    public private(set) var values: Tensor?

    /// An empty cache.
    public init() {}

    /// A cache holding `keys` and `values` (`[B, L, H·Dh]` each).
    public init(keys: Tensor, values: Tensor) {
        precondition(keys.shape == values.shape && keys.rank == 3,
                     "KeyValueCache: keys \(keys.shape) and values \(values.shape) must be equal [B, L, H·Dh]")
        self.keys = keys
        self.values = values
    }

    /// Number of cached positions.
    public var length: Int { keys?.shape[1] ?? 0 }

    /// Appends the keys and values of new positions (`[B, l, H·Dh]`) along the length axis.
    public mutating func append(keys newKeys: Tensor, values newValues: Tensor) {
        precondition(newKeys.shape == newValues.shape && newKeys.rank == 3,
                     "KeyValueCache.append: keys \(newKeys.shape) and values \(newValues.shape) must be equal [B, l, H·Dh]")
        if let keys, let values {
            precondition(keys.shape[0] == newKeys.shape[0] && keys.shape[2] == newKeys.shape[2],
                         "KeyValueCache.append: new keys \(newKeys.shape) do not extend cached \(keys.shape)")
            self.keys = Tensor.concat([keys, newKeys], axis: 1)
            self.values = Tensor.concat([values, newValues], axis: 1)
        } else {
            self.keys = newKeys
            self.values = newValues
        }
    }

    /// The cache for a re-ordered batch: row `i` of the result is row `indices[i]` of this
    /// one (beam search keeps the surviving hypotheses).
    public func selectingBatch(_ indices: [Int32]) -> KeyValueCache {
        guard let keys, let values else { return self }
        return KeyValueCache(keys: selectRows(keys, indices), values: selectRows(values, indices))
    }
}

/// Rows `indices` of `t` along axis 0 (`[B, ...]` → `[indices.count, ...]`).
func selectRows(_ t: Tensor, _ indices: [Int32]) -> Tensor {
    let inner = Array(t.shape.dropFirst())
    return t.reshaped([t.shape[0], inner.reduce(1, *)])
        .gatherRows(indices, shape: [indices.count])
        .reshaped([indices.count] + inner)
}
