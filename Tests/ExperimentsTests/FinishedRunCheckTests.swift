import Experiments
import Foundation
import Training
import XCTest

/// A finished cell is reused only with the configuration it was trained with.
final class FinishedRunCheckTests: XCTestCase {
    func testChangedCellIsRefusedNamingTheKey() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mpvqa-finished-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func settings(steps: Int) throws -> RunSettings {
            try RunSettings(try ConfigDocument.parse("name: c\ntrain: {steps: \(steps), warmup_steps: 10}\n", source: "c.yaml").base)
        }
        let trained = try settings(steps: 900)
        try CompletionMarker(steps: 900, minutes: 1, bestDevANLS: 0.5, bestStep: 900, mode: "end_to_end", encoderRun: "",
                             config: trained.config.yaml, trainedConfig: trained.config.yaml).write(to: dir)
        XCTAssertNoThrow(try ExperimentPlan.checkFinishedRun(dir, matches: trained))
        XCTAssertThrowsError(try ExperimentPlan.checkFinishedRun(dir, matches: try settings(steps: 1500))) { error in
            XCTAssertTrue("\(error)".contains("train.steps is 1500 here but 900 in the run"), "\(error)")
        }
    }

    func testAMarkerWithoutAFieldIsRefusedNamingIt() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mpvqa-finished-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try #"{"steps": 900, "minutes": 1}"#.write(to: ExperimentPlan.completionMarker(dir), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try CompletionMarker.read(dir)) { error in
            XCTAssertTrue("\(error)".contains("complete.json: "), "\(error)")
            XCTAssertTrue("\(error)".contains("missing: expected every field of a completion marker"), "\(error)")
        }
    }
}
