import XCTest
import TensorCore
import TestSupport

/// Attention over packed sequences (`PackedSequences`): the same as padded attention at
/// the real positions, with finite-difference gradients.
final class PackedAttentionTests: XCTestCase {
    /// Three sequences of lengths 3, 1, 4 (one also empty in some tests), 2 heads.
    static let lengths = [3, 1, 4]
    static let heads = 2, dk = 3, dv = 2

    /// `[N, W]` packed rows of a padded `[B, T, W]` tensor.
    func pack(_ padded: Tensor, _ packing: PackedSequences) -> Tensor {
        let b = padded.shape[0], t = padded.shape[1], w = padded.shape[2]
        return padded.reshaped([b * t, w]).gatherRows(packing.packedRowIndices(paddedLength: t), shape: [packing.totalRows])
    }

    func testPackingIndices() {
        let packing = PackedSequences(lengths: [3, 0, 2])
        XCTAssertEqual(packing.offsets, [0, 3, 3, 5])
        XCTAssertEqual(packing.maxLength, 3)
        XCTAssertEqual(packing.paddedRowIndices(paddedLength: 3), [0, 1, 2, -1, -1, -1, 3, 4, -1])
        XCTAssertEqual(packing.packedRowIndices(paddedLength: 4), [0, 1, 2, 8, 9])
    }

    /// Causal self-attention with a position bias: each sequence's rows equal the padded
    /// computation's rows (the padding after a sequence is invisible to its causal queries).
    func testCausalSelfAttentionMatchesPaddedAtRealPositions() {
        var rng = SeededRNG(seed: 71)
        let packing = PackedSequences(lengths: Self.lengths)
        let b = Self.lengths.count, t = packing.maxLength, h = Self.heads
        let q = Tensor.randn([b, t, h * Self.dk], dtype: .float64, rng: &rng)
        let k = Tensor.randn([b, t, h * Self.dk], dtype: .float64, rng: &rng)
        let v = Tensor.randn([b, t, h * Self.dv], dtype: .float64, rng: &rng)
        let pb = Tensor.randn([h, t, t], dtype: .float64, rng: &rng)
        let padded = Tensor.attention(query: q, key: k, value: v, heads: h, causal: true, positionBias: pb, scale: 0.7)
        let packed = Tensor.attention(query: pack(q, packing), key: pack(k, packing), value: pack(v, packing), heads: h,
                                      causal: true, positionBias: pb, scale: 0.7, returnWeights: true,
                                      querySequences: packing, keySequences: packing)
        XCTAssertEqual(packed.output.shape, [packing.totalRows, h * Self.dv])
        assertClose(packed.output.doubles, pack(padded.output, packing).doubles, rtol: 1e-12, atol: 1e-13, "packed rows")
        // Weights past a sequence's end are 0; within it they are the padded call's.
        let w = packed.weights!.doubles, wPadded = Tensor.attention(query: q, key: k, value: v, heads: h, causal: true,
                                                                   positionBias: pb, scale: 0.7, returnWeights: true).weights!.doubles
        for bi in 0..<b { for head in 0..<h { for i in 0..<t { for j in 0..<t {
            let index = ((bi * h + head) * t + i) * t + j
            let inside = i < Self.lengths[bi] && j < Self.lengths[bi]
            XCTAssertEqual(w[index], inside ? wPadded[index] : 0, accuracy: 1e-13, "weight b\(bi) h\(head) \(i),\(j)")
        } } } }
    }

    /// Packed queries over a regular, masked memory (cross-attention).
    func testPackedQueriesOverPaddedMemoryMatchPadded() {
        var rng = SeededRNG(seed: 72)
        let packing = PackedSequences(lengths: Self.lengths)
        let b = Self.lengths.count, t = packing.maxLength, m = 5, h = Self.heads
        let q = Tensor.randn([b, t, h * Self.dk], dtype: .float64, rng: &rng)
        let k = Tensor.randn([b, m, h * Self.dk], dtype: .float64, rng: &rng)
        let v = Tensor.randn([b, m, h * Self.dv], dtype: .float64, rng: &rng)
        var bias = [Double](repeating: 0, count: b * m)
        bias[m - 1] = -1e9; bias[2 * m - 2] = -1e9; bias[2 * m - 1] = -1e9  // memories of different lengths
        let kb = Tensor(bias, shape: [b, m], as: Double.self)
        let padded = Tensor.attention(query: q, key: k, value: v, heads: h, keyBias: kb)
        let packed = Tensor.attention(query: pack(q, packing), key: k, value: v, heads: h, keyBias: kb, querySequences: packing)
        assertClose(packed.output.doubles, pack(padded.output, packing).doubles, rtol: 1e-12, atol: 1e-13, "packed rows")
    }

    /// Finite differences through packed self- and cross-attention, including an empty sequence.
    func testGradients() {
        var rng = SeededRNG(seed: 73)
        let packing = PackedSequences(lengths: [2, 0, 3])
        let n = packing.totalRows, h = Self.heads, t = packing.maxLength, m = 4
        let q = Tensor.randn([n, h * Self.dk], dtype: .float64, rng: &rng)
        let k = Tensor.randn([n, h * Self.dk], dtype: .float64, rng: &rng)
        let v = Tensor.randn([n, h * Self.dv], dtype: .float64, rng: &rng)
        let pb = Tensor.randn([h, t, t], dtype: .float64, rng: &rng)
        checkGradients([q, k, v, pb], "packed causal self-attention") { xs in
            Tensor.attention(query: xs[0], key: xs[1], value: xs[2], heads: h, causal: true, positionBias: xs[3],
                             querySequences: packing, keySequences: packing).output
        }
        let memoryKeys = Tensor.randn([3, m, h * Self.dk], dtype: .float64, rng: &rng)
        let memoryValues = Tensor.randn([3, m, h * Self.dv], dtype: .float64, rng: &rng)
        var bias = [Double](repeating: 0, count: 3 * m)
        bias[m - 1] = -1e9
        let kb = Tensor(bias, shape: [3, m], as: Double.self)
        checkGradients([q, memoryKeys, memoryValues], "packed cross-attention") { xs in
            Tensor.attention(query: xs[0], key: xs[1], value: xs[2], heads: h, keyBias: kb, querySequences: packing).output
        }
    }

    /// Float32 packed attention agrees with Float64 (the kernels are the same code).
    func testFloat32AgreesWithFloat64() {
        var rng = SeededRNG(seed: 74)
        let packing = PackedSequences(lengths: Self.lengths)
        let n = packing.totalRows, h = Self.heads, t = packing.maxLength
        let q = Tensor.randn([n, h * Self.dk], dtype: .float64, rng: &rng)
        let k = Tensor.randn([n, h * Self.dk], dtype: .float64, rng: &rng)
        let v = Tensor.randn([n, h * Self.dv], dtype: .float64, rng: &rng)
        let pb = Tensor.randn([h, t, t], dtype: .float64, rng: &rng)
        let double = Tensor.attention(query: q, key: k, value: v, heads: h, causal: true, positionBias: pb,
                                      querySequences: packing, keySequences: packing).output
        let single = Tensor.attention(query: q.converted(to: .float32), key: k.converted(to: .float32), value: v.converted(to: .float32),
                                      heads: h, causal: true, positionBias: pb.converted(to: .float32),
                                      querySequences: packing, keySequences: packing).output
        assertClose(single.doubles, double.doubles, rtol: 1e-5, atol: 1e-6, "Float32 vs Float64")
    }
}
