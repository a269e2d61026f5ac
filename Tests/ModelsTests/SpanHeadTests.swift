import Foundation
import XCTest
import Models
import NeuralNet
import TensorCore

/// The span head's pointer loss edge cases and its span decoding, on hand-set logits.
final class SpanHeadTests: XCTestCase {
    /// Two questions × two pages × four positions; −100 marks non-OCR positions.
    func logits(_ start: [Float], _ end: [Float]) -> SpanHead.Logits {
        SpanHead.Logits(start: Tensor(start, shape: [4, 4]), end: Tensor(end, shape: [4, 4]))
    }

    func testPointerLossIsNilWithoutAnyOccurrenceAndSkipsUnansweredQuestions() {
        let zeros = [Float](repeating: 0, count: 16)
        let noAnswer = [Int32](repeating: 0, count: 16)
        XCTAssertNil(SpanHead.pointerLoss(logits(zeros, zeros), labels: noAnswer, batchSize: 2))
        // Question 0: answer = positions 1…2 of its page 1 among 8 OCR positions; question 1: none.
        var labels = noAnswer
        labels[4 + 1] = 1; labels[4 + 2] = 1
        let loss = SpanHead.pointerLoss(logits(zeros, zeros), labels: labels, batchSize: 2)!
        XCTAssertEqual(loss.item, Foundation.log(8), accuracy: 1e-6, "uniform logits: −log(1/8) for start and end alike")
        // Ignored positions take no probability mass.
        labels[0] = -100; labels[1] = -100
        XCTAssertEqual(SpanHead.pointerLoss(logits(zeros, zeros), labels: labels, batchSize: 2)!.item, Foundation.log(6), accuracy: 1e-6)
        // Two occurrences: the gold mass is the sum over both starts.
        labels[4 + 0] = 1; labels[4 + 1] = 0; labels[4 + 2] = 1
        XCTAssertEqual(SpanHead.pointerLoss(logits(zeros, zeros), labels: labels, batchSize: 2)!.item, Foundation.log(3), accuracy: 1e-6)
    }

    func testBestSpanStaysOnOnePageWithinTheLengthLimitAndOnCandidates() {
        var start = [Float](repeating: 0, count: 16), end = start
        // Question 0: pairing page 0's start 3 with page 1's end 0 would score 11; within pages
        // the best is page 1, 1…3 (2 + 2).
        start[3] = 5; end[3] = -10
        start[4] = -10; end[4] = 6; start[5] = 2; end[7] = 2
        // Question 1: page 0's 0…3 would score 10 but position 2 is not a candidate; page 1's
        // 0…3 would score 6 but is 4 tokens long (limit 3): the best is page 1, 0…0.
        start[8] = 1; end[11] = 9; start[11] = -20
        start[12] = 3; end[15] = 3
        var candidate = [Bool](repeating: true, count: 16)
        candidate[8 + 2] = false
        let spans = SpanHead.bestSpans(logits(start, end), candidate: candidate, batchSize: 2, maxTokens: 3)
        XCTAssertEqual(spans[0], ExtractedSpan(page: 1, start: 1, end: 3, score: 4))
        XCTAssertEqual(spans[1], ExtractedSpan(page: 1, start: 0, end: 0, score: 3))
        XCTAssertEqual(SpanHead.bestSpans(logits(start, end), candidate: [Bool](repeating: false, count: 16),
                                          batchSize: 2, maxTokens: 3), [nil, nil])
    }
}
