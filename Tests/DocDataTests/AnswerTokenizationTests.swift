import DocData
import TensorCore
import XCTest

/// Answer targets use the tokens of the OCR words they can be copied from, and training
/// windows carry the document index of their first page.
final class AnswerTokenizationTests: XCTestCase {
    /// A BPE with merges (so that word-initial and word-inner pieces get different ids),
    /// learned from text like the synthetic documents'.
    static let tokenizer: BPETokenizer = {
        var trainer = try! BPETrainer(vocabularySize: 8 + 256 + 120, minimumPairCount: 2, digits: .grouped,
                                 specialTokens: SpecialTokens(pageSlotCount: 2))
        for _ in 0..<3 {
            trainer.add("Phone: (920) 857-9G67 Total: $14,520.26 Date: 05/11/2021 invoice 14,520.26 due 2021-05-11")
            trainer.add("call (920) 857-9G67 amount 14,520.26 on 05/11/2021 March 5, 2021")
        }
        return trainer.train()
    }()

    func testTargetsEqualTheOCRTokensOfTheAnswerWords() throws {
        let builder = try BatchBuilder(tokenizer: Self.tokenizer, config: BatchConfig(
            summarySlots: 2, prompt: "{question}", maxQuestionTokens: 8, maxOCRTokens: 64, maxAnswerTokens: 32))
        for answer in ["(920) 857-9G67", "$14,520.26", "14,520.26", "05/11/2021", "March 5, 2021"] {
            let words = ["Total:"] + answer.split(separator: " ").map(String.init) + ["due"]
            let page = PageInput(words: words.enumerated().map { i, text in
                OCRWord(text: text, left: Float(i) * 0.1, top: 0.1, right: Float(i) * 0.1 + 0.05, bottom: 0.2)
            })
            let item = BatchItem(questionId: 1, question: "what?", answers: [answer], answerPageIndex: 0, pages: [page])
            let batch = builder.build([item])
            let target = Array(batch.targetIDs.prefix { $0 != Self.tokenizer.endOfSequenceID })
            // The OCR tokens of the answer's words, in order (word index 1…n of the page).
            var ocr: [Int32] = []
            for l in 0..<batch.sequenceLength where batch.wordIndex[l] >= 1 && Int(batch.wordIndex[l]) <= words.count - 2 {
                ocr.append(batch.tokenIDs[l])
            }
            XCTAssertFalse(target.isEmpty, answer)
            XCTAssertEqual(target, ocr, "\(answer): target tokens differ from the OCR tokens of its words")
            XCTAssertEqual(Self.tokenizer.decode(target).trimmingCharacters(in: .whitespaces), answer)
        }
    }

    func testWindowsCarryTheirDocumentPageIndex() throws {
        let pages = (0..<20).map { i in PageInput(words: [OCRWord(text: "p\(i)", left: 0, top: 0, right: 0.1, bottom: 0.1)]) }
        let item = BatchItem(questionId: 1, question: "q", answers: ["p13"], answerPageIndex: 13, pages: pages)
        let window = item.window(start: 12, count: 2)
        XCTAssertEqual(window.firstPageIndex, 12)
        XCTAssertEqual(window.answerPageIndex, 1)
        XCTAssertEqual(window.window(start: 1, count: 1).firstPageIndex, 13, "a window of a window keeps the document index")
        let builder = try BatchBuilder(tokenizer: Self.tokenizer, config: BatchConfig(summarySlots: 2, prompt: "{question}"))
        XCTAssertEqual(builder.build([window, item]).firstPageIndex, [12, 0])
    }
}
