import DocData
import Foundation
import XCTest

/// `DatasetValidator` on the fixtures: the good root's summary (counts worked out by hand from
/// the fixture script), and the bad root's problems, each reported exactly once.
final class ValidationTests: XCTestCase {
    func testGoodRootSummary() {
        let report = DatasetValidator(layout: DatasetLayout(root: DatasetFixture.root("good")), threads: 2).validate()
        XCTAssertEqual(report.problems, [])
        XCTAssertEqual(report.splits, ["train", "val", "test"])
        XCTAssertEqual(report.questions, 7)   // 3 train + 2 val + 2 test
        XCTAssertEqual(report.documents, 3)   // docA, docB, docC
        XCTAssertEqual(report.pages, 5)       // docA_p1…p3, docB_p1, docC_p1
        // 1 page: 103, 201, 301; 2 pages: 202; 3 pages: 101, 102, 302.
        XCTAssertEqual(report.pageCountHistogram, [3, 1, 3] + [Int](repeating: 0, count: 17))
        // Words per page: docA_p1 3, docA_p2 3, docA_p3 3 (Azure), docB_p1 0, docC_p1 1.
        XCTAssertEqual(report.ocrTokensPerPage, .init(counts: [3, 3, 3, 0, 1]))
        XCTAssertEqual(report.ocrTokensPerPage.mean, 2.0)
        XCTAssertEqual([report.ocrTokensPerPage.min, report.ocrTokensPerPage.max, report.ocrTokensPerPage.pages], [0, 3, 5])

        let val = DatasetValidator(layout: DatasetLayout(root: DatasetFixture.root("good")), threads: 1).validate(splits: ["val"])
        XCTAssertEqual([val.questions, val.documents, val.pages], [2, 2, 3])
        XCTAssertEqual(val.problems, [])
    }

    func testBadRootReportsEveryProblemExactlyOnce() throws {
        let root = DatasetFixture.root("bad")
        let report = DatasetValidator(layout: DatasetLayout(root: root), threads: 2).validate()
        let invalidByte = try XCTUnwrap(try Data(contentsOf: root.appendingPathComponent("train.json")).firstIndex(of: 0xFF))
        let expected: [(file: String, record: String, field: String, says: String)] = [
            ("train.json", "questionId 2", "answer_page_idx", "2 is out of range for 2 pages"),
            ("train.json", "questionId 3", "page_ids", "empty"),
            ("train.json", "questionId 4", "page_ids", "21 pages; expected at most 20"),
            ("train.json", "questionId 5", "questionId", "duplicate: data[4] has the same id (this is data[5])"),
            ("train.json", "questionId 6", "page_ids[0]", "'..'"),
            ("train.json", "questionId 11", "question", "invalid UTF-8 at byte offset \(invalidByte)"),
            ("train.json", "data[13]", "questionId", "expected an integer, found string \"13\""),
            ("train.json", "questionId 14", "question", "missing"),
            ("test.json", "questionId 902", "answers", "present on the test split"),
            ("images/missingimg.jpg", "", "", "image not found"),
            ("images/trunc.jpg", "", "", "truncated"),
            ("images/notpng.png", "", "", "PNG"),
            ("ocr/badocr.json", "Blocks[2]", "Geometry.BoundingBox.Left", "expected a number, found string \"0.1\""),
            ("ocr/badocr.json", "Blocks[3]", "Text", "expected a string, found integer 42"),
            ("ocr/noocr.json", "", "", "OCR file not found"),
        ]
        for e in expected {
            let matches = report.problems.filter { $0.file == e.file && $0.record == e.record && $0.field == e.field }
            XCTAssertEqual(matches.count, 1, "\(e.file): \(e.record): \(e.field) reported \(matches.count) times in\n\(report.text)")
            if let m = matches.first {
                XCTAssertTrue(m.message.contains(e.says), "\(m) should say \"\(e.says)\"")
            }
        }
        XCTAssertEqual(report.problems.count, expected.count, "unexpected extra problems:\n\(report.text)")
        // Bad records are still counted, and their usable pages checked.
        XCTAssertEqual(report.questions, 17)
        XCTAssertEqual(report.pages, 7)  // ok1 ok2 missingimg trunc notpng badocr noocr; ../escape is not a page
        XCTAssertFalse(report.problems.contains { $0.file.contains("escape") }, "a page id outside the root is never opened")
    }

    func testResultsDoNotDependOnThreads() {
        let layout = DatasetLayout(root: DatasetFixture.root("bad"))
        XCTAssertEqual(DatasetValidator(layout: layout, threads: 1).validate(),
                       DatasetValidator(layout: layout, threads: 2).validate())
    }

    func testMissingQuestionFiles() {
        let good = DatasetLayout(root: DatasetFixture.root("good"))
        let missing = DatasetValidator(layout: good).validate(splits: ["nope"])
        XCTAssertEqual(missing.problems, [DataError(file: "nope.json", "question file not found")])
        let empty = DatasetValidator(layout: DatasetLayout(root: DatasetFixture.root("good").appendingPathComponent("images"))).validate()
        XCTAssertEqual(empty.problems.map(\.file), ["."])
        XCTAssertEqual(empty.splits, [])
    }

    func testJSONKeysOfTheReport() throws {
        let report = DatasetValidator(layout: DatasetLayout(root: DatasetFixture.root("bad"))).validate(splits: ["test"])
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any])
        for key in ["questions", "documents", "pages", "problems", "page_count_histogram", "ocr_tokens_per_page"] {
            XCTAssertNotNil(object[key], key)
        }
        let problem = try XCTUnwrap((object["problems"] as? [[String: Any]])?.first)
        XCTAssertEqual(problem["file"] as? String, "test.json")
        XCTAssertEqual(problem["record"] as? String, "questionId 902")
        XCTAssertEqual(problem["field"] as? String, "answers")
        XCTAssertNotNil(problem["message"] as? String)
    }
}
