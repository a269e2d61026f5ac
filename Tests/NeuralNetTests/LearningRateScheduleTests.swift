import Foundation
import NeuralNet
import XCTest

final class LearningRateScheduleTests: XCTestCase {
    func testWarmupThenCosine() throws {
        let s = try LearningRateSchedule(peak: 1, warmupSteps: 4, totalSteps: 14, decay: .cosine, minimum: 0.1)
        let expected: [(Int, Double)] = [
            (0, 0.25), (1, 0.5), (3, 1.0),       // linear warm-up reaching the peak on its last step
            (4, 1.0),                            // decay starts at the peak
            (6, 0.1 + 0.45 * (1 + cos(0.2 * Double.pi))),
            (9, 0.55),                           // half way: (peak + minimum) / 2
            (14, 0.1), (100, 0.1),               // minimum at the end and after it
        ]
        for (step, lr) in expected { XCTAssertEqual(s(step), lr, accuracy: 1e-12, "step \(step)") }
    }

    func testWarmupThenLinear() throws {
        let s = try LearningRateSchedule(peak: 2e-3, warmupSteps: 10, totalSteps: 110, decay: .linear)
        XCTAssertEqual(s(0), 2e-4, accuracy: 1e-15)
        XCTAssertEqual(s(9), 2e-3, accuracy: 1e-15)
        XCTAssertEqual(s(35), 1.5e-3, accuracy: 1e-15)
        XCTAssertEqual(s(60), 1e-3, accuracy: 1e-15)
        XCTAssertEqual(s(110), 0, accuracy: 1e-15)
        XCTAssertEqual(s(500), 0, accuracy: 1e-15)
    }

    func testNoWarmupAndConstant() throws {
        XCTAssertEqual(try LearningRateSchedule(peak: 3, warmupSteps: 0, totalSteps: 10)(0), 3)
        let constant = try LearningRateSchedule(peak: 3, warmupSteps: 2, totalSteps: 10, decay: .constant)
        XCTAssertEqual([0, 1, 2, 9, 50].map { constant($0) }, [1.5, 3, 3, 3, 3])
    }
}
