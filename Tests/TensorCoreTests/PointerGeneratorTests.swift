import Foundation
import XCTest
import TensorCore
import TestSupport

/// The fused pointer-generator loss against the textbook mixture computed naively in Double,
/// its gradient against finite differences, and the inference distribution against the loss.
final class PointerGeneratorTests: XCTestCase {
    /// −log(σ(s)·softmax(z)_y + (1 − σ(s))·Σ_k softmax(c)_k·match_k), averaged over kept rows.
    static func naiveLoss(z: [Double], c: [Double], s: [Double], match: [Bool], targets: [Int32], v: Int, m: Int) -> Double {
        var total = 0.0, kept = 0
        for r in targets.indices where targets[r] != -100 {
            let pv = naiveSoftmaxRows(Array(z[(r * v)..<((r + 1) * v)]), n: v)
            let a = naiveSoftmaxRows(Array(c[(r * m)..<((r + 1) * m)]), n: m)
            let g = 1 / (1 + exp(-s[r]))
            var copied = 0.0
            for k in 0..<m where match[r * m + k] { copied += a[k] }
            total -= log(g * pv[Int(targets[r])] + (1 - g) * copied)
            kept += 1
        }
        return kept == 0 ? 0 : total / Double(kept)
    }

    /// Rows: matched on one or two slots, unmatched, ignored; one masked slot (−1e9).
    static func example(rng: inout SeededRNG, n: Int = 5, v: Int = 7, m: Int = 4)
        -> (z: Tensor, c: Tensor, s: Tensor, match: [Bool], targets: [Int32]) {
        let z = Tensor.randn([n, v], std: 1.5, dtype: .float64, rng: &rng)
        var cValues = Tensor.randn([n, m], std: 1.5, dtype: .float64, rng: &rng).doubles
        cValues[m - 1] = -1e9
        let c = Tensor(cValues, shape: [n, m], as: Double.self)
        let s = Tensor.randn([n], std: 1.5, dtype: .float64, rng: &rng)
        var match = [Bool](repeating: false, count: n * m)
        match[0 * m + 1] = true
        match[1 * m + 0] = true; match[1 * m + 2] = true
        match[3 * m + 3] = true  // the masked slot matches: its share is ~0
        match[4 * m + 2] = true
        let targets: [Int32] = [3, 0, 5, -100, 6]
        return (z, c, s, match, targets)
    }

    func testLossMatchesNaiveMixture() {
        var rng = SeededRNG(seed: 5)
        for dtype in [DType.float64, .float32] {
            let e = Self.example(rng: &rng)
            let loss = Tensor.pointerGeneratorLoss(vocabLogits: e.z.converted(to: dtype), copyLogits: e.c.converted(to: dtype),
                                                   gateLogits: e.s.converted(to: dtype), copyMatch: e.match, targets: e.targets)
            let expected = Self.naiveLoss(z: e.z.doubles, c: e.c.doubles, s: e.s.doubles, match: e.match, targets: e.targets, v: 7, m: 4)
            XCTAssertEqual(loss.item, expected, accuracy: dtype == .float64 ? 1e-12 : 1e-5, "\(dtype)")
        }
    }

    func testExtremeLogitsStayFinite() {
        // A vocabulary probability of e^-200 with the copy path holding the mass, and the reverse.
        let z = Tensor([0, 200, 0], shape: [1, 3]).converted(to: .float32)
        let c = Tensor([50, -50], shape: [1, 2])
        // −log P ≈ 0 (copied), ≈ 30 (the gate's e^-30 share of copying beats e^-200), ≈ 200 (nothing to copy).
        for (gate, match, expected) in [(Float(-30), true, 0.0), (Float(30), true, 30.0), (Float(30), false, 200.0)] {
            let loss = Tensor.pointerGeneratorLoss(vocabLogits: z, copyLogits: c, gateLogits: Tensor([gate], shape: [1]),
                                                   copyMatch: [match, false], targets: [0])
            XCTAssertTrue(loss.item.isFinite)
            XCTAssertEqual(loss.item, expected, accuracy: 1e-3, "gate \(gate)")
        }
    }

    func testGradientsMatchFiniteDifferences() {
        var rng = SeededRNG(seed: 6)
        for (n, v, m) in [(5, 7, 4), (1, 2, 1), (6, 3, 4)] {
            var e = Self.example(rng: &rng, n: 5, v: v, m: max(m, 4))
            if n != 5 || m < 4 {
                // Shapes with size-1 axes: fresh tensors, every row matched on its first slot or none.
                let mm = m
                e.z = Tensor.randn([n, v], std: 1.5, dtype: .float64, rng: &rng)
                e.c = Tensor.randn([n, mm], std: 1.5, dtype: .float64, rng: &rng)
                e.s = Tensor.randn([n], std: 1.5, dtype: .float64, rng: &rng)
                e.match = (0..<(n * mm)).map { $0 % mm == 0 && ($0 / mm) % 2 == 0 }
                e.targets = (0..<n).map { Int32($0 % v) }
            }
            let match = e.match, targets = e.targets
            checkGradients([e.z, e.c, e.s], "pointerGeneratorLoss [\(n), \(v)] × [\(n), \(m)]") { x in
                Tensor.pointerGeneratorLoss(vocabLogits: x[0], copyLogits: x[1], gateLogits: x[2], copyMatch: match, targets: targets)
            }
        }
    }

    /// The inference distribution sums to 1 and gives each target the probability the loss uses.
    func testLogProbabilitiesAgreeWithTheLoss() {
        var rng = SeededRNG(seed: 7)
        let n = 4, v = 9, m = 5
        let z = Tensor.randn([n, v], std: 1.5, dtype: .float64, rng: &rng)
        let c = Tensor.randn([n, m], std: 1.5, dtype: .float64, rng: &rng)
        let s = Tensor.randn([n], std: 1.5, dtype: .float64, rng: &rng)
        let slotTokens: [Int32] = [2, 2, 5, -1, 8, 0, 1, 2, 3, 4, -1, -1, -1, 7, 7, 3, -1, 3, 3, 6]
        // Slots without a source token are masked in the loss as a decoder masks them.
        let masked = Tensor(zip(c.doubles, slotTokens).map { $1 >= 0 ? $0 : -1e9 }, shape: [n, m], as: Double.self)
        let logP = Tensor.pointerGeneratorLogProbabilities(vocabLogits: z, copyLogits: masked, gateLogits: s, slotTokens: slotTokens).doubles
        for r in 0..<n {
            let total = (0..<v).reduce(0.0) { $0 + exp(logP[r * v + $1]) }
            XCTAssertEqual(total, 1, accuracy: 1e-12, "row \(r)")
            for y in 0..<v {
                let one = { (t: Tensor) in t.slice(axis: 0, r..<(r + 1)) }
                let match = (0..<m).map { slotTokens[r * m + $0] == Int32(y) }
                let loss = Tensor.pointerGeneratorLoss(vocabLogits: one(z), copyLogits: one(masked), gateLogits: one(s),
                                                       copyMatch: match, targets: [Int32(y)])
                XCTAssertEqual(-loss.item, logP[r * v + y], accuracy: 1e-9, "row \(r) token \(y)")
            }
        }
    }

    func testEveryRowIgnoredGivesZeroLossAndGradient() {
        var rng = SeededRNG(seed: 8)
        let z = Tensor.randn([2, 3], dtype: .float64, rng: &rng).requiringGrad()
        let c = Tensor.randn([2, 2], dtype: .float64, rng: &rng).requiringGrad()
        let s = Tensor.randn([2], dtype: .float64, rng: &rng).requiringGrad()
        let loss = Tensor.pointerGeneratorLoss(vocabLogits: z, copyLogits: c, gateLogits: s, copyMatch: [true, false, false, true],
                                               targets: [-100, -100])
        XCTAssertEqual(loss.item, 0)
        loss.backward()
        XCTAssertEqual(z.grad?.doubles, [0, 0, 0, 0, 0, 0])
        XCTAssertEqual(s.grad?.doubles, [0, 0])
    }
}
