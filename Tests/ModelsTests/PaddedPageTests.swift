import XCTest
import Models
import NeuralNet
import TensorCore
import TestSupport

/// A padded page slot can change no output and can never be predicted.
final class PaddedPageTests: XCTestCase {
    /// Question 1 has one real page and two padded slots; writing arbitrary content into
    /// the padded slots (tokens, boxes, segments, validity of no token, patches) leaves
    /// every output of the real pages unchanged.
    func testPaddedPageContentChangesNothing() {
        for summarizer in HiVT5Configuration.Summarizer.allCases {
            var rng = SeededRNG(seed: 11)
            let model = HiVT5(TinyModels.configuration(summarizer: summarizer, visual: .patches), rng: &rng)
            let batch = TinyModels.randomBatch(pagesPerQuestion: [3, 1], probe: true, patches: true, seed: 2)
            let altered = Self.fillingPaddedSlots(of: batch, seed: 99)
            XCTAssertNotEqual(batch.answerPass.tokens, altered.answerPass.tokens, "the padded slots really changed")

            let weights = LossWeights(page: 1, span: 0.5, contains: 0.5)
            let a = model.loss(batch, weights: weights), b = model.loss(altered, weights: weights)
            for (name, x, y) in [("total", a.total.item, b.total.item), ("answer", a.answer, b.answer), ("page", a.page, b.page),
                                 ("span", a.span, b.span), ("contains", a.contains, b.contains)] {
                XCTAssertEqual(x, y, accuracy: 1e-6 * max(1, abs(x)), "\(summarizer) loss term \(name)")
            }
            let outA = model.forward(model.encode(batch), targets: batch.targets)
            let outB = model.forward(model.encode(altered), targets: altered.targets)
            assertClose(outB.answerLogits, outA.answerLogits, rtol: 1e-6, atol: 1e-6, "\(summarizer) answer logits")
            assertClose(outB.pageScores, outA.pageScores, rtol: 1e-6, atol: 1e-6, "\(summarizer) page scores")

            let genA = model.generate(batch, options: GenerationOptions(maxLength: 5, beams: 2))
            let genB = model.generate(altered, options: GenerationOptions(maxLength: 5, beams: 2))
            XCTAssertEqual(genA.tokens, genB.tokens, "\(summarizer) generated answers")
            XCTAssertEqual(genA.predictedPage, genB.predictedPage)
            assertClose(genB.decoderAttentionPageScores.flatMap { $0 }, genA.decoderAttentionPageScores.flatMap { $0 },
                        rtol: 1e-6, atol: 1e-7, "\(summarizer) decoder-attention page scores")
            XCTAssertEqual(genA.pageScores[1][1], -1e9, "a padded page's head score")
            XCTAssertEqual(genA.decoderAttentionPageScores[1][1], 0, "a padded page's attention mass")
            XCTAssertEqual(genA.decoderAttentionPageScores[1][0], 1, accuracy: 1e-5, "all mass on the one real page")
        }
    }

    /// Even a padded slot holding a copy of the answer page is never predicted, and its
    /// softmax probability is exactly 0.
    func testPaddedPageIsNeverPredicted() {
        var rng = SeededRNG(seed: 12)
        let model = HiVT5(TinyModels.configuration(pooling: .max), rng: &rng)
        let batch = TinyModels.randomBatch(pagesPerQuestion: [2, 1, 2], seed: 5)
        // Question 1 (rows 2, 3 of P = 2) has one real page: copy it into its padded slot.
        var input = batch.answerPass
        let l = input.length, source = 2 * l, target = 3 * l
        for i in 0..<l {
            input.tokens[target + i] = input.tokens[source + i]
            input.segments[target + i] = input.segments[source + i]
            for c in 0..<4 { input.boxes[4 * (target + i) + c] = input.boxes[4 * (source + i) + c] }
        }
        let copied = QuestionBatch(batchSize: batch.batchSize, pageCount: batch.pageCount, answerPass: input,
                                   pageValid: batch.pageValid, targets: batch.targets)
        let scores = model.forward(model.encode(copied), targets: copied.targets).pageScores
        XCTAssertEqual(scores.doubles[3], -1e9)
        let probabilities = scores.softmax().doubles
        XCTAssertEqual(probabilities[3], 0, "probability of the padded slot")
        XCTAssertEqual(probabilities[2], 1, accuracy: 1e-6)
        let result = model.generate(copied, options: GenerationOptions(maxLength: 3))
        XCTAssertEqual(result.predictedPage[1], 0)
        XCTAssertEqual(result.predictedPageByAttention[1], 0)
    }

    /// `batch` with random content written into every padded page slot (still marked padded).
    static func fillingPaddedSlots(of batch: QuestionBatch, seed: UInt64) -> QuestionBatch {
        var rng = SeededRNG(seed: seed)
        func fill(_ input: PageEncoderInput) -> PageEncoderInput {
            var out = input
            let l = input.length
            for row in 0..<input.rows where !batch.pageValid[row] {
                for i in (row * l)..<((row + 1) * l) {
                    out.tokens[i] = Int32(rng.nextInt(below: TinyModels.vocab))
                    out.segments[i] = Int32(rng.nextInt(below: 4))
                    for c in 0..<4 { out.boxes[4 * i + c] = Int32(rng.nextInt(below: 1001)) }
                }
                if var patches = out.patches {
                    let per = patches.count * patches.pixels
                    for i in (row * per)..<((row + 1) * per) { patches.values[i] = Float(10 * rng.nextNormal()) }
                    out.patches = patches
                }
            }
            return out
        }
        var targets = batch.targets
        if var span = targets.spanLabels {
            let l = batch.answerPass.length
            for row in 0..<(batch.batchSize * batch.pageCount) where !batch.pageValid[row] {
                for i in (row * l)..<((row + 1) * l) { span[i] = AnswerTargets.ignoreIndex }
            }
            targets.spanLabels = span
        }
        return QuestionBatch(batchSize: batch.batchSize, pageCount: batch.pageCount, answerPass: fill(batch.answerPass),
                             probePass: batch.probePass.map(fill), pageValid: batch.pageValid, targets: targets)
    }
}
