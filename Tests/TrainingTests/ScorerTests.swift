import XCTest
import DocData
import Training

final class ScorerTests: XCTestCase {
    func question(_ id: Int, _ answers: [String], page: Int, pages: Int) -> Question {
        Question(questionId: id, question: "q\(id)", docId: "d\(id)", pageIds: (0..<pages).map { "d\(id)_p\($0)" },
                 answers: answers, answerPageIndex: page, dataSplit: "val")
    }

    func testScoresAndBreakdowns() throws {
        let gold = [question(1, ["abc"], page: 0, pages: 1), question(2, ["coca cola"], page: 3, pages: 8),
                    question(3, ["x"], page: 12, pages: 15)]
        let predictions = [
            SubmissionEntry(questionId: 3, answer: "y", answerPage: 1, pageScores: (0..<15).map { $0 == 12 ? 0.5 : ($0 < 2 ? 0.9 : 0.1) }),
            SubmissionEntry(questionId: 1, answer: "ABC", answerPage: 0, pageScores: [1]),
            SubmissionEntry(questionId: 2, answer: "coca  colx", answerPage: 3, pageScores: [0, 0, 0, 1, 0, 0, 0, 0]),
        ]
        let report = try Scorer.score(gold: gold, predictions: predictions)
        XCTAssertEqual(report.overall.questions, 3)
        XCTAssertEqual(report.overall.anls, (1 + 0.9 + 0) / 3, accuracy: 1e-12)
        XCTAssertEqual(report.overall.accuracy, 1.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(report.overall.pageAccuracy, 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(report.overall.top3PageAccuracy ?? -1, 1, accuracy: 1e-12, "page 12 ranks third in question 3")
        XCTAssertEqual(report.breakdowns["page_count"]?["1"]?.questions, 1)
        XCTAssertEqual(report.breakdowns["page_count"]?["6-10"]?.anls ?? -1, 0.9, accuracy: 1e-12)
        XCTAssertEqual(report.breakdowns["page_count"]?["11-20"]?.pageAccuracy, 0)
        XCTAssertEqual(report.breakdowns["answer_page"]?["3-5"]?.questions, 1)
        XCTAssertEqual(report.breakdowns["answer_page"]?["11-20"]?.questions, 1)
    }

    func testMissingExtraAndDuplicateIdsAreErrors() {
        let gold = [question(1, ["a"], page: 0, pages: 1), question(2, ["b"], page: 0, pages: 1)]
        XCTAssertThrowsError(try Scorer.score(gold: gold, predictions: [SubmissionEntry(questionId: 1, answer: "a", answerPage: 0)],
                                              goldFile: "val.json", predictionsFile: "sub.json")) {
            XCTAssertEqual("\($0)", "sub.json: questionId: 1 questions of val.json have no prediction: 2")
        }
        let extra = [1, 2, 7].map { SubmissionEntry(questionId: $0, answer: "a", answerPage: 0) }
        XCTAssertThrowsError(try Scorer.score(gold: gold, predictions: extra, goldFile: "val.json", predictionsFile: "sub.json")) {
            XCTAssertEqual("\($0)", "sub.json: questionId: 1 predicted question ids are not in val.json: 7")
        }
        let twice = [1, 1, 2].map { SubmissionEntry(questionId: $0, answer: "a", answerPage: 0) }
        XCTAssertThrowsError(try Scorer.score(gold: gold, predictions: twice))
    }

    func testSubmissionFileErrorsNameTheEntry() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("scorer-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("sub.json")
        try Data(#"[{"questionId": 1, "answer": "a", "answer_page": 0}, {"questionId": 2, "answer": 5, "answer_page": 0}]"#.utf8).write(to: url)
        XCTAssertThrowsError(try SubmissionEntry.load(url)) {
            XCTAssertEqual("\($0)", "sub.json: questionId 2: answer: expected a string")
        }
        try Data(#"[{"questionId": 1, "answer": "a", "answer_page": 0, "page_scores": [0.5, 1]}]"#.utf8).write(to: url)
        XCTAssertEqual(try SubmissionEntry.load(url), [SubmissionEntry(questionId: 1, answer: "a", answerPage: 0, pageScores: [0.5, 1])])
    }
}
