import XCTest
import Models
import NeuralNet
import TensorCore
import TestSupport

/// The encoder runs real rows in groups of similar length, each trimmed to its longest row
/// plus K − 1 positions (README "Performance"); every row's result must equal the one full-length pass.
final class LengthGroupTests: XCTestCase {
    func testGroupedEncodingEqualsOneFullLengthPass() {
        for summarizer in HiVT5Configuration.Summarizer.allCases {
            var rng = SeededRNG(seed: 21)
            let model = HiVT5(TinyModels.configuration(summarizer: summarizer), dtype: .float64, rng: &rng)
            // 8 questions, 27 real rows of 32: enough for several groups.
            let batch = Self.varyingLengths(TinyModels.randomBatch(pagesPerQuestion: [4, 4, 4, 3, 4, 2, 4, 2], length: 24, seed: 3), seed: 4)
            let input = batch.answerPass
            var none: SeededRNG? = nil
            let reference = model.pageEncoder(input, rng: &none)
            let grouped = model.encode(batch)
            let rows = input.rows, l = input.length, k = TinyModels.summarySlots, d = model.configuration.modelDim
            let s = grouped.summaries.doubles, sRef = reference.summaries.doubles
            let h = grouped.tokenStates!.doubles, hRef = reference.tokenStates.doubles
            for r in 0..<rows {
                if batch.pageValid[r] {
                    assertClose(Array(s[(r * k * d)..<((r + 1) * k * d)]), Array(sRef[(r * k * d)..<((r + 1) * k * d)]),
                                rtol: 1e-10, atol: 1e-12, "\(summarizer) summaries of row \(r)")
                    XCTAssertEqual(Array(grouped.slotTokens![(r * k)..<((r + 1) * k)]), Array(reference.slotTokens[(r * k)..<((r + 1) * k)]),
                                   "\(summarizer) slot tokens of row \(r)")
                    for position in 0..<l where input.tokenValid[r * l + position] {
                        let i = (r * l + position) * d
                        assertClose(Array(h[i..<(i + d)]), Array(hRef[i..<(i + d)]), rtol: 1e-10, atol: 1e-12,
                                    "\(summarizer) token state \(position) of row \(r)")
                    }
                } else {
                    XCTAssertTrue(s[(r * k * d)..<((r + 1) * k * d)].allSatisfy { $0 == 0 }, "a padded row's summaries are zero")
                }
            }
        }
    }

    /// The groups are sorted by length, cover every real row once, and are trimmed.
    func testGroupsAreTrimmedAndCoverEveryRealRow() {
        let batch = Self.varyingLengths(TinyModels.randomBatch(pagesPerQuestion: [4, 4, 4, 3, 4, 2, 4, 2], length: 24, seed: 3), seed: 4)
        let groups = HiVT5.lengthGroups(batch.answerPass)
        XCTAssertGreaterThan(groups.count, 1)
        XCTAssertEqual(groups.flatMap(\.rows).sorted(), batch.pageValid.indices.filter { batch.pageValid[$0] })
        XCTAssertTrue(groups.contains { $0.length < batch.answerPass.length }, "some group is shorter than the batch")
        XCTAssertEqual(groups.map(\.length), groups.map(\.length).sorted())
    }

    /// `batch` with every real row cut to a random number of OCR tokens (positions past it padded).
    static func varyingLengths(_ batch: QuestionBatch, seed: UInt64) -> QuestionBatch {
        var rng = SeededRNG(seed: seed)
        var input = batch.answerPass
        let l = input.length, ocrStart = TinyModels.summarySlots + 3
        for r in 0..<input.rows where batch.pageValid[r] {
            let keep = ocrStart + 3 + rng.nextInt(below: l - ocrStart - 3)
            for position in keep..<l {
                input.tokenValid[r * l + position] = false
                input.tokens[r * l + position] = 0
            }
        }
        return QuestionBatch(batchSize: batch.batchSize, pageCount: batch.pageCount, answerPass: input,
                             pageValid: batch.pageValid, targets: batch.targets)
    }
}
