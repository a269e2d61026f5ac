import DocData
import Foundation
import XCTest

/// OCR files in both forms: words and boxes against values written by hand from the fixture
/// script's inputs, and wrong types reported with file, block/word and field.
final class OCRReaderTests: XCTestCase {
    private func words(_ page: String, root: String = "good") throws -> [OCRWord] {
        let file = "ocr/\(page).json"
        return try OCRReader.read(contentsOf: DatasetFixture.root(root).appendingPathComponent(file), file: file)
    }

    private func assertWords(_ actual: [OCRWord], _ expected: [(String, [Float])],
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.map(\.text), expected.map(\.0), "texts", file: file, line: line)
        for (word, (text, box)) in zip(actual, expected) {
            let got = [word.left, word.top, word.right, word.bottom]
            for k in 0..<4 {
                XCTAssertEqual(got[k], box[k], accuracy: 1e-6, "\(text) box[\(k)]: got \(got), expected \(box)", file: file, line: line)
            }
        }
    }

    func testTextractWordBlocksBecomeLeftTopRightBottom() throws {
        // Left, Top, Width, Height (0.1, 0.05, 0.2, 0.04) → (0.1, 0.05, 0.3, 0.09); PAGE/LINE blocks skipped.
        assertWords(try words("docA_p1"), [
            ("Invoice", [0.1, 0.05, 0.3, 0.09]),
            ("No.", [0.32, 0.05, 0.40, 0.09]),
            ("4711", [0.42, 0.05, 0.52, 0.09]),
        ])
        // Non-ASCII text, and a Left of -0.004 (Textract overshoot) clamped to 0: right = 0.196.
        assertWords(try words("docA_p2"), [
            ("Café", [0.5, 0.5, 0.625, 0.5625]),
            ("$1,234.00", [0.25, 0.75, 0.5, 0.8]),
            ("Total", [0, 0.7, 0.196, 0.75]),
        ])
        assertWords(try words("docC_p1"), [("Hello", [0, 0, 1, 1])])
        XCTAssertEqual(try words("docB_p1"), [], "a page with only a PAGE block has no words")
    }

    func testAzureWordsAreNormalisedByPageSize() throws {
        // Page 200 x 100 px. "date" polygon (54,11) (90,9) (91,21) (55,22): x 54…91, y 9…22.
        assertWords(try words("docA_p3"), [
            ("Due", [20.0 / 200, 10.0 / 100, 50.0 / 200, 20.0 / 100]),
            ("date", [54.0 / 200, 9.0 / 100, 91.0 / 200, 22.0 / 100]),
            ("2020-01-31", [0.5, 0.5, 0.9, 0.7]),
        ])
        let contents = OCRReader.parse(try Data(contentsOf: DatasetFixture.root("good").appendingPathComponent("ocr/docA_p3.json")), file: "x")
        XCTAssertEqual(contents.format, .azure)
        XCTAssertEqual(contents.problems, [])
    }

    func testTextractWrongTypesNameBlockAndFieldAndKeepTheRest() throws {
        let url = DatasetFixture.root("bad").appendingPathComponent("ocr/badocr.json")
        let contents = OCRReader.parse(try Data(contentsOf: url), file: "ocr/badocr.json")
        XCTAssertEqual(contents.format, .textract)
        XCTAssertEqual(contents.words.map(\.text), ["fine"], "good blocks still give words")
        XCTAssertEqual(contents.problems.map { [$0.file, $0.record, $0.field] }, [
            ["ocr/badocr.json", "Blocks[2]", "Geometry.BoundingBox.Left"],
            ["ocr/badocr.json", "Blocks[3]", "Text"],
        ])
        XCTAssertEqual(contents.problems.map(\.message), [
            "expected a number, found string \"0.1\"",
            "expected a string, found integer 42",
        ])
        XCTAssertThrowsError(try OCRReader.read(contentsOf: url, file: "ocr/badocr.json")) { error in
            let e = error as? DataError
            XCTAssertEqual(e?.record, "Blocks[2]")
            XCTAssertTrue(e?.message.contains("and 1 more problem") == true, "\(String(describing: e))")
        }
    }

    func testAzureWrongTypesNameResultLineWordAndField() {
        let json = """
        {"recognitionResults": [{"width": "200", "height": 100, "lines": [
          {"words": [{"text": "a", "boundingBox": [0, 0, 10, 0, 10, 10, 0, 10]}]}]},
          {"width": 100, "height": 50, "lines": [
          {"words": [{"text": null, "boundingBox": [0, 0, 10, 0, 10, 10]},
                     {"text": "ok", "boundingBox": [10, 5, 20, 5, 20, 10, 10, 10]},
                     {"text": "b", "boundingBox": [0, 0, 10, "0", 10, 10, 0, 10]},
                     {"text": "far", "boundingBox": [0, 0, 900, 0, 900, 10, 0, 10]}]},
          {"text": "no words here"}]}]}
        """
        let contents = OCRReader.parse(Data(json.utf8), file: "ocr/p.json")
        XCTAssertEqual(contents.problems.map { [$0.record, $0.field] }, [
            ["recognitionResults[0]", "width"],
            ["recognitionResults[1].lines[0].words[0]", "text"],
            ["recognitionResults[1].lines[0].words[0]", "boundingBox"],
            ["recognitionResults[1].lines[0].words[2]", "boundingBox[3]"],
            ["recognitionResults[1].lines[0].words[3]", "boundingBox"],
            ["recognitionResults[1].lines[1]", "words"],
        ])
        XCTAssertEqual(contents.problems[2].message, "expected 8 numbers [x1, y1, x2, y2, x3, y3, x4, y4], found 6 values")
        // The one good word of the second result: x 10…20 of 100, y 5…10 of 50.
        assertWords(contents.words, [("ok", [0.1, 0.1, 0.2, 0.2])])
    }

    func testCoordinatesFarOutsideThePageAreReported() {
        // A pixel coordinate in a Textract file: not a ratio.
        let json = #"{"Blocks": [{"BlockType": "WORD", "Text": "x", "Geometry": {"BoundingBox": {"Left": 153.0, "Top": 0.1, "Width": 0.1, "Height": -0.2}}}]}"#
        let contents = OCRReader.parse(Data(json.utf8), file: "o.json")
        XCTAssertEqual(contents.problems.map(\.field), ["Geometry.BoundingBox.Left", "Geometry.BoundingBox.Height"])
        XCTAssertEqual(contents.words, [])
    }

    func testFilesOfNeitherFormAndBrokenJSON() {
        let neither = OCRReader.parse(Data(#"{"pages": []}"#.utf8), file: "o.json")
        XCTAssertNil(neither.format)
        XCTAssertEqual(neither.problems.count, 1)
        XCTAssertTrue(neither.problems[0].message.contains("recognitionResults"), neither.problems[0].message)

        // The second object where ',' belongs starts at byte offset 24: line 2 begins at 13, so column 12.
        let broken = OCRReader.parse(Data("{\"Blocks\": [\n  {\"a\": 1} {\"b\": 2}]}".utf8), file: "o.json")
        XCTAssertEqual(broken.problems.count, 1)
        XCTAssertTrue(broken.problems[0].message.hasPrefix("invalid JSON at byte offset 24 (line 2, column 12)"), broken.problems[0].message)

        // Bytes that are not UTF-8 in a word's text: named by block and field, with the offset.
        var bytes = Array(#"{"Blocks": [{"BlockType": "WORD", "Text": "a"#.utf8)
        let offset = bytes.count
        bytes += [0xC3, 0x28] + Array(#"", "Geometry": {"BoundingBox": {"Left": 0, "Top": 0, "Width": 1, "Height": 1}}}]}"#.utf8)
        let badText = OCRReader.parse(Data(bytes), file: "o.json")
        XCTAssertEqual(badText.problems.map { [$0.record, $0.field, $0.message] },
                       [["Blocks[0]", "Text", "invalid UTF-8 at byte offset \(offset)"]])
    }

    func testMissingFileThrowsNamingIt() {
        XCTAssertThrowsError(try words("nothere")) { error in
            XCTAssertEqual(error as? DataError, DataError(file: "ocr/nothere.json", "OCR file not found"))
        }
    }
}
