import Foundation
import TensorCore
import XCTest

/// `laneSquareRoot` gives the scalar square roots bit for bit (IEEE square roots are
/// correctly rounded), on ordinary, tiny, huge and special values.
final class LaneSquareRootTests: XCTestCase {
    func testFloatLanesEqualScalarSquareRoots() {
        var values: [Float] = [0, -0.0, 1, 2, 0.25, .leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude,
                               .infinity, -1, .nan, 1e-30, 3e38]
        var rng = SeededRNG(seed: 3)
        for _ in 0..<4000 { values.append(Float(exp(rng.nextUniform() * 160 - 80))) }
        while values.count % 8 != 0 { values.append(1) }
        for start in stride(from: 0, to: values.count, by: 8) {
            let lanes = SIMD8<Float>(values[start..<(start + 8)])
            let roots = laneSquareRoot(lanes)
            for lane in 0..<8 {
                let expected = lanes[lane].squareRoot()
                XCTAssertTrue(roots[lane].bitPattern == expected.bitPattern || (roots[lane].isNaN && expected.isNaN),
                              "√\(lanes[lane]): \(roots[lane]) vs \(expected)")
            }
        }
    }

    func testDoubleLanesEqualScalarSquareRoots() {
        var rng = SeededRNG(seed: 4)
        for _ in 0..<500 {
            let lanes = SIMD8<Double>((0..<8).map { _ in exp(rng.nextUniform() * 1400 - 700) })
            let roots = laneSquareRoot(lanes)
            for lane in 0..<8 { XCTAssertEqual(roots[lane].bitPattern, lanes[lane].squareRoot().bitPattern, "√\(lanes[lane])") }
        }
        let special = laneSquareRoot(SIMD8<Double>(0, -0.0, .infinity, 4, 9, 1e-310, -1, 2))
        XCTAssertEqual(Array(0..<6).map { special[$0] }, [0, -0.0, .infinity, 2, 3, (1e-310).squareRoot()])
        XCTAssertTrue(special[6].isNaN)
    }
}
