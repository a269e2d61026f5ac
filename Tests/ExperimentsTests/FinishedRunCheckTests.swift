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
        let marker = try JSONSerialization.data(withJSONObject: ["steps": 900, "config": trained.config.yaml])
        try marker.write(to: ExperimentPlan.completionMarker(dir))
        XCTAssertNoThrow(try ExperimentPlan.checkFinishedRun(dir, matches: trained))
        XCTAssertThrowsError(try ExperimentPlan.checkFinishedRun(dir, matches: try settings(steps: 1500))) { error in
            XCTAssertTrue("\(error)".contains("train.steps is 1500 here but 900 in the run"), "\(error)")
        }
    }
}
