import FeatureStore
import Foundation
import TensorCore
import XCTest

/// `FeatureCacheVerification`: what cached training and `mpvqa cache verify` refuse in a cache's contents.
final class FeatureCacheVerificationTests: XCTestCase {
    /// Two questions (ids 7 and 8) of two pages, K 2, d 3; `value` and `slot` replace one summary value and one slot token.
    func writeCache(_ name: String, value: Float = 0.5, slot: Int32 = 3) throws -> URL {
        let url = try FeatureStoreFixtures.temporaryDirectory(self).appendingPathComponent(name)
        let header = FeatureCacheHeader(summaryTokens: 2, modelDim: 3, dtype: .float32, encoderHash: "enc", promptTemplate: "q: {question}",
                                        split: "val", cacheKey: "k")
        var values = [Float](repeating: 0.25, count: 4 * 2 * 3)
        values[2 * 6 + 4] = value                    // row 2 (questionId 8), slot 1, dimension 1
        var slots = [Int32](repeating: 1, count: 4 * 2)
        slots[3 * 2 + 1] = slot                      // row 3 (questionId 8), slot 1
        let writer = try FeatureCacheWriter(url: url, header: header)
        try writer.append(summaries: Tensor(values, shape: [4, 2, 3]), slotTokens: slots, questionIds: [7, 7, 8, 8], pageIndices: [0, 1, 0, 1],
                          pageIds: ["a0", "a1", "b0", "b1"])
        try writer.finish()
        return url
    }

    func testAGoodCachePassesAndReportsItsRows() throws {
        let report = try FeatureCacheVerification.verify(try FeatureCacheReader(url: try writeCache("good.h5")), vocabularySize: 10,
                                                         pageIds: [7: ["a0", "a1"], 8: ["b0", "b1"]])
        XCTAssertEqual(report.rows, 4)
        XCTAssertEqual(report.questions, 2)
    }

    func testNonFiniteSummaryIsRefusedNamingRowAndQuestion() throws {
        for bad in [Float.nan, .infinity] {
            let reader = try FeatureCacheReader(url: try writeCache("nan.h5", value: bad))
            XCTAssertThrowsError(try FeatureCacheVerification.verify(reader)) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains("nan.h5: dataset 'summaries': row 2 (questionId 8)") && text.contains("expected finite numbers"), text)
            }
        }
    }

    func testSlotTokenOutsideTheTokenizerIsRefused() throws {
        let reader = try FeatureCacheReader(url: try writeCache("slots.h5", slot: 10))
        XCTAssertNoThrow(try FeatureCacheVerification.verify(reader), "any id ≥ 0 without a tokenizer")
        XCTAssertThrowsError(try FeatureCacheVerification.verify(reader, vocabularySize: 10)) { error in
            XCTAssertTrue("\(error)".contains("dataset 'slot_tokens': row 3 (questionId 8) slot 1 holds token id 10; expected −1 (no source) or an id of the tokenizer (0…9)"), "\(error)")
        }
    }

    func testPageIdsNotTheDatasetsAreRefused() throws {
        let reader = try FeatureCacheReader(url: try writeCache("pages.h5"))
        XCTAssertThrowsError(try FeatureCacheVerification.verify(reader, pageIds: [7: ["a0", "a1"], 8: ["b0", "zz"]])) { error in
            XCTAssertTrue("\(error)".contains("dataset 'page_ids': row 3 (questionId 8) has page ids [\"b0\", \"b1\"]"), "\(error)")
        }
    }

    /// A directory given as a cache gets one plain line, not HDF5's error stack.
    func testADirectoryIsRefusedInPlainWords() throws {
        let dir = try FeatureStoreFixtures.temporaryDirectory(self)
        XCTAssertThrowsError(try FeatureCacheReader(url: dir)) { error in
            XCTAssertEqual("\(error)", "\(dir.path): is a directory; expected a feature cache file (.h5)")
        }
    }
}
