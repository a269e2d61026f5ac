/// B variable-length sequences stored one after another as the rows of one `[N, width]`
/// tensor, without padding: sequence b is rows `offsets[b]..<offsets[b + 1]`.
///
/// Row-wise layers (linear maps, norms, feed-forward) read a packed tensor as they read
/// any `[rows, width]` one; `Tensor.attention` attends within each sequence when given its
/// packing. Training a decoder on answers of different lengths this way skips the padded
/// positions a `[B, T, width]` layout would compute and then ignore.
///
/// ```swift
/// let packing = PackedSequences(lengths: [3, 1, 2])     // rows 0..<3, 3..<4, 4..<6
/// let rows = packing.paddedRowIndices(paddedLength: 3)  // [0, 1, 2, 3, -1, -1, 4, 5, -1]
/// ```
public struct PackedSequences: Sendable, Equatable {
    /// `[B + 1]` first row of each sequence, then the total row count.
    public let offsets: [Int]
    /// The longest sequence (the padded layout's length).
    public let maxLength: Int

    /// Sequences of the given lengths (each ≥ 0), packed in order.
    public init(lengths: [Int]) {
        precondition(lengths.allSatisfy { $0 >= 0 }, "PackedSequences: negative length in \(lengths)")
        var offsets = [0]
        offsets.reserveCapacity(lengths.count + 1)
        for n in lengths { offsets.append(offsets[offsets.count - 1] + n) }
        self.offsets = offsets
        maxLength = lengths.max() ?? 0
    }

    /// B.
    public var count: Int { offsets.count - 1 }
    /// N, the packed row count.
    public var totalRows: Int { offsets[offsets.count - 1] }
    /// Length of sequence b.
    @inline(__always) public func length(_ b: Int) -> Int { offsets[b + 1] - offsets[b] }

    /// For each position of the padded `[B, paddedLength]` layout, its packed row, or −1 past
    /// the sequence's end (`gatherRows` turns −1 into a zero row).
    public func paddedRowIndices(paddedLength: Int) -> [Int32] {
        precondition(paddedLength >= maxLength, "PackedSequences: padded length \(paddedLength) < longest sequence \(maxLength)")
        var rows = [Int32](repeating: -1, count: count * paddedLength)
        for b in 0..<count {
            for t in 0..<length(b) { rows[b * paddedLength + t] = Int32(offsets[b] + t) }
        }
        return rows
    }

    /// For each packed row, its position in the padded `[B, paddedLength]` layout.
    public func packedRowIndices(paddedLength: Int) -> [Int32] {
        precondition(paddedLength >= maxLength, "PackedSequences: padded length \(paddedLength) < longest sequence \(maxLength)")
        var rows: [Int32] = []
        rows.reserveCapacity(totalRows)
        for b in 0..<count {
            for t in 0..<length(b) { rows.append(Int32(b * paddedLength + t)) }
        }
        return rows
    }
}
