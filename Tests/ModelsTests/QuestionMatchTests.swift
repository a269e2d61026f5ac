import XCTest
import Models
import NeuralNet
import TensorCore

/// The exact-match feature: OCR tokens that occur in the row's question are marked, and with
/// the switch on the model reads the marks (they change its output and get a gradient).
final class QuestionMatchTests: XCTestCase {
    func testMarksOnlyOCRTokensThatOccurInTheSameRowsQuestion() {
        // Row 0: question [7, 8], OCR [8, 9, 7]; row 1: question [9], OCR [7, 9]; the last position is padding.
        let s = PageSegment.summary.rawValue, q = PageSegment.question.rawValue, o = PageSegment.ocr.rawValue
        var input = PageEncoderInput(rows: 2, length: 7, summarySlots: 1,
                                     tokens: [3, 7, 8, 8, 9, 7, 7, 3, 9, 7, 9, 0, 0, 0],
                                     boxes: [Int32](repeating: 0, count: 56),
                                     segments: [s, q, q, o, o, o, o, s, q, o, o, o, o, o],
                                     tokenValid: [true, true, true, true, true, true, false, true, true, true, true, false, false, false])
        input.markQuestionMatches()
        XCTAssertEqual(input.questionMatch, [false, false, false, true, false, true, false,
                                             false, false, false, true, false, false, false])
    }

    func testSwitchChangesTheEncodingAndTrainsItsEmbedding() {
        var config = TinyModels.configuration()
        config.questionMatch = true
        var rng = SeededRNG(seed: 5)
        let model = HiVT5(config, rng: &rng)
        var batch = TinyModels.randomBatch(pagesPerQuestion: [2, 1], seed: 6)
        batch.answerPass.markQuestionMatches()
        let marked = batch.answerPass.questionMatch!.filter { $0 }.count
        XCTAssertGreaterThan(marked, 0, "the random batch should share some question and OCR tokens")
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
