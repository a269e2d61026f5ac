import FeatureStore
import Foundation
import TensorCore
import TestSupport
import XCTest

/// Caches written by h5py (Fixtures/make_h5py_fixtures.py) are read and resumed by Swift.
final class H5pyCompatibilityTests: XCTestCase {
    func testReadsFinishedFloat16CacheWrittenByH5py() throws {
        let expected = try XCTUnwrap(try FeatureStoreFixtures.reference()["float16_complete"] as? [String: Any])
        let reader = try FeatureCacheReader(url: FeatureStoreFixtures.url("h5py_float16_complete.h5"))
        XCTAssertTrue(reader.isComplete)
        XCTAssertEqual(reader.rows, 7)
        XCTAssertEqual(reader.header, FeatureCacheHeader(summaryTokens: 3, modelDim: 5, dtype: .float16, encoderHash: "h5py-encoder",
                                                         promptTemplate: "question: {question}", split: "val"))
        XCTAssertEqual(reader.questionIds.map(Int.init), try FeatureStoreFixtures.ints(expected["question_ids"]))
        XCTAssertEqual(reader.pageIndices.map(Int.init), try FeatureStoreFixtures.ints(expected["page_indices"]))
        XCTAssertEqual(reader.pageIds, expected["page_ids"] as? [String], "variable-length strings")
        XCTAssertEqual(reader.questions.map(Int.init), try FeatureStoreFixtures.ints(expected["questions"]))

        // numpy's float16 values exactly, and the float32 originals within half precision.
        let asHalf = Tensor(try FeatureStoreFixtures.doubles(expected["summaries_as_float16"]).map { Float($0) }, shape: [7, 3, 5])
        let original = Tensor(try FeatureStoreFixtures.doubles(expected["summaries_float32"]).map { Float($0) }, shape: [7, 3, 5])
        let all = try reader.summaries(rows: 0..<7)
        assertClose(all, asHalf, rtol: 0, atol: 0, "float16 decode")
        assertClose(all, original, rtol: 1.0 / 2048, atol: 1.0 / 33_554_432, "float16 vs float32 originals")
        XCTAssertEqual(reader.rowRange(questionId: 205), 2..<5)
        assertClose(try reader.summaries(questionId: 205), asHalf.rows(2..<5), rtol: 0, atol: 0, "question 205")
    }

    /// An unfinished h5py file: only `rows` rows (of 6 stored, 2 of them NaN junk) are visible;
    /// a Swift writer resumes it, overwriting the junk, and finishes it.
    func testReadsAndResumesUnfinishedFloat32CacheWrittenByH5py() throws {
        let expected = try XCTUnwrap(try FeatureStoreFixtures.reference()["float32_incomplete"] as? [String: Any])
        let committed = Tensor(try FeatureStoreFixtures.doubles(expected["summaries"]).map { Float($0) }, shape: [4, 2, 4])
        let url = try FeatureStoreFixtures.temporaryDirectory(self).appendingPathComponent("copy.h5")
        try FileManager.default.copyItem(at: FeatureStoreFixtures.url("h5py_float32_incomplete.h5"), to: url)

        let reader = try FeatureCacheReader(url: url)
        XCTAssertFalse(reader.isComplete)
        XCTAssertEqual(reader.rows, 4)
        XCTAssertEqual(reader.questionIds, [11, 11, 12, 12], "int32 question ids widen to Int64")
        XCTAssertEqual(reader.pageIds, ["a_0", "a_1", "b_0", "b_1"], "fixed-length strings")
        assertClose(try reader.summaries(rows: 0..<4), committed, rtol: 0, atol: 0, "committed rows")
        reader.close()

        let header = FeatureCacheHeader(summaryTokens: 2, modelDim: 4, dtype: .float32, encoderHash: "h5py-encoder",
                                        promptTemplate: "question: {question}", split: "val")
        let writer = try FeatureCacheWriter(url: url, header: header)
        XCTAssertEqual(writer.resumedRows, 4)
        let more = Tensor((0..<24).map { Float($0) / 8 }, shape: [3, 2, 4])
        try writer.append(summaries: more, questionIds: [13, 13, 14], pageIndices: [0, 1, 0], pageIds: ["c_0", "c_1", "d_0"])
        try writer.finish()

        let resumed = try FeatureCacheReader(url: url)
        XCTAssertTrue(resumed.isComplete)
        XCTAssertEqual(resumed.rows, 7)
        XCTAssertEqual(resumed.questionIds, [11, 11, 12, 12, 13, 13, 14])
        XCTAssertEqual(resumed.pageIds, ["a_0", "a_1", "b_0", "b_1", "c_0", "c_1", "d_0"])
        assertClose(try resumed.summaries(rows: 0..<4), committed, rtol: 0, atol: 0, "old rows kept")
        assertClose(try resumed.summaries(rows: 4..<7), more, rtol: 0, atol: 0, "new rows")
        XCTAssertEqual(try FeatureCacheInspection(url: url).datasets.map(\.shape), [[7, 2, 4], [7], [7], [7]])
    }

    /// Resuming an h5py file with variable-length page ids writes variable-length strings.
    func testResumesCacheWithVariableLengthPageIds() throws {
        let url = try FeatureStoreFixtures.temporaryDirectory(self).appendingPathComponent("vl.h5")
        try FileManager.default.copyItem(at: FeatureStoreFixtures.url("h5py_float16_complete.h5"), to: url)
        XCTAssertThrowsError(try FeatureCacheWriter(url: url, header: FeatureCacheHeader(
            summaryTokens: 3, modelDim: 5, dtype: .float16, encoderHash: "h5py-encoder", promptTemplate: "question: {question}"))) { error in
            XCTAssertEqual((error as? FeatureCacheError)?.kind, .alreadyComplete, "\(error)")
        }
    }
}
