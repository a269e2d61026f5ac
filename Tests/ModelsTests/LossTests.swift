import XCTest
import Foundation
import Models
import NeuralNet
import TensorCore

/// Each loss term recomputed from the model's outputs by the textbook formulas, in Double.
final class LossTests: XCTestCase {
    func testLossTermsMatchTheirDefinitions() {
        var rng = SeededRNG(seed: 81)
        let model = HiVT5(TinyModels.configuration(), rng: &rng)
        let batch = TinyModels.randomBatch(pagesPerQuestion: [3, 1, 2], probe: true, seed: 82)
        let weights = LossWeights(page: 0.8, span: 0.6, contains: 0.4)
        let loss = model.loss(batch, weights: weights)
        let out = model.forward(model.encode(batch), targets: batch.targets)
        let t = batch.targets, b = batch.batchSize, p = batch.pageCount, v = TinyModels.vocab

        // Answer: mean over non-ignored positions of −log softmax(logits)[label].
        let logits = out.answerLogits.doubles
        var answer = 0.0, kept = 0
        for i in 0..<(b * t.length) where t.labels[i] != -100 {
            let row = Array(logits[(i * v)..<((i + 1) * v)])
            answer += Self.logSumExp(row) - row[Int(t.labels[i])]
            kept += 1
        }
        answer /= Double(kept)

        // Page: softmax over each question's real pages only.
        let scores = out.pageScores.doubles
        var page = 0.0
        for q in 0..<b {
            let real = (0..<p).filter { batch.pageValid[q * p + $0] }.map { scores[q * p + $0] }
            page += Self.logSumExp(real) - scores[q * p + Int(t.answerPage[q])]
        }
        page /= Double(b)

        // Contains: BCE of σ(logit) against 1 on the answer page, 0 on other real pages.
        let contains = out.containsLogits.doubles
        var containsLoss = 0.0, pages = 0
        for q in 0..<b { for slot in 0..<p where batch.pageValid[q * p + slot] {
            let y = slot == Int(t.answerPage[q]) ? 1.0 : 0.0
            containsLoss += Self.binaryCrossEntropy(contains[q * p + slot], y)
            pages += 1
        } }
        containsLoss /= Double(pages)

        // Span: per question, −log Σ_gold softmax over the OCR tokens of all its pages, for the
        // start (first token of a run of 1s) and the end (last token), halved, averaged over questions.
        let start = out.span!.start.doubles, end = out.span!.end.doubles, l = batch.answerPass.length
        let labels = t.spanLabels!
        var spanLoss = 0.0
        for q in 0..<b {
            var all: [Int] = [], starts: [Int] = [], ends: [Int] = []
            for i in (q * p * l)..<((q + 1) * p * l) where labels[i] != -100 {
                all.append(i)
                let first = i % l == 0 || labels[i - 1] != 1, last = i % l == l - 1 || labels[i + 1] != 1
                if labels[i] == 1 && first { starts.append(i) }
                if labels[i] == 1 && last { ends.append(i) }
            }
            XCTAssertFalse(starts.isEmpty)
            spanLoss += 0.5 * (Self.logSumExp(all.map { start[$0] }) - Self.logSumExp(starts.map { start[$0] })
                               + Self.logSumExp(all.map { end[$0] }) - Self.logSumExp(ends.map { end[$0] }))
        }
        spanLoss /= Double(b)

        XCTAssertEqual(loss.answer, answer, accuracy: 1e-5)
        XCTAssertEqual(loss.page, page, accuracy: 1e-5)
        XCTAssertEqual(loss.contains, containsLoss, accuracy: 1e-5)
        XCTAssertEqual(loss.span, spanLoss, accuracy: 1e-5)
        XCTAssertEqual(loss.total.item, answer + 0.8 * page + 0.6 * spanLoss + 0.4 * containsLoss, accuracy: 1e-4)
        XCTAssertEqual(loss.values["page"], loss.page)
    }

    /// Given contains-answer labels override the derived ones (−100 skips a page).
    func testGivenContainsLabelsAreUsed() {
        var rng = SeededRNG(seed: 83)
        let model = HiVT5(TinyModels.configuration(), rng: &rng)
        var batch = TinyModels.randomBatch(pagesPerQuestion: [2, 2], seed: 84)
        let labels: [Int32] = [1, 1, -100, 0]
        batch.targets.pageContainsAnswer = labels
        let loss = model.loss(batch, weights: LossWeights(page: 0, contains: 1))
        let logits = model.forward(model.encode(batch), targets: batch.targets).containsLogits.doubles
        let expected = (Self.binaryCrossEntropy(logits[0], 1) + Self.binaryCrossEntropy(logits[1], 1)
                        + Self.binaryCrossEntropy(logits[3], 0)) / 3
        XCTAssertEqual(loss.contains, expected, accuracy: 1e-5)
        XCTAssertEqual(loss.page, 0)
        XCTAssertEqual(loss.span, 0)
    }

    static func logSumExp(_ xs: [Double]) -> Double {
        let m = xs.max()!
        return m + Foundation.log(xs.reduce(0) { $0 + Foundation.exp($1 - m) })
    }

    /// −y·log σ(z) − (1−y)·log(1−σ(z)), computed stably.
    static func binaryCrossEntropy(_ z: Double, _ y: Double) -> Double {
        max(z, 0) - z * y + Foundation.log(1 + Foundation.exp(-abs(z)))
    }
}
