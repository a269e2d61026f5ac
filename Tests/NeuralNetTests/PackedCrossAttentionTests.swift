import XCTest
import NeuralNet
import TensorCore
import TestSupport

/// `MultiHeadAttention.packedCrossAttention` moves the key and value projections to the query
/// side; it must give padded cross-attention's outputs at the real positions, and
/// finite-difference gradients for the queries, the memory and all four projections.
final class PackedCrossAttentionTests: XCTestCase {
    static let modelDim = 6, heads = 3, headDim = 2, slots = 5

    /// Sequences of lengths 3, 0, 2 and 4 over memories of 5, 2, 5 and 3 real slots (the rest masked).
    func makeInputs(seed: UInt64) -> (packing: PackedSequences, x: Tensor, memory: Tensor, keyBias: Tensor) {
        var rng = SeededRNG(seed: seed)
        let packing = PackedSequences(lengths: [3, 0, 2, 4])
        let x = Tensor.randn([packing.totalRows, Self.modelDim], dtype: .float64, rng: &rng)
        let memory = Tensor.randn([4, Self.slots, Self.modelDim], dtype: .float64, rng: &rng)
        let keyBias = AttentionMask.keyBias(validLengths: [5, 2, 5, 3], length: Self.slots, dtype: .float64)
        return (packing, x, memory, keyBias)
    }

    func makeAttention(seed: UInt64) -> MultiHeadAttention {
        var rng = SeededRNG(seed: seed)
        return MultiHeadAttention(modelDim: Self.modelDim, heads: Self.heads, headDim: Self.headDim, scale: 0.8,
                                  dtype: .float64, rng: &rng)
    }

    func testMatchesProjectedCrossAttentionAtRealPositions() {
        let (packing, x, memory, keyBias) = makeInputs(seed: 81)
        let attention = makeAttention(seed: 82)
        let t = packing.maxLength, b = packing.count
        let padded = x.gatherRows(packing.paddedRowIndices(paddedLength: t), shape: [b, t])
        let expected = attention(padded, context: memory, keyBias: keyBias)
            .reshaped([b * t, Self.modelDim]).gatherRows(packing.packedRowIndices(paddedLength: t), shape: [packing.totalRows])
        let folded = attention.packedCrossAttention(x, sequences: packing, memory: memory, keyBias: keyBias)
        XCTAssertEqual(folded.shape, [packing.totalRows, Self.modelDim])
        assertClose(folded.doubles, expected.doubles, rtol: 1e-11, atol: 1e-12, "folded vs projected")
    }

    func testGradients() {
        let (packing, x, memory, keyBias) = makeInputs(seed: 83)
        let attention = makeAttention(seed: 84)
        let weights = [attention.query.weight, attention.key.weight, attention.value.weight, attention.output.weight]
        checkGradients([x, memory] + weights, "packed cross-attention: queries, memory, projections") { xs in
            let layer = MultiHeadAttention(query: Linear(weight: xs[2]), key: Linear(weight: xs[3]), value: Linear(weight: xs[4]),
                                           output: Linear(weight: xs[5]), heads: Self.heads, scale: 0.8)
            return layer.packedCrossAttention(xs[0], sequences: packing, memory: xs[1], keyBias: keyBias)
        }
    }
}
