import XCTest
import Models
import NeuralNet
import TensorCore

/// The exact-match feature: with the switch on the model reads the marks (they change its
/// output and get a gradient). The marks themselves come from DocData (QuestionWordMatchTests).
final class QuestionMatchTests: XCTestCase {
    func testSwitchChangesTheEncodingAndTrainsItsEmbedding() {
        var config = TinyModels.configuration()
        config.questionMatch = true
        var rng = SeededRNG(seed: 5)
        let model = HiVT5(config, rng: &rng)
        var batch = TinyModels.randomBatch(pagesPerQuestion: [2, 1], seed: 6)
        // Mark every third OCR position.
        batch.answerPass.questionMatch = batch.answerPass.segments.enumerated().map { i, s in
            s == PageSegment.ocr.rawValue && i % 3 == 0
        }
        model.zeroGrad()
        let loss = model.loss(batch)
        loss.total.backward()
        let grad = model.pageEncoder.questionMatchEmbedding!.weight.grad!
        XCTAssertTrue(grad.doubles.contains { $0 != 0 })
        var flipped = batch
        flipped.answerPass.questionMatch = batch.answerPass.questionMatch!.map { !$0 }
        XCTAssertNotEqual(withNoGrad { model.loss(flipped).total.item }, withNoGrad { model.loss(batch).total.item })
    }
}
