import XCTest
import DocData

/// Word-level exact match between OCR words and the question (the `encoder.question_match`
/// feature's marks): case, punctuation and regular suffixes do not matter, function words never match.
final class QuestionWordMatchTests: XCTestCase {
    func testNormalForms() {
        let expected: [(String, String?)] = [
            ("Invoice", "invoice"), ("DATES", "date"), ("Ordered", "order"), ("shipping", "ship"),
            ("Billing", "bill"), ("Signed", "sign"), ("signing", "sign"), ("is", nil), ("The", nil),
            ("gas", "gas"), ("bus", "bus"), ("2024", "2024"), ("ID", "id"),
        ]
        for (word, form) in expected {
            XCTAssertEqual(QuestionWordMatch.normalized(word), form, word)
        }
    }

    func testLabelsMeetQuestionPhrases() {
        let match = QuestionWordMatch(question: "What is the date of the order?")
        XCTAssertEqual(match.words, ["date", "order"])
        XCTAssertTrue(match.matches("Ordered"))
        XCTAssertTrue(match.matches("Date:"))
        XCTAssertFalse(match.matches("the"))
        XCTAssertFalse(match.matches("Ship"))
        XCTAssertTrue(match.matches("P.O./Order"), "any letter-digit part of an OCR word may match")
        XCTAssertFalse(QuestionWordMatch(question: "What is it?").matches("it"))
    }

    func testBatchMarksOnlyMatchingOCRTokensOfEachPage() throws {
        let tokenizer = try BPETrainer(vocabularySize: 8 + 256, specialTokens: SpecialTokens(pageSlotCount: 2)).train()
        let builder = try BatchBuilder(tokenizer: tokenizer, config: BatchConfig(summarySlots: 2, maxOCRTokens: 64))
        func page(_ words: [String]) -> PageInput {
            PageInput(words: words.map { OCRWord(text: $0, left: 0, top: 0, right: 0.1, bottom: 0.1) })
        }
        let page1 = page(["Total:", "5.00"]), page2 = page(["Invoice", "Date:", "12", "May"])
        let item = BatchItem(questionId: 1, question: "What is the invoice date?", answers: ["12 May"],
                             answerPageIndex: 1, pages: [page1, page2])
        let batch = builder.build([item])
        for p in 0..<2 {
            var marked: [String] = []
            for l in 0..<batch.sequenceLength where batch.questionMatch[batch.offset(0, p, l)] > 0 {
                XCTAssertEqual(batch.segmentIDs[batch.offset(0, p, l)], SegmentID.ocr.rawValue)
                marked.append(item.pages[p].words[Int(batch.wordIndex[batch.offset(0, p, l)])].text)
            }
            XCTAssertEqual(Set(marked), p == 0 ? [] : ["Invoice", "Date:"], "page \(p)")
        }
    }
}
