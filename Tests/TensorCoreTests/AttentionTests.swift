import XCTest
import TensorCore
import TestSupport

/// One attention configuration of the test tables.
struct AttentionConfig: CustomStringConvertible {
    var batch: Int, heads: Int, lq: Int, lk: Int, dk: Int, dv: Int
    var causal = false, keyBias = false, positionBias = false
    var scale: Double? = nil

    var description: String {
        "B\(batch) H\(heads) Lq\(lq) Lk\(lk) Dk\(dk) Dv\(dv)\(causal ? " causal" : "")\(keyBias ? " keyBias" : "")"
            + "\(positionBias ? " positionBias" : "") scale \(scale.map { "\($0)" } ?? "default")"
    }

    /// Random inputs: query, key, value, keyBias (small values per batch item, −1e9 on the last key), positionBias.
    func inputs(_ rng: inout SeededRNG, dtype: DType = .float64) -> (q: Tensor, k: Tensor, v: Tensor, kb: Tensor?, pb: Tensor?) {
        let q = Tensor.randn([batch, lq, heads * dk], dtype: dtype, rng: &rng)
        let k = Tensor.randn([batch, lk, heads * dk], dtype: dtype, rng: &rng)
        let v = Tensor.randn([batch, lk, heads * dv], dtype: dtype, rng: &rng)
        var kb: Tensor? = nil
        if keyBias {
            var values = Tensor.randn([batch, lk], std: 0.5, dtype: .float64, rng: &rng).doubles
            // The last key is padding: never the only key a causal query sees, so no row is fully masked.
            if lk > 1 { for b in 0..<batch { values[b * lk + lk - 1] = -1e9 } }
            kb = Tensor(values, shape: [batch, lk], as: Double.self).converted(to: dtype)
        }
        let pb = positionBias ? Tensor.randn([heads, lq, lk], dtype: dtype, rng: &rng) : nil
        return (q, k, v, kb, pb)
    }
}

/// Multi-head attention by explicit loops over (b, h, i, j) in Double: the oracle.
func naiveAttention(_ c: AttentionConfig, q: [Double], k: [Double], v: [Double], kb: [Double]?, pb: [Double]?)
    -> (output: [Double], weights: [Double]) {
    let scale = c.scale ?? 1 / Double(c.dk).squareRoot()
    var out = [Double](repeating: 0, count: c.batch * c.lq * c.heads * c.dv)
    var weights = [Double](repeating: 0, count: c.batch * c.heads * c.lq * c.lk)
    for b in 0..<c.batch { for h in 0..<c.heads { for i in 0..<c.lq {
        let visible = (0..<c.lk).filter { j in !c.causal || j <= i + c.lk - c.lq }
        var scores = [Double]()
        for j in visible {
            var s = 0.0
            for d in 0..<c.dk {
                s += q[(b * c.lq + i) * c.heads * c.dk + h * c.dk + d] * k[(b * c.lk + j) * c.heads * c.dk + h * c.dk + d]
            }
            s *= scale
            if let pb { s += pb[(h * c.lq + i) * c.lk + j] }
            if let kb { s += kb[b * c.lk + j] }
            scores.append(s)
        }
        if scores.isEmpty { continue }
        let p = naiveSoftmaxRows(scores, n: scores.count)
        for (n, j) in visible.enumerated() {
            weights[((b * c.heads + h) * c.lq + i) * c.lk + j] = p[n]
            for e in 0..<c.dv {
                out[(b * c.lq + i) * c.heads * c.dv + h * c.dv + e] += p[n] * v[(b * c.lk + j) * c.heads * c.dv + h * c.dv + e]
            }
        }
    } } }
    return (out, weights)
}

/// Attention composed from primitives: split heads by reshape + permute, batched matmuls,
/// broadcast biases, a −1e9 causal mask and the composed softmax.
func composedAttention(_ c: AttentionConfig, _ q: Tensor, _ k: Tensor, _ v: Tensor, _ kb: Tensor?, _ pb: Tensor?)
    -> (output: Tensor, weights: Tensor) {
    let qh = q.reshaped([c.batch, c.lq, c.heads, c.dk]).permuted([0, 2, 1, 3])
    let kh = k.reshaped([c.batch, c.lk, c.heads, c.dk]).permuted([0, 2, 1, 3])
    let vh = v.reshaped([c.batch, c.lk, c.heads, c.dv]).permuted([0, 2, 1, 3])
    var s = qh.matmul(kh, transposeB: true) * (c.scale ?? 1 / Double(c.dk).squareRoot())   // [B, H, Lq, Lk]
    if let pb { s = s + pb }
    if let kb { s = s + kb.reshaped([c.batch, 1, 1, c.lk]) }
    if c.causal {
        var mask = [Double](repeating: 0, count: c.lq * c.lk)
        for i in 0..<c.lq { for j in 0..<c.lk where j > i + c.lk - c.lq { mask[i * c.lk + j] = -1e9 } }
        s = s + Tensor(mask, shape: [c.lq, c.lk], as: Double.self).converted(to: q.dtype)
    }
    let p = composedSoftmax(s)
    let o = p.matmul(vh).permuted([0, 2, 1, 3]).reshaped([c.batch, c.lq, c.heads * c.dv])
    return (o, p)
}

final class AttentionTests: XCTestCase {
    /// Size-1 axes everywhere, KV-cache decoding (Lq = 1), cross attention (Lq ≠ Lk), Dv ≠ Dk,
    /// causal with offset Lk − Lq (and Lq > Lk, where early queries see no key at all).
    static let configs: [AttentionConfig] = [
        AttentionConfig(batch: 1, heads: 1, lq: 1, lk: 1, dk: 1, dv: 1),
        AttentionConfig(batch: 1, heads: 1, lq: 1, lk: 3, dk: 2, dv: 2, causal: true, keyBias: true, positionBias: true, scale: 1),
        AttentionConfig(batch: 2, heads: 2, lq: 3, lk: 3, dk: 2, dv: 2, causal: true, positionBias: true, scale: 1),
        AttentionConfig(batch: 2, heads: 3, lq: 2, lk: 4, dk: 2, dv: 3, keyBias: true),
        AttentionConfig(batch: 1, heads: 2, lq: 4, lk: 2, dk: 3, dv: 3, causal: true, scale: 0.5),
        AttentionConfig(batch: 2, heads: 1, lq: 3, lk: 5, dk: 2, dv: 2, causal: true, keyBias: true, positionBias: true, scale: 1),
    ]

    func testForwardAndWeightsMatchNaiveLoops() {
        var rng = SeededRNG(seed: 41)
        for c in Self.configs {
            let (q, k, v, kb, pb) = c.inputs(&rng)
            let a = Tensor.attention(query: q, key: k, value: v, heads: c.heads, keyBias: kb, causal: c.causal,
                                     positionBias: pb, scale: c.scale, returnWeights: true)
            let ref = naiveAttention(c, q: q.doubles, k: k.doubles, v: v.doubles, kb: kb?.doubles, pb: pb?.doubles)
            XCTAssertEqual(a.output.shape, [c.batch, c.lq, c.heads * c.dv])
            XCTAssertEqual(a.weights?.shape, [c.batch, c.heads, c.lq, c.lk])
            assertClose(a.output.doubles, ref.output, rtol: 1e-12, atol: 1e-13, "output \(c)")
            assertClose(a.weights!.doubles, ref.weights, rtol: 1e-12, atol: 1e-13, "weights \(c)")
        }
    }

    func testGradientsOfQueryKeyValueAndPositionBias() {
        var rng = SeededRNG(seed: 42)
        for c in Self.configs {
            let (q, k, v, kb, pb) = c.inputs(&rng)
            let inputs = [q, k, v] + (pb.map { [$0] } ?? [])
            checkGradients(inputs, "attention \(c)") { xs in
                Tensor.attention(query: xs[0], key: xs[1], value: xs[2], heads: c.heads, keyBias: kb, causal: c.causal,
                                 positionBias: xs.count > 3 ? xs[3] : nil, scale: c.scale).output
            }
        }
    }

    func testMatchesComposedPrimitives() {
        var rng = SeededRNG(seed: 47)
        // Causal rows with no visible key (Lq > Lk) are zero in the fused kernel but uniform
        // under an additive −1e9 mask, so those configurations are left to the naive oracle.
        let configs = Self.configs.filter { !$0.causal || $0.lq <= $0.lk }
            + [AttentionConfig(batch: 2, heads: 4, lq: 12, lk: 12, dk: 8, dv: 8, causal: true, keyBias: true, positionBias: true, scale: 1)]
        for c in configs {
            let (q, k, v, kb, pb) = c.inputs(&rng)
            let inputs = [q, k, v] + (pb.map { [$0] } ?? [])
            let fused = Tensor.attention(query: q, key: k, value: v, heads: c.heads, keyBias: kb, causal: c.causal,
                                         positionBias: pb, scale: c.scale, returnWeights: true)
            assertClose(fused.weights!, composedAttention(c, q, k, v, kb, pb).weights, rtol: 1e-9, atol: 1e-12, "weights \(c)")
            assertFusedMatchesComposed(inputs, "attention \(c)", fused: { xs in
                Tensor.attention(query: xs[0], key: xs[1], value: xs[2], heads: c.heads, keyBias: kb, causal: c.causal,
                                 positionBias: xs.count > 3 ? xs[3] : nil, scale: c.scale).output
            }, composed: { xs in composedAttention(c, xs[0], xs[1], xs[2], kb, xs.count > 3 ? xs[3] : nil).output })
        }
    }

    func testSameTensorAsQueryKeyAndValueAccumulatesGradients() {
        var rng = SeededRNG(seed: 43)
        let x = Tensor.randn([2, 3, 4], dtype: .float64, rng: &rng)
        checkGradients([x], "self-attention on one tensor") { xs in
            Tensor.attention(query: xs[0], key: xs[0], value: xs[0], heads: 2, causal: true).output
        }
    }

    func testPartialGradientsAndNoGradPathAgree() {
        var rng = SeededRNG(seed: 44)
        let c = AttentionConfig(batch: 2, heads: 2, lq: 3, lk: 4, dk: 2, dv: 2, keyBias: true, positionBias: true, scale: 1)
        let (q, k, v, kb, pb) = c.inputs(&rng)
        // Only the value and the position bias need gradients (e.g. frozen projections).
        let vLeaf = v.requiringGrad(), pbLeaf = pb!.requiringGrad()
        let a = Tensor.attention(query: q, key: k, value: vLeaf, heads: 2, keyBias: kb, positionBias: pbLeaf, scale: 1)
        XCTAssertNil(a.weights)
        a.output.sumToShape([]).backward()
        let qLeaf = q.requiringGrad(), kLeaf = k.requiringGrad(), vAll = v.requiringGrad(), pbAll = pb!.requiringGrad()
        Tensor.attention(query: qLeaf, key: kLeaf, value: vAll, heads: 2, keyBias: kb, positionBias: pbAll, scale: 1)
            .output.sumToShape([]).backward()
        assertClose(vLeaf.grad!, vAll.grad!, rtol: 0, atol: 0, "dValue with and without dQuery/dKey")
        assertClose(pbLeaf.grad!, pbAll.grad!, rtol: 0, atol: 0, "dPositionBias with and without dQuery/dKey")
        // Inference (no tape, P in per-worker scratch) gives the same output.
        let inference = withNoGrad {
            Tensor.attention(query: qLeaf, key: kLeaf, value: vAll, heads: 2, keyBias: kb, positionBias: pbAll, scale: 1).output
        }
        assertClose(inference, a.output, rtol: 0, atol: 0, "no-grad output")
    }

    func testFullyMaskedKeysStayFinite() {
        var rng = SeededRNG(seed: 45)
        let c = AttentionConfig(batch: 2, heads: 2, lq: 3, lk: 4, dk: 2, dv: 2)
        let (q, k, v, _, _) = c.inputs(&rng, dtype: .float32)
        // Batch item 1 has every key padded.
        let kb = Tensor([0, 0, -1e9, -1e9, -1e9, -1e9, -1e9, -1e9], shape: [2, 4])
        let a = Tensor.attention(query: q, key: k, value: v, heads: 2, keyBias: kb, returnWeights: true)
        XCTAssertTrue(a.output.doubles.allSatisfy { $0.isFinite })
        XCTAssertTrue(a.weights!.doubles.allSatisfy { $0.isFinite })
        XCTAssertEqual(a.weights!.doubles[2], 0, "a padded key of batch item 0 gets no weight")
    }

    /// Keys after a batch item's last unmasked key are skipped by the kernel (a memory padded
    /// to the batch's longest document); the result must equal the full computation: here
    /// items with 0, 2, 5 and 2 trailing masked keys and masked keys before the last unmasked one
    /// (fully masked items: `testFullyMaskedKeysStayFinite`).
    func testTrailingMaskedKeysPerBatchItem() {
        var rng = SeededRNG(seed: 46)
        let c = AttentionConfig(batch: 4, heads: 2, lq: 3, lk: 6, dk: 2, dv: 3, keyBias: true)
        let (q, k, v, _, _) = c.inputs(&rng)
        let m = -1e9
        let kb = Tensor([0.1, -0.2, 0.3, 0, 0.2, -0.1,
                         0.2, m, 0.1, -0.3, m, m,
                         0.4, m, m, m, m, m,
                         m, 0.1, m, 0.2, m, m], shape: [4, 6], as: Double.self)
        let a = Tensor.attention(query: q, key: k, value: v, heads: c.heads, keyBias: kb, returnWeights: true)
        let ref = naiveAttention(c, q: q.doubles, k: k.doubles, v: v.doubles, kb: kb.doubles, pb: nil)
        assertClose(a.output.doubles, ref.output, rtol: 1e-12, atol: 1e-13, "output")
        assertClose(a.weights!.doubles, ref.weights, rtol: 1e-12, atol: 1e-13, "weights")
        checkGradients([q, k, v], "attention with trailing masked keys") { xs in
            Tensor.attention(query: xs[0], key: xs[1], value: xs[2], heads: c.heads, keyBias: kb).output
        }
        let causal = AttentionConfig(batch: 4, heads: 2, lq: 3, lk: 6, dk: 2, dv: 3, causal: true, keyBias: true)
        let refCausal = naiveAttention(causal, q: q.doubles, k: k.doubles, v: v.doubles, kb: kb.doubles, pb: nil)
        let aCausal = Tensor.attention(query: q, key: k, value: v, heads: 2, keyBias: kb, causal: true)
        assertClose(aCausal.output.doubles, refCausal.output, rtol: 1e-12, atol: 1e-13, "causal output")
    }

    func testFloat32AgreesWithFloat64AndThreadCountDoesNotMatter() {
        var rng = SeededRNG(seed: 46)
        let c = AttentionConfig(batch: 3, heads: 4, lq: 20, lk: 24, dk: 16, dv: 16, causal: true, keyBias: true, positionBias: true, scale: 1)
        let (q, k, v, kb, pb) = c.inputs(&rng)
        func run(_ dtype: DType) -> [Tensor] {
            let leaves = [q, k, v, pb!].map { $0.converted(to: dtype).requiringGrad() }
            let o = Tensor.attention(query: leaves[0], key: leaves[1], value: leaves[2], heads: 4, keyBias: kb!.converted(to: dtype),
                                     causal: true, positionBias: leaves[3], scale: 1).output
            o.sumToShape([]).backward()
            return [o] + leaves.map { $0.grad! }
        }
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        Parallel.threads = 2
        let double = run(.float64), single = run(.float32)
        for (i, name) in ["output", "dQuery", "dKey", "dValue", "dPositionBias"].enumerated() {
            assertClose(single[i].doubles, double[i].doubles, rtol: 1e-4, atol: 1e-4, "float32 \(name)")
        }
        Parallel.threads = 1
        let serial = run(.float32)
        for i in 0..<5 { XCTAssertEqual(serial[i].scalars, single[i].scalars, "1 thread vs 2 threads, tensor \(i)") }
    }

    func testShapeErrorsNameEveryShape() {
        XCTAssertNil(ShapeCheck.attention(query: [2, 3, 8], key: [2, 5, 8], value: [2, 5, 6], heads: 2, keyBias: [2, 5], positionBias: [2, 3, 5]))
        XCTAssertEqual(ShapeCheck.attention(query: [2, 3, 8], key: [2, 5, 8], value: [2, 5, 8], heads: 3, keyBias: nil, positionBias: nil),
                       "attention: query [2, 3, 8], key [2, 5, 8], value [2, 5, 8], heads 3: query width 8 is not a positive multiple of 3 heads")
        XCTAssertEqual(ShapeCheck.attention(query: [2, 3, 8], key: [2, 5, 8], value: [2, 5, 8], heads: 2, keyBias: [2, 3], positionBias: nil),
                       "attention: query [2, 3, 8], key [2, 5, 8], value [2, 5, 8], heads 2, keyBias [2, 3]: keyBias must be [2, 5]")
        XCTAssertEqual(ShapeCheck.attention(query: [2, 3, 8], key: [2, 5, 8], value: [2, 4, 8], heads: 2, keyBias: nil, positionBias: [2, 3, 5]),
                       "attention: query [2, 3, 8], key [2, 5, 8], value [2, 4, 8], heads 2, positionBias [2, 3, 5]: key and value lengths differ")
        XCTAssertEqual(ShapeCheck.attention(query: [2, 3, 8], key: [2, 5, 8], value: [2, 5, 8], heads: 2, keyBias: nil, positionBias: [1, 2, 3, 5]),
                       "attention: query [2, 3, 8], key [2, 5, 8], value [2, 5, 8], heads 2, positionBias [1, 2, 3, 5]: positionBias must be [2, 3, 5]")
    }

    func testMatchesPyTorchFixture() throws {
        for c in try FusedFixture.load("attention.json") {
            let q = c.tensor("query").requiringGrad(), k = c.tensor("key").requiringGrad(), v = c.tensor("value").requiringGrad()
            let pb = c.tensors["positionBias"].map { _ in c.tensor("positionBias").requiringGrad() }
            let kb = c.tensors["keyBias"].map { _ in c.tensor("keyBias") }
            let a = Tensor.attention(query: q, key: k, value: v, heads: Int(c.params["heads"]!), keyBias: kb,
                                     causal: c.params["causal"] == 1, positionBias: pb, scale: c.params["scale"], returnWeights: true)
            assertClose(a.output, c.tensor("output"), rtol: 1e-10, atol: 1e-12, "\(c.name) output")
            assertClose(a.weights!, c.tensor("weights"), rtol: 1e-10, atol: 1e-12, "\(c.name) weights")
            a.output.backward(seed: c.tensor("gradOutput"))
            assertClose(q.grad!, c.tensor("dQuery"), rtol: 1e-10, atol: 1e-12, "\(c.name) dQuery")
            assertClose(k.grad!, c.tensor("dKey"), rtol: 1e-10, atol: 1e-12, "\(c.name) dKey")
            assertClose(v.grad!, c.tensor("dValue"), rtol: 1e-10, atol: 1e-12, "\(c.name) dValue")
            if let pb { assertClose(pb.grad!, c.tensor("dPositionBias"), rtol: 1e-10, atol: 1e-12, "\(c.name) dPositionBias") }
        }
    }
}

/// A case of a PyTorch fixture under Fixtures/fused (see make_fused_fixtures.py for the format).
struct FusedFixture: Decodable {
    struct Stored: Decodable {
        let shape: [Int]
        let data: [Double]
    }

    let name: String
    let params: [String: Double]
    let tensors: [String: Stored]

    /// The named tensor as Float64.
    func tensor(_ key: String) -> Tensor {
        guard let t = tensors[key] else { preconditionFailure("fixture case \(name) has no tensor '\(key)'") }
        return Tensor(t.data, shape: t.shape, as: Double.self)
    }

    /// Every case of `Fixtures/fused/<file>`.
    static func load(_ file: String) throws -> [FusedFixture] {
        struct File: Decodable { let cases: [FusedFixture] }
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil), "Fixtures folder missing from the test bundle")
        let data = try Data(contentsOf: url.appendingPathComponent("fused").appendingPathComponent(file))
        return try JSONDecoder().decode(File.self, from: data).cases
    }
}
