import Foundation
import TestSupport
import XCTest

/// `mpvqa cache inspect FILE [--json]` on fixture files.
final class InspectCommandTests: XCTestCase {
    func testJSONReportOfH5pyCache() throws {
        let path = FeatureStoreFixtures.url("h5py_float16_complete.h5").path
        let result = try BuiltProducts.runMPVQA(["cache", "inspect", path, "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(json["file"] as? String, path)
        XCTAssertEqual(json["format"] as? String, "mpvqa-features")
        XCTAssertEqual(json["version"] as? Int, 1)
        XCTAssertEqual(json["complete"] as? Bool, true)
        XCTAssertEqual(json["rows"] as? Int, 7)
        XCTAssertEqual(json["questions"] as? Int, 3)
        XCTAssertEqual(json["K"] as? Int, 3)
        XCTAssertEqual(json["d"] as? Int, 5)
        XCTAssertEqual(json["dtype"] as? String, "float16")
        XCTAssertEqual(json["encoder_hash"] as? String, "h5py-encoder")
        XCTAssertEqual(json["prompt_template"] as? String, "question: {question}")
        XCTAssertEqual(json["split"] as? String, "val")
        let datasets = try XCTUnwrap(json["datasets"] as? [[String: Any]])
        XCTAssertEqual(datasets.map { $0["name"] as? String }, ["summaries", "question_ids", "page_indices", "page_ids"])
        XCTAssertEqual(datasets.map { $0["type"] as? String }, ["float16", "int64", "int32", "string(variable)"])
        XCTAssertEqual(datasets[0]["shape"] as? [Int], [7, 3, 5])
        XCTAssertEqual(datasets[0]["chunks"] as? [Int], [2, 3, 5])
    }

    func testTextReportOfUnfinishedCache() throws {
        let result = try BuiltProducts.runMPVQA(["cache", "inspect", FeatureStoreFixtures.url("h5py_float32_incomplete.h5").path])
        XCTAssertEqual(result.status, 0, result.stderr)
        for expected in ["complete         no — resumable after 4 committed rows", "rows             4 ", "questions        2",
                         "K × d            2 × 4", "dtype            float32", "page_ids      [6]  string(16 bytes)"] {
            XCTAssertTrue(result.stdout.contains(expected), "missing '\(expected)' in:\n\(result.stdout)")
        }
    }

    func testBadFileFailsWithOneLineNamingFileAndDataset() throws {
        let path = FeatureStoreFixtures.url("bad_missing_dataset.h5").path
        let result = try BuiltProducts.runMPVQA(["cache", "inspect", path])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(result.stderr.trimmingCharacters(in: .newlines).split(separator: "\n").count, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("\(path): dataset 'page_indices': missing"), result.stderr)
    }
}
