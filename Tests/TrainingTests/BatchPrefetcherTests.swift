import DocData
import Models
import Training
import XCTest

/// `BatchPrefetcher` returns exactly `TrainingBatches.batch(step:)` for every step, whether the
/// next batch is built on its background thread or left to `buildNext()`, and whether or not
/// the caller got round to calling `buildNext()` (then `batch(step:)` builds it itself).
final class BatchPrefetcherTests: XCTestCase {
    func batches() throws -> TrainingBatches {
        let tokenizer = try BPETrainer(vocabularySize: 8 + 256, specialTokens: SpecialTokens(pageSlotCount: 2)).train()
        let builder = try BatchBuilder(tokenizer: tokenizer, config: BatchConfig(summarySlots: 2, prompt: "{question}"))
        let items = (0..<10).map { q in
            BatchItem(questionId: q, question: "q\(q)?", answers: ["a\(q)", "b\(q)"], answerPageIndex: q % 2, pages: [
                PageInput(words: [OCRWord(text: "a\(q)", left: 0, top: 0, right: 0.5, bottom: 0.5)]),
                PageInput(words: [OCRWord(text: "b\(q)", left: 0.5, top: 0.5, right: 1, bottom: 1)]),
            ])
        }
        return TrainingBatches(source: .fixed(QuestionSet(split: "train", items: items)), builder: builder, probeBuilder: nil,
                               batchSize: 3, seed: 5, pageWindow: 0, singlePageWarmupSteps: 0, spanLabels: false,
                               extractiveAnswers: false)
    }

    func testEveryStepIsTheBatchOfThatStep() throws {
        let batches = try batches()
        for (inBackground, callsBuildNext) in [(true, false), (false, true), (false, false)] {
            let prefetcher = BatchPrefetcher(batches, inBackground: inBackground)
            for step in 0..<7 {
                XCTAssertEqual(prefetcher.batch(step: step), batches.batch(step: step),
                               "step \(step), in background \(inBackground), buildNext \(callsBuildNext)")
                if callsBuildNext { prefetcher.buildNext() }
            }
            // A jump (a resumed run) is built on the spot.
            XCTAssertEqual(prefetcher.batch(step: 20), batches.batch(step: 20))
        }
    }
}
