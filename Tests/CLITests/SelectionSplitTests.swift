import Foundation
import TestSupport
import XCTest

/// Training selects on dev, never on what is reported (README "Configs and runs"), and a
/// synthetic test split is scored against its gold file.
final class SelectionSplitTests: WorkDirectoryTestCase {
    func questionIds(_ file: URL) throws -> Set<Int> {
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        return Set((object["data"] as? [[String: Any]] ?? []).compactMap { $0["questionId"] as? Int })
    }

    func testBestIsSelectedOnDevAndTestIsScoredFromItsGoldFile() throws {
        let config = try writeTinyConfig(steps: 6, warmupSteps: 0, evalEvery: 3)
        let run = work.appendingPathComponent("run"), data = work.appendingPathComponent("data")
        let trained = try BuiltProducts.runMPVQA(["train", "--config", config.path, "--run-dir", run.path, "--data-dir", data.path])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        XCTAssertTrue(trained.stderr.contains("dev @ step 3"), trained.stderr)

        // The split training validated on shares no question (or document) with val or test.
        let root = try XCTUnwrap(try FileManager.default.contentsOfDirectory(at: data, includingPropertiesForKeys: nil)
            .first { $0.lastPathComponent.hasPrefix("synthetic-") })
        let dev = try questionIds(root.appendingPathComponent("dev.json"))
        XCTAssertEqual(dev.count, 8, "dev defaults to as many questions as val")
        for scored in ["val.json", "test.json", "train.json"] {
            XCTAssertTrue(dev.isDisjoint(with: try questionIds(root.appendingPathComponent(scored))), "dev and \(scored) share questions")
        }
        let test = try String(contentsOf: root.appendingPathComponent("test.json"), encoding: .utf8)
        XCTAssertFalse(test.contains("\"answers\""), "test.json is released without answers")
        let rows = try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
        XCTAssertTrue(rows.contains { $0.contains("\"dev_anls\"") } && !rows.contains { $0.contains("\"val_anls\"") })

        let eval = try BuiltProducts.runMPVQA(["eval", "--run", run.path, "--split", "test", "--data-dir", data.path])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        let metrics = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("eval/test/metrics.json"))) as? [String: Any])
        XCTAssertEqual(metrics["questions"] as? Int, 4)
        XCTAssertNotNil(metrics["anls"] as? Double)
        XCTAssertEqual(metrics["split"] as? String, "test")
    }
}
