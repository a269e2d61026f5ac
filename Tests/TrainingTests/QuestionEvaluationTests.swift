import DocData
import Foundation
import Training
import XCTest

/// What evaluation writes for the report: the lexical page baseline, per-question rows that
/// round-trip with their scores at the top level, and metrics that name every head and kind.
final class QuestionEvaluationTests: XCTestCase {
    static func page(_ words: [String]) -> PageInput {
        PageInput(words: words.map { OCRWord(text: $0, left: 0, top: 0, right: 0.1, bottom: 0.1) })
    }

    /// The page with the most distinct question words wins; repeats of one word do not
    /// count twice; ties go to the earlier page; no content words: page 0.
    func testLexicalPageIsThePageWithTheMostQuestionWords() {
        let item = BatchItem(questionId: 1, question: "What is the invoice date of the order?", answers: ["x"], answerPageIndex: 2, pages: [
            Self.page(["Invoice", "Invoice", "invoice", "Total"]),
            Self.page(["Date:", "Invoice"]),
            Self.page(["Ordered", "Invoice", "Dates"]),
        ])
        XCTAssertEqual(LexicalPageBaseline.page(for: item), 2)   // invoice, date, order (page 1: invoice, date — earlier, but fewer)
        var tie = item
        tie.pages = [Self.page(["total"]), Self.page(["invoice"]), Self.page(["date"])]
        XCTAssertEqual(LexicalPageBaseline.page(for: tie), 1)
        var none = item
        none.question = "What is it?"
        XCTAssertEqual(LexicalPageBaseline.page(for: none), 0)
    }

    static func row(extracted: Bool, page: Double) -> QuestionEvaluation {
        QuestionEvaluation(questionId: 7, docId: "d1", pageCount: 3, answerSource: extracted ? "extract" : "generate", answer: "a", answerPage: 1,
                           generatedAnswer: "g", pageHeadPage: 1, pageScores: [0.1, 0.7, 0.2], attentionPage: 2, attentionPageScores: [0, 0, 1],
                           extractedAnswer: extracted ? "a" : nil, extractedPage: extracted ? 1 : nil, lexicalPage: 0,
                           scores: .init(answerPageIndex: 1, anls: 1, accuracy: 1, pageCorrect: page, top3PageCorrect: nil,
                                         generatedANLS: 0.5, generatedAccuracy: 0, extractedANLS: extracted ? 1 : nil,
                                         extractedAccuracy: extracted ? 1 : nil, pageHeadCorrect: page, pageHeadTop3Correct: 1,
                                         spanPageCorrect: extracted ? 1 : nil, attentionPageCorrect: 0, lexicalPageCorrect: 0, page0Correct: 0))
    }

    /// A predictions.jsonl line keeps the flat keys readers had (`anls`, `page_correct`,
    /// `answer_page`), adds one per head and kind, and decodes back to the same row.
    func testPredictionLineRoundTripsWithFlatScores() throws {
        let row = Self.row(extracted: true, page: 1)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(row)) as? [String: Any])
        for key in ["questionId", "doc_id", "answer", "answer_page", "anls", "accuracy", "page_correct", "generated_anls", "extracted_anls",
                    "page_head_correct", "span_page_correct", "attention_page_correct", "lexical_page_correct", "page0_correct", "lexical_page"] {
            XCTAssertNotNil(object[key], key)
        }
        XCTAssertNil(object["scores"])
        XCTAssertEqual(try JSONDecoder().decode(QuestionEvaluation.self, from: JSONEncoder().encode(row)), row)
        var unscored = row
        unscored.scores = nil
        XCTAssertEqual(try JSONDecoder().decode(QuestionEvaluation.self, from: JSONEncoder().encode(unscored)), unscored)
    }

    /// Means per head and kind; the span head and extracted answers are absent (not NaN)
    /// when the run does not extract, and decoding a file without a required metric fails.
    func testMetricsNameEveryHeadAndKind() throws {
        let rows = [Self.row(extracted: false, page: 1), Self.row(extracted: false, page: 0)]
        let m = EvaluationMetrics(split: "test", answerSource: .generate, rows: rows, mostFrequentAnswer: .init(anls: 0, accuracy: 0),
                                  secondsPerQuestion: 0.1, encoderPassesPerQuestion: 0)
        XCTAssertEqual(m.pageAccuracyByScorer.pageHead, 0.5)
        XCTAssertEqual(m.pageAccuracyByScorer.decoderAttention, 0)
        XCTAssertNil(m.pageAccuracyByScorer.spanHead)
        XCTAssertNil(m.extracted)
        XCTAssertEqual(m.generated, .init(anls: 0.5, accuracy: 0))
        let json = try XCTUnwrap(String(data: JSONEncoder().encode(m), encoding: .utf8))
        XCTAssertFalse(json.contains("nan") || json.contains("span_head"), json)
        XCTAssertEqual(try JSONDecoder().decode(EvaluationMetrics.self, from: Data(json.utf8)), m)
        let missing = json.replacingOccurrences(of: "\"decoder_attention\"", with: "\"other\"")
        XCTAssertThrowsError(try JSONDecoder().decode(EvaluationMetrics.self, from: Data(missing.utf8)))
        let extracting = EvaluationMetrics(split: "val", answerSource: .extract, rows: [Self.row(extracted: true, page: 1)],
                                           mostFrequentAnswer: .init(anls: 0, accuracy: 0), secondsPerQuestion: 0.1, encoderPassesPerQuestion: 1)
        XCTAssertEqual(extracting.pageAccuracyByScorer.spanHead, 1)
        XCTAssertEqual(extracting.extracted, .init(anls: 1, accuracy: 1))
    }
}
