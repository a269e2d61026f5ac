import FeatureStore
import Foundation
import TensorCore
import TestSupport
import XCTest

/// An unfinished cache is resumed after its committed rows, and a writer refuses files it
/// must not extend.
final class ResumeTests: XCTestCase {
    private let header = RoundTripTests.header(.float32)

    func testUnfinishedWriterResumesAfterCommittedRows() throws {
        let url = try FeatureStoreFixtures.temporaryDirectory(self).appendingPathComponent("resume.h5")
        let rows = RoundTripTests.makeRows(summaryTokens: 3, modelDim: 7)
        // First run: two batches (5 rows, question 69_999 split after its first page), then "crash" (close without finish).
        try RoundTripTests.write(rows, to: url, header: header, batches: [3, 2], finish: false)

        let partial = try FeatureCacheReader(url: url)
        XCTAssertFalse(partial.isComplete)
        XCTAssertEqual(partial.rows, 5)
        XCTAssertEqual(partial.questionIds, Array(rows.questionIds[0..<5]))
        assertClose(try partial.summaries(rows: 0..<5), rows.summaries.rows(0..<5), rtol: 0, atol: 0, "committed rows")
        partial.close()

        // Second run: starts at row 5 and writes only the rest.
        let writer = try FeatureCacheWriter(url: url, header: header)
        XCTAssertEqual(writer.resumedRows, 5)
        XCTAssertEqual(writer.rows, 5)
        try writer.append(summaries: rows.summaries.rows(5..<12), questionIds: Array(rows.questionIds[5...]),
                          pageIndices: Array(rows.pageIndices[5...]), pageIds: Array(rows.pageIds[5...]))
        XCTAssertEqual(writer.rows, 12)
        try writer.finish()

        let reader = try FeatureCacheReader(url: url)
        XCTAssertTrue(reader.isComplete)
        XCTAssertEqual(reader.questionIds, rows.questionIds)
        XCTAssertEqual(reader.pageIds, rows.pageIds)
        XCTAssertEqual(reader.rowRange(questionId: 69_999), 4..<8, "question split across runs reads as one range")
        assertClose(try reader.summaries(rows: 0..<12), rows.summaries, rtol: 0, atol: 0, "after resume")
    }

    func testReaderOfUnfinishedFileSeesOnlyCommittedRows() throws {
        let url = try FeatureStoreFixtures.temporaryDirectory(self).appendingPathComponent("partial.h5")
        let rows = RoundTripTests.makeRows(summaryTokens: 3, modelDim: 7)
        try RoundTripTests.write(rows, to: url, header: header, options: .init(reserveRows: 64), batches: [3], finish: false)
        let reader = try FeatureCacheReader(url: url)
        XCTAssertEqual(reader.rows, 3)
        XCTAssertThrowsError(try reader.summaries(rows: 0..<4)) { error in
            XCTAssertEqual((error as? FeatureCacheError)?.kind, .notFound, "\(error)")
            XCTAssertTrue("\(error)".contains("0..<3"), "\(error)")
        }
        XCTAssertThrowsError(try reader.summaries(questionId: 70_002)) { error in
            XCTAssertEqual((error as? FeatureCacheError)?.kind, .notFound, "\(error)")
            XCTAssertTrue("\(error)".contains("question 70002"), "\(error)")
        }
    }

    /// A reader opened while the writer is still appending sees a snapshot of the committed rows.
    func testReaderAlongsideAnOpenWriterSeesCommittedRows() throws {
        let url = try FeatureStoreFixtures.temporaryDirectory(self).appendingPathComponent("live.h5")
        let rows = RoundTripTests.makeRows(summaryTokens: 3, modelDim: 7)
        let writer = try FeatureCacheWriter(url: url, header: header, options: .init(reserveRows: 12))
        try writer.append(summaries: rows.summaries.rows(0..<4), questionIds: Array(rows.questionIds[0..<4]),
                          pageIndices: Array(rows.pageIndices[0..<4]), pageIds: Array(rows.pageIds[0..<4]))
        let reader = try FeatureCacheReader(url: url)
        XCTAssertEqual(reader.rows, 4)
        XCTAssertFalse(reader.isComplete)
        try writer.append(summaries: rows.summaries.rows(4..<12), questionIds: Array(rows.questionIds[4...]),
                          pageIndices: Array(rows.pageIndices[4...]), pageIds: Array(rows.pageIds[4...]))
        XCTAssertEqual(reader.rows, 4, "a reader is a snapshot")
        assertClose(try reader.summaries(rows: 0..<4), rows.summaries.rows(0..<4), rtol: 0, atol: 0, "snapshot rows")
        reader.close()
        try writer.finish()
        XCTAssertEqual(try FeatureCacheReader(url: url).rows, 12)
    }

    func testWriterRefusesAFileMadeWithOtherSettings() throws {
        let url = try FeatureStoreFixtures.temporaryDirectory(self).appendingPathComponent("other.h5")
        try RoundTripTests.write(RoundTripTests.makeRows(summaryTokens: 3, modelDim: 7), to: url, header: header,
                                 batches: [2], finish: false)
        let changes: [(String, (inout FeatureCacheHeader) -> Void)] = [
            ("K", { $0.summaryTokens = 4 }), ("d", { $0.modelDim = 8 }), ("dtype", { $0.dtype = .float16 }),
            ("encoder_hash", { $0.encoderHash = "enc-2" }), ("prompt_template", { $0.promptTemplate = "q: {question}" }),
            ("split", { $0.split = "test" }),
        ]
        for (attribute, change) in changes {
            var other = header
            change(&other)
            XCTAssertThrowsError(try FeatureCacheWriter(url: url, header: other), attribute) { error in
                let e = error as? FeatureCacheError
                XCTAssertEqual(e?.kind, .mismatch, "\(error)")
                XCTAssertEqual(e?.field, "attribute '\(attribute)'", "\(error)")
                XCTAssertEqual(e?.file, url.path)
            }
        }
        XCTAssertEqual(try FeatureCacheWriter(url: url, header: header).rows, 2, "the file is untouched by refused writers")
    }

    func testWriterRefusesAFinishedFile() throws {
        let url = try FeatureStoreFixtures.temporaryDirectory(self).appendingPathComponent("done.h5")
        try RoundTripTests.write(RoundTripTests.makeRows(summaryTokens: 3, modelDim: 7), to: url, header: header)
        XCTAssertThrowsError(try FeatureCacheWriter(url: url, header: header)) { error in
            XCTAssertEqual((error as? FeatureCacheError)?.kind, .alreadyComplete, "\(error)")
            XCTAssertTrue("\(error)".hasPrefix(url.path), "\(error)")
        }
    }

    func testAppendRejectsBadBatches() throws {
        let url = try FeatureStoreFixtures.temporaryDirectory(self).appendingPathComponent("bad-batch.h5")
        let writer = try FeatureCacheWriter(url: url, header: header, options: .init(pageIdBytes: 8))
        let one = Tensor.zeros([1, 3, 7])
        func expect(_ kind: FeatureCacheError.Kind, _ text: String, _ body: () throws -> Void) {
            XCTAssertThrowsError(try body(), text) { error in
                XCTAssertEqual((error as? FeatureCacheError)?.kind, kind, "\(error)")
                XCTAssertTrue("\(error)".contains(text), "\(error)")
            }
        }
        expect(.invalidArgument, "[n, 3, 7]") {
            try writer.append(summaries: Tensor.zeros([1, 7, 3]), questionIds: [1], pageIndices: [0], pageIds: ["a"])
        }
        expect(.invalidArgument, "2 question ids") {
            try writer.append(summaries: one, questionIds: [1, 2], pageIndices: [0], pageIds: ["a"])
        }
        expect(.invalidArgument, "at most 8") {
            try writer.append(summaries: one, questionIds: [1], pageIndices: [0], pageIds: ["a-very-long-page-id"])
        }
        try writer.append(summaries: Tensor.zeros([2, 3, 7]), questionIds: [1, 2], pageIndices: [0, 0], pageIds: ["a", "b"])
        expect(.invalidArgument, "question 1") {
            try writer.append(summaries: one, questionIds: [1], pageIndices: [1], pageIds: ["a2"])
        }
        expect(.invalidArgument, "question 3") {
            try writer.append(summaries: Tensor.zeros([3, 3, 7]), questionIds: [3, 4, 3], pageIndices: [0, 0, 1], pageIds: ["c", "d", "c1"])
        }
        XCTAssertEqual(writer.rows, 2, "rejected batches commit nothing")
        try writer.append(summaries: one, questionIds: [2], pageIndices: [1], pageIds: ["b1"])
        XCTAssertEqual(writer.rows, 3)
        try writer.finish()
        expect(.invalidArgument, "after finish") {
            try writer.append(summaries: one, questionIds: [5], pageIndices: [0], pageIds: ["e"])
        }
        XCTAssertEqual(try FeatureCacheReader(url: url).questionIds, [1, 2, 2])
    }

    /// A second process cannot write a cache this process is writing (HDF5's file lock).
    func testSecondWriterProcessIsLockedOut() throws {
        let url = try FeatureStoreFixtures.temporaryDirectory(self).appendingPathComponent("locked.h5")
        let header = FeatureCacheHeader(summaryTokens: 4, modelDim: 32, dtype: .float32, encoderHash: "pattern",
                                        promptTemplate: "{question}", split: "pattern")
        let writer = try FeatureCacheWriter(url: url, header: header)
        let other = try BuiltProducts.runMPVQA(["cache", "write-pattern", url.path, "--rows", "8"])
        XCTAssertNotEqual(other.status, 0, other.stdout)
        XCTAssertTrue(other.stderr.contains(url.path) && other.stderr.contains("another process"), other.stderr)
        try writer.close()
        let after = try BuiltProducts.runMPVQA(["cache", "write-pattern", url.path, "--rows", "8"])
        XCTAssertEqual(after.status, 0, after.stderr)
    }
}
