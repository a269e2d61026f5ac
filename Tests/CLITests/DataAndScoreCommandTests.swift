import XCTest
import TestSupport

/// Runs the built `mpvqa` on the committed dataset fixtures.
final class DataAndScoreCommandTests: XCTestCase {
    /// `Tests/DocDataTests/Fixtures/dataset` in the source tree.
    var fixtures: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("DocDataTests/Fixtures/dataset")
    }

    func testValidateGoodRootExitsZeroAndBadRootListsEveryProblem() throws {
        let good = try BuiltProducts.runMPVQA(["data", "validate", fixtures.appendingPathComponent("good").path])
        XCTAssertEqual(good.status, 0, good.stdout + good.stderr)
        let bad = try BuiltProducts.runMPVQA(["data", "validate", fixtures.appendingPathComponent("bad").path])
        XCTAssertEqual(bad.status, 1)
        for expected in ["train.json: questionId 2: answer_page_idx: 2 is out of range for 2 pages",
                         "images/trunc.jpg: truncated JPEG",
                         "ocr/badocr.json: Blocks[2]: Geometry.BoundingBox.Left: expected a number"] {
            XCTAssertTrue(bad.stdout.contains(expected), "missing: \(expected)\n\(bad.stdout)")
        }
    }

    func testScoreOfAPerfectAndAnIncompleteSubmission() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("score-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let goldURL = fixtures.appendingPathComponent("good/val.json")
        let gold = try JSONSerialization.jsonObject(with: Data(contentsOf: goldURL)) as! [String: Any]
        let items = gold["data"] as! [[String: Any]]
        let perfect = items.map { ["questionId": $0["questionId"]!, "answer": ($0["answers"] as! [String])[0], "answer_page": $0["answer_page_idx"]!] }
        let sub = dir.appendingPathComponent("sub.json")
        try JSONSerialization.data(withJSONObject: perfect).write(to: sub)
        let ok = try BuiltProducts.runMPVQA(["score", "--gold", goldURL.path, "--predictions", sub.path, "--json"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        let report = try JSONSerialization.jsonObject(with: Data(ok.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(report["anls"] as? Double, 1)
        XCTAssertEqual(report["page_accuracy"] as? Double, 1)
        XCTAssertEqual(report["questions"] as? Int, items.count)
        try JSONSerialization.data(withJSONObject: Array(perfect.dropFirst())).write(to: sub)
        let missing = try BuiltProducts.runMPVQA(["score", "--gold", goldURL.path, "--predictions", sub.path])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("have no prediction"), missing.stderr)
    }
}
