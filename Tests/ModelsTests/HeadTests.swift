import XCTest
import Foundation
import Models
import NeuralNet
import TensorCore
import TestSupport

/// Page-head pooling, masking and the decoder-attention scorer against hand computations.
final class HeadTests: XCTestCase {
    func testPoolingModes() {
        var rng = SeededRNG(seed: 91)
        let (r, k, d) = (3, 4, 5)
        let s = Tensor.randn([r, k, d], rng: &rng)
        let x = s.doubles
        func at(_ row: Int, _ slot: Int, _ j: Int) -> Double { x[(row * k + slot) * d + j] }
        for pooling in HiVT5Configuration.Pooling.allCases {
            let head = PageHead(modelDim: d, hiddenDim: 3, pooling: pooling, rng: &rng)
            var expected = [Double](repeating: 0, count: r * d)
            for row in 0..<r {
                var alpha = [Double](repeating: 0, count: k)
                if pooling == .attention {
                    let q = head.poolingQuery!.doubles
                    let logits = (0..<k).map { slot in (0..<d).reduce(0) { $0 + at(row, slot, $1) * q[$1] } / Double(d).squareRoot() }
                    let m = logits.max()!, e = logits.map { Foundation.exp($0 - m) }, z = e.reduce(0, +)
                    alpha = e.map { $0 / z }
                }
                for j in 0..<d {
                    let column = (0..<k).map { at(row, $0, j) }
                    switch pooling {
                    case .max: expected[row * d + j] = column.max()!
                    case .mean: expected[row * d + j] = column.reduce(0, +) / Double(k)
                    case .first: expected[row * d + j] = column[0]
                    case .attention: expected[row * d + j] = zip(alpha, column).reduce(0) { $0 + $1.0 * $1.1 }
                    }
                }
            }
            assertClose(head.pool(s).doubles, expected, shape: [r, d], rtol: 1e-5, atol: 1e-6, "\(pooling) pooling")
        }
    }

    /// Every pooling's gradient with respect to the summaries, by finite differences in Double.
    func testPoolingGradients() {
        var rng = SeededRNG(seed: 92)
        let s = Tensor.randn([3, 4, 5], dtype: .float64, rng: &rng)
        for pooling in HiVT5Configuration.Pooling.allCases {
            let head = PageHead(modelDim: 5, hiddenDim: 3, pooling: pooling, dtype: .float64, rng: &rng)
            checkGradients([s], "\(pooling) pooling") { head.pool($0[0]) }
        }
    }

    /// The head's scores and contains logits with a padded page (only real pages go through
    /// the head): gradients with respect to the summaries by finite differences in Double;
    /// the padded page scores exactly −1e9 and its summaries get no gradient.
    func testHeadGradientsWithAPaddedPage() {
        var rng = SeededRNG(seed: 93)
        let s = Tensor.randn([4, 3, 5], dtype: .float64, rng: &rng)
        let valid = [true, true, true, false]
        for pooling in HiVT5Configuration.Pooling.allCases {
            let head = PageHead(modelDim: 5, hiddenDim: 3, pooling: pooling, dtype: .float64, rng: &rng)
            let out = head(summaries: s, batchSize: 2, pageCount: 2, pageValid: valid)
            XCTAssertEqual(out.scores.doubles[3], -1e9, "\(pooling): padded page score")
            checkGradients([s], "\(pooling) head with a padded page") { xs in
                // Real pages only: the constant −1e9 would swamp a finite difference of the sum.
                let o = head(summaries: xs[0], batchSize: 2, pageCount: 2, pageValid: valid)
                return (o.scores + o.containsLogits).reshaped([4, 1]).gatherRows([0, 1, 2], shape: [3])
            }
            let leaf = s.detached().requiringGrad()
            let o = head(summaries: leaf, batchSize: 2, pageCount: 2, pageValid: valid)
            (o.scores + o.containsLogits).sum().backward()
            XCTAssertEqual(Array(leaf.grad!.doubles[45..<60]), [Double](repeating: 0, count: 15), "\(pooling): padded page gradient")
        }
    }

    /// The head scores each page from its own summaries: permuting pages permutes scores,
    /// and a question's score of a page does not depend on its other pages.
    func testScoresArePerPageAndMasked() {
        var rng = SeededRNG(seed: 92)
        let head = PageHead(modelDim: 6, hiddenDim: 4, pooling: .mean, rng: &rng)
        let s = Tensor.randn([4, 2, 6], rng: &rng)                 // B = 2, P = 2
        let out = head(summaries: s, batchSize: 2, pageCount: 2, pageValid: [true, true, true, false]).scores.doubles
        let swapped = Tensor.concat([s.rows(1..<2), s.rows(0..<1)], axis: 0)
        let single = head(summaries: swapped, batchSize: 1, pageCount: 2, pageValid: [true, true]).scores.doubles
        XCTAssertEqual(single[0], out[1], accuracy: 1e-6)
        XCTAssertEqual(single[1], out[0], accuracy: 1e-6)
        XCTAssertEqual(out[3], -1e9)
    }

    func testDecoderAttentionScorerSumsSlotsAndAveragesHeadsAndLayers() {
        // B = 1, H = 2, Lq = 2 (only query 0 counts), P = 2, K = 2.
        let layer0 = Tensor([0.1, 0.2, 0.3, 0.4,   9, 9, 9, 9,
                             0.5, 0.5, 0.0, 0.0,   9, 9, 9, 9], shape: [1, 2, 2, 4])
        let layer1 = Tensor([0.0, 0.0, 0.5, 0.5,   9, 9, 9, 9,
                             0.25, 0.25, 0.25, 0.25, 9, 9, 9, 9], shape: [1, 2, 2, 4])
        let scores = DecoderAttentionPageScorer.scores(crossAttentionWeights: [layer0, layer1], pageCount: 2, summaryTokens: 2)
        // page 0: (0.3 + 1.0 + 0.0 + 0.5) / 4 = 0.45; page 1: (0.7 + 0.0 + 1.0 + 0.5) / 4 = 0.55
        assertClose(scores[0], [0.45, 0.55], rtol: 1e-6, atol: 1e-6, "attention mass per page")
    }

    func testLayoutEmbeddingSumsTheBoxTablesOnOCRTokensOnly() {
        var rng = SeededRNG(seed: 93)
        let layout = LayoutEmbedding(buckets: 10, dimension: 3, rng: &rng)
        let boxes: [Int32] = [100, 200, 350, 260,   0, 0, 0, 0,   999, 0, 1000, 1000]
        let segments: [Int32] = [PageSegment.ocr.rawValue, PageSegment.question.rawValue, PageSegment.ocr.rawValue]
        let out = layout(boxes: boxes, segments: segments, rows: 1, length: 3).doubles
        let x = layout.x.weight.doubles, y = layout.y.weight.doubles
        let w = layout.width.weight.doubles, h = layout.height.weight.doubles
        func row(_ table: [Double], _ i: Int) -> [Double] { Array(table[(3 * i)..<(3 * i + 3)]) }
        func sum(_ rows: [[Double]]) -> [Double] { (0..<3).map { j in rows.reduce(0) { $0 + $1[j] } } }
        // Bucket = value · 10 / 1001: 100→0, 200→1, 350→3, 260→2, width 250→2, height 60→0.
        let first = sum([row(x, 0), row(x, 3), row(y, 1), row(y, 2), row(w, 2), row(h, 0)])
        // 999→9, 0→0, 1000→9, 1000→9, width 1→0, height 1000→9.
        let third = sum([row(x, 9), row(x, 9), row(y, 0), row(y, 9), row(w, 0), row(h, 9)])
        assertClose(out, first + [0, 0, 0] + third, shape: [1, 3, 3], rtol: 1e-6, atol: 1e-6, "layout vectors")
    }
}
