import DocData
import Foundation
import XCTest

/// Question files (strict parsing, every problem collected) and `MPDocVQADataset` on the
/// hand-made fixtures in the released layout.
final class DatasetTests: XCTestCase {
    func testGoodSplitsLoadAsWritten() throws {
        let layout = DatasetLayout(root: DatasetFixture.root("good"))
        let docA = ["docA_p1", "docA_p2", "docA_p3"]
        let train = try MPDocVQADataset(layout: layout, split: "train")
        XCTAssertEqual(train.questions, [
            Question(questionId: 101, question: "What is the total?", docId: "docA", pageIds: docA,
                     answers: ["$1,234.00", "1,234.00"], answerPageIndex: 1, dataSplit: "train"),
            Question(questionId: 102, question: "What is the due date?", docId: "docA", pageIds: docA,
                     answers: ["2020-01-31"], answerPageIndex: 2, dataSplit: "train"),
            Question(questionId: 103, question: "Is the page blank?", docId: "docB", pageIds: ["docB_p1"],
                     answers: ["yes"], answerPageIndex: 0, dataSplit: "train"),
        ])
        XCTAssertEqual(train.documentIds, ["docA", "docB"])
        XCTAssertEqual(train.pageIds, docA + ["docB_p1"])

        let test = try MPDocVQADataset(layout: layout, split: "test")
        XCTAssertEqual(test.questions.map(\.questionId), [301, 302])
        XCTAssertEqual(test.questions.map(\.answers), [nil, nil])
        XCTAssertEqual(test.questions.map(\.answerPageIndex), [nil, nil])
    }

    func testPagesLoadWithWordsAndImages() throws {
        let dataset = try MPDocVQADataset(layout: DatasetLayout(root: DatasetFixture.root("good")), split: "val")
        XCTAssertEqual(dataset.imageFile(pageId: "docA_p1"), "images/docA_p1.jpg")
        XCTAssertEqual(dataset.imageFile(pageId: "docB_p1"), "images/docB_p1.png", ".png is found when there is no .jpg")
        XCTAssertNil(dataset.imageFile(pageId: "nothere"))

        let page = try dataset.page("docA_p1")
        XCTAssertEqual(page.words.map(\.text), ["Invoice", "No.", "4711"])
        // The fixture script draws 48 x 64 gray JPEG pages and a 40 x 50 RGB PNG.
        XCTAssertEqual(page.image.map { [$0.width, $0.height, $0.channels] }, [48, 64, 1])
        let png = try dataset.image(pageId: "docB_p1")
        XCTAssertEqual(png.map { [$0.width, $0.height, $0.channels] }, [40, 50, 3])
        XCTAssertNil(try dataset.image(pageId: "docB_p1", mode: .none))
    }

    func testDocumentStreamGroupsQuestionsAndLoadsPagesInOrder() throws {
        let layout = DatasetLayout(root: DatasetFixture.root("good"))
        let train = try MPDocVQADataset(layout: layout, split: "train")
        for threads in [1, 2] {
            var stream = train.documentStream(images: .resized(width: 12, height: 16), threads: threads)
            XCTAssertEqual(stream.count, 2)
            let first = try XCTUnwrap(try stream.next())
            XCTAssertEqual(first.docId, "docA")
            XCTAssertEqual(first.questions.map(\.questionId), [101, 102], "questions on the same pages share a document")
            XCTAssertEqual(first.pages.map(\.pageId), ["docA_p1", "docA_p2", "docA_p3"])
            XCTAssertEqual(first.pages.map(\.words.count), [3, 3, 3])
            XCTAssertEqual(first.pages.map { $0.image.map { [$0.width, $0.height] } }, [[12, 16], [12, 16], [12, 16]])
            let second = try XCTUnwrap(try stream.next())
            XCTAssertEqual(second.docId, "docB")
            XCTAssertEqual(second.pages.map(\.words.count), [0])
            XCTAssertNil(try stream.next())
        }
        // OCR only: no image is read.
        let val = try MPDocVQADataset(layout: layout, split: "val")
        var stream = val.documentStream(images: .none)
        let docC = try XCTUnwrap(try stream.next())
        XCTAssertEqual(docC.pages.map(\.words.first?.text), ["Hello"])
        XCTAssertNil(docC.pages[0].image)
        let docA = try XCTUnwrap(try stream.next())
        XCTAssertEqual(docA.pageIds, ["docA_p1", "docA_p2"], "a window of docA's pages is its own group")
    }

    func testStreamStopsAtAPageThatCannotBeLoaded() throws {
        let layout = DatasetLayout(root: DatasetFixture.root("bad"))
        let q = Question(questionId: 1, question: "?", docId: "d", pageIds: ["ok1", "trunc"], answers: ["a"],
                         answerPageIndex: 0, dataSplit: "train")
        var stream = MPDocVQADataset(layout: layout, split: "train", questions: [q]).documentStream()
        XCTAssertThrowsError(try stream.next()) { error in
            XCTAssertEqual((error as? DataError)?.file, "images/trunc.jpg")
        }
    }

    func testLoadingABadSplitThrowsItsFirstProblem() {
        XCTAssertThrowsError(try MPDocVQADataset(layout: DatasetLayout(root: DatasetFixture.root("bad")), split: "train")) { error in
            guard let e = error as? DataError else { return XCTFail("\(error)") }
            XCTAssertEqual([e.file, e.record, e.field], ["train.json", "questionId 2", "answer_page_idx"])
            XCTAssertTrue(e.message.contains("and 7 more problems"), e.message)
        }
        XCTAssertThrowsError(try MPDocVQADataset(layout: DatasetLayout(root: DatasetFixture.root("good")), split: "nope")) { error in
            XCTAssertEqual(error as? DataError, DataError(file: "nope.json", "question file not found"))
        }
    }

    // MARK: - Question files, from inline JSON

    private func parse(_ json: String, answers: Bool = true) -> QuestionFile {
        QuestionFile.parse(Data(json.utf8), file: "q.json", expectsAnswers: answers)
    }

    private func triples(_ file: QuestionFile) -> [[String]] { file.problems.map { [$0.record, $0.field, $0.message] } }

    func testEveryRecordProblemIsReportedWithRecordAndField() {
        let file = parse("""
        {"data": [
          {"questionId": 1, "question": "q", "doc_id": "d", "page_ids": ["/etc/passwd", "a/../../x", "sub/ok"], "answers": ["a"], "answer_page_idx": 0},
          {"questionId": 2.5, "question": ["q"], "doc_id": 7, "page_ids": "p1", "answers": [], "answer_page_idx": "0"},
          {"questionId": 3, "question": "q", "doc_id": "d", "page_ids": ["p", 4, ""], "answer_page_idx": -1, "data_split": 1},
          {"questionId": 4, "question": "fine", "doc_id": "d", "page_ids": ["p1", "p2"], "answers": ["x"], "answer_page_idx": 1, "note": "ignored"},
          "not an object"
        ]}
        """)
        XCTAssertEqual(triples(file), [
            ["questionId 1", "page_ids[0]", "\"/etc/passwd\" is an absolute path, which escapes the dataset root"],
            ["questionId 1", "page_ids[1]", "\"a/../../x\" contains a '..' component, which escapes the dataset root"],
            ["data[1]", "questionId", "expected an integer, found number 2.5"],
            ["data[1]", "question", "expected a string, found array of 1"],
            ["data[1]", "doc_id", "expected a string, found integer 7"],
            ["data[1]", "page_ids", "expected an array, found string \"p1\""],
            ["data[1]", "answers", "empty; expected at least one answer"],
            ["data[1]", "answer_page_idx", "expected an integer, found string \"0\""],
            ["questionId 3", "data_split", "expected a string, found integer 1"],
            ["questionId 3", "page_ids[1]", "expected a string, found integer 4"],
            ["questionId 3", "page_ids[2]", "empty page id"],
            ["questionId 3", "answers", "missing; expected an array"],
            ["questionId 3", "answer_page_idx", "-1 is negative; expected a 0-based page index"],
            ["data[4]", "", "expected a question object, found string \"not an object\""],
        ])
        XCTAssertEqual(file.recordCount, 5)
        XCTAssertEqual(file.questions.map(\.questionId), [4], "only the good record is kept")
        XCTAssertEqual(file.questions.first?.pageIds, ["p1", "p2"])
    }

    func testAnswersAreRequiredOnTrainAndAbsentOnTest() {
        let record = #"{"data": [{"questionId": 9, "question": "q", "doc_id": "d", "page_ids": ["p"], "answers": ["a"], "answer_page_idx": 0}]}"#
        XCTAssertEqual(triples(parse(record, answers: true)), [])
        XCTAssertEqual(triples(parse(record, answers: false)), [
            ["questionId 9", "answers", "present on the test split, which is released without answers"],
            ["questionId 9", "answer_page_idx", "present on the test split, which is released without answers"],
        ])
        let bare = #"{"data": [{"questionId": 9, "question": "q", "doc_id": "d", "page_ids": ["p"]}]}"#
        XCTAssertEqual(parse(bare, answers: false).questions.count, 1)
        XCTAssertEqual(triples(parse(bare, answers: true)), [
            ["questionId 9", "answers", "missing; expected an array"],
            ["questionId 9", "answer_page_idx", "missing; expected an integer"],
        ])
        XCTAssertTrue(QuestionFile.expectsAnswers(split: "val"))
        XCTAssertFalse(QuestionFile.expectsAnswers(split: "test"))
    }

    func testWholeFileProblems() {
        XCTAssertEqual(parse("[]").problems, [DataError(file: "q.json", "expected a top-level object with \"data\", found array of 0")])
        XCTAssertEqual(parse(#"{"questions": []}"#).problems, [DataError(file: "q.json", field: "data", "missing; expected the list of questions")])
        let truncated = parse(#"{"data": [{"questionId": 1"#)
        XCTAssertEqual(truncated.problems.map(\.message), ["invalid JSON at byte offset 26 (line 1, column 27): expected ',' or '}' in object, found end of file"])
        XCTAssertEqual(parse(#"{"data": []} x"#).problems.map(\.message), ["invalid JSON at byte offset 13 (line 1, column 14): unexpected 'x' after the top-level value"])
    }

    func testInvalidUTF8IsReportedAtItsOffsetAndTheRestStillParses() {
        // 0xE2 0x82 starts a 3-byte sequence that is cut short by '"'; 0xC0 0xAF is an overlong '/'.
        var bytes = Array(#"{"data": [{"questionId": 1, "question": "x"#.utf8)
        let first = bytes.count
        bytes += [0xE2, 0x82] + Array(#"", "doc_id": "d", "page_ids": ["p"], "answers": ["a"], "answer_page_idx": 0},"#.utf8)
        bytes += Array(#"{"questionId": 2, "question": "ok", "doc_id": "d", "page_ids": ["p"], "answers": ["a"], "answer_page_idx": 0, "note": ""#.utf8)
        let second = bytes.count
        bytes += [0xC0, 0xAF] + Array(#""}]}"#.utf8)
        let file = QuestionFile.parse(Data(bytes), file: "q.json", expectsAnswers: true)
        XCTAssertEqual(file.problems, [
            DataError(file: "q.json", record: "questionId 1", field: "question", "invalid UTF-8 at byte offset \(first)"),
            // In an ignored field: still a problem of the file, located by offset only.
            DataError(file: "q.json", "invalid UTF-8 at byte offset \(second)"),
        ])
        XCTAssertEqual(file.questions.map(\.questionId), [2])
    }

    func testJSONDetailsFollowTheStandard() {
        // Escapes, surrogate pairs, exponents, a BOM, and Python's NaN in an ignored field.
        let json = "\u{FEFF}" + #"{"data": [{"questionId": 7, "question": "a\"b\\c\/d\n\u00e9\ud83d\ude00", "doc_id": "d", "page_ids": ["p"], "answers": ["1e3"], "answer_page_idx": 0, "score": NaN, "w": -1.5E-3}]}"#
        let file = parse(json)
        XCTAssertEqual(file.problems, [])
        XCTAssertEqual(file.questions.first?.question, "a\"b\\c/d\né😀")
        XCTAssertEqual(parse(#"{"data": [{"questionId": 01}]}"#).problems.map(\.message),
                       ["invalid JSON at byte offset 26 (line 1, column 27): leading zeros are not allowed in numbers"])
        XCTAssertEqual(parse("{\"data\": [\"a\tb\"]}").problems.map(\.message),
                       ["invalid JSON at byte offset 12 (line 1, column 13): control character byte 0x09 inside a string (must be escaped)"])
    }
}

/// The hand-made datasets of `Fixtures/dataset` (written by `make_fixtures.py` there).
enum DatasetFixture {
    /// `good` or `bad`.
    static func root(_ name: String) -> URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("dataset/\(name)")
    }
}
