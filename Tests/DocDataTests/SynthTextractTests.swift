import XCTest
import Foundation
import DocData

/// The Textract-form OCR and the question files, parsed back with Foundation's JSON parser.
final class SynthTextractTests: XCTestCase {
    func page() throws -> SyntheticPage {
        var config = SyntheticConfig()
        config.ocrNoiseRate = 0.05
        let doc = try SyntheticDocumentGenerator(config: config).document(seed: 21, docId: "t", questionCount: 4)
        return doc.pages.max { $0.words.count < $1.words.count }!
    }

    func testTextractBlocksCarryEveryWordWithItsBox() throws {
        let page = try page()
        let bytes = TextractJSON.encode(page)
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        let blocks = try XCTUnwrap(root["Blocks"] as? [[String: Any]])
        let words = blocks.filter { $0["BlockType"] as? String == "WORD" }
        let lines = blocks.filter { $0["BlockType"] as? String == "LINE" }
        let pages = blocks.filter { $0["BlockType"] as? String == "PAGE" }
        XCTAssertEqual(pages.count, 1)
        XCTAssertEqual(words.count, page.words.count)
        XCTAssertEqual(lines.count, page.lines.count)
        let ids = blocks.compactMap { $0["Id"] as? String }
        XCTAssertEqual(Set(ids).count, blocks.count, "Ids must be unique")

        for (block, word) in zip(words, page.words) {
            XCTAssertEqual(block["Text"] as? String, word.ocrText)
            let confidence = try XCTUnwrap(block["Confidence"] as? Double)
            XCTAssertTrue((0...100).contains(confidence))
            let box = try XCTUnwrap((block["Geometry"] as? [String: Any])?["BoundingBox"] as? [String: Double])
            let left = try XCTUnwrap(box["Left"]), top = try XCTUnwrap(box["Top"])
            let width = try XCTUnwrap(box["Width"]), height = try XCTUnwrap(box["Height"])
            for v in [left, top, width, height, left + width, top + height] { XCTAssertTrue((0...1).contains(v), "\(box)") }
            // The ratios name the pixel box (to the 6 written decimals).
            XCTAssertEqual(left * Double(page.width), Double(word.box.left), accuracy: 1e-6 * Double(page.width) + 1e-9)
            XCTAssertEqual(top * Double(page.height), Double(word.box.top), accuracy: 1e-6 * Double(page.height) + 1e-9)
            XCTAssertEqual((left + width) * Double(page.width), Double(word.box.right), accuracy: 2e-6 * Double(page.width))
            XCTAssertEqual((top + height) * Double(page.height), Double(word.box.bottom), accuracy: 2e-6 * Double(page.height))
            let polygon = try XCTUnwrap((block["Geometry"] as? [String: Any])?["Polygon"] as? [[String: Double]])
            XCTAssertEqual(polygon.count, 4)
            XCTAssertEqual(polygon[0]["X"]!, left, accuracy: 1e-9)
            XCTAssertEqual(polygon[2]["Y"]!, top + height, accuracy: 2e-6)
        }
        // LINE children are the words of the line, in order; PAGE children are the lines.
        let wordIds = words.map { $0["Id"] as! String }
        for (block, range) in zip(lines, page.lines) {
            let rel = try XCTUnwrap((block["Relationships"] as? [[String: Any]])?.first)
            XCTAssertEqual(rel["Type"] as? String, "CHILD")
            XCTAssertEqual(rel["Ids"] as? [String], Array(wordIds[range]))
            XCTAssertEqual(block["Text"] as? String, page.words[range].map(\.ocrText).joined(separator: " "))
        }
        let pageChildren = (pages[0]["Relationships"] as? [[String: Any]])?.first?["Ids"] as? [String]
        XCTAssertEqual(pageChildren, lines.map { $0["Id"] as! String })
        // Deterministic: encoding twice gives the same bytes.
        XCTAssertEqual(TextractJSON.encode(page), bytes)
    }

    func testOCRWordsAreNormalisedBoxes() throws {
        let page = try page()
        for (ocr, word) in zip(page.ocrWords(), page.words) {
            XCTAssertEqual(ocr.text, word.ocrText)
            XCTAssertEqual(Double(ocr.left), Double(word.box.left) / Double(page.width), accuracy: 1e-6)
            XCTAssertEqual(Double(ocr.bottom), Double(word.box.bottom) / Double(page.height), accuracy: 1e-6)
            XCTAssertTrue(ocr.left < ocr.right && ocr.top < ocr.bottom)
        }
    }

    func testQuestionFileHasTheReleaseFields() throws {
        var config = SyntheticConfig()
        config.trainQuestions = 9; config.valQuestions = 0; config.testQuestions = 4; config.devQuestions = 2
        let splits = try SyntheticSplitPlan.make(config: config)
        for split in splits where !split.questions.isEmpty {
            // What the writer puts in the release-format file: test without answers.
            let released = split.name == "test" ? split.questions.map(\.withoutAnswers) : split.questions
            let bytes = QuestionFileJSON.encode(released, split: split.name)
            let root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
            let data = try XCTUnwrap(root["data"] as? [[String: Any]])
            XCTAssertEqual(data.count, split.questions.count)
            for (item, q) in zip(data, released) {
                XCTAssertEqual(item["questionId"] as? Int, q.questionId)
                XCTAssertEqual(item["question"] as? String, q.question)
                XCTAssertEqual(item["doc_id"] as? String, q.docId)
                XCTAssertEqual(item["page_ids"] as? [String], q.pageIds)
                XCTAssertEqual(item["data_split"] as? String, split.name)
                if split.name == "test" {
                    XCTAssertNil(item["answers"]); XCTAssertNil(item["answer_page_idx"])
                } else {
                    XCTAssertEqual(item["answers"] as? [String], q.answers)
                    XCTAssertEqual(item["answer_page_idx"] as? Int, q.answerPageIndex)
                }
            }
            // Decodes as the shared `Question` record too.
            struct File: Decodable { var data: [Question] }
            XCTAssertEqual(try JSONDecoder().decode(File.self, from: Data(bytes)).data, released)
        }
    }
}
