import XCTest
import TensorCore

/// Fails unless `actual` and `expected` have the same shape and every element satisfies
/// `|a − e| ≤ atol + rtol·|e|`; the message gives the worst element, its index and both values.
public func assertClose(_ actual: Tensor, _ expected: Tensor, rtol: Double = 1e-5, atol: Double = 1e-6,
                        _ what: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    guard actual.shape == expected.shape else {
        XCTFail("\(what()): shape \(actual.shape) differs from expected \(expected.shape)", file: file, line: line)
        return
    }
    assertClose(actual.doubles, expected.doubles, shape: actual.shape, rtol: rtol, atol: atol, what(), file: file, line: line)
}

/// Array form of `assertClose` (`shape` only formats the index of the worst element).
public func assertClose(_ actual: [Double], _ expected: [Double], shape: [Int]? = nil, rtol: Double = 1e-5, atol: Double = 1e-6,
                        _ what: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    guard actual.count == expected.count else {
        XCTFail("\(what()): \(actual.count) elements, expected \(expected.count)", file: file, line: line)
        return
    }
    var worst = -1, worstExcess = 0.0, maxDiff = 0.0
    for i in 0..<actual.count {
        let diff = abs(actual[i] - expected[i])
        maxDiff = max(maxDiff, diff.isNaN ? .infinity : diff)
        let excess = diff.isNaN ? .infinity : diff - (atol + rtol * abs(expected[i]))
        if excess > worstExcess || (excess.isInfinite && worst < 0) { worstExcess = excess; worst = i }
    }
    if worst >= 0 {
        let index = shape.map { unravel(worst, $0) }.map { "\($0)" } ?? "\(worst)"
        XCTFail("\(what()): max |diff| \(maxDiff); worst at \(index): got \(actual[worst]), expected \(expected[worst]) (rtol \(rtol), atol \(atol))",
                file: file, line: line)
    }
}

/// Multi-index of flat position `i` in a row-major `shape`.
public func unravel(_ i: Int, _ shape: [Int]) -> [Int] {
    var rest = i
    var index = [Int](repeating: 0, count: shape.count)
    for axis in stride(from: shape.count - 1, through: 0, by: -1) where shape[axis] > 0 {
        index[axis] = rest % shape[axis]
        rest /= shape[axis]
    }
    return index
}
