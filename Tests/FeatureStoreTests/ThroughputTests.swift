import FeatureStore
import Foundation
import XCTest

final class ThroughputTests: XCTestCase {
    func testMeasureReportsPositiveRatesForTheBytesItMoved() throws {
        let dir = try FeatureStoreFixtures.temporaryDirectory(self)
        for dtype in FeatureDType.allCases {
            let result = try FeatureStoreThroughput.measure(directory: dir, rows: 256, summaryTokens: 8, modelDim: 64, dtype: dtype,
                                                            batchRows: 32, pagesPerQuestion: 8, syncToDisk: false)
            XCTAssertEqual(result.bytes, 256 * 8 * 64 * dtype.byteSize)
            XCTAssertEqual(result.rows, 256)
            XCTAssertTrue(result.writeMBPerSecond.isFinite && result.writeMBPerSecond > 0, "\(result)")
            XCTAssertTrue(result.readMBPerSecond.isFinite && result.readMBPerSecond > 0, "\(result)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [], "the probe removes its file")
    }
}
