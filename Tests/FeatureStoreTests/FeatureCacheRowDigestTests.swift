import FeatureStore
import Foundation
import TensorCore
import TestSupport
import XCTest

/// Row digests of version 3 cache files: the writer stores what `Fixtures/make_row_digests.py`
/// computes with hashlib; a flipped byte in any dataset is refused naming file, dataset, row and
/// questionId; a resumed write ends with the digests of a one-go write; older files still open.
final class FeatureCacheRowDigestTests: XCTestCase {
    static let datasets = ["summaries", "question_ids", "page_indices", "page_ids", "slot_tokens"]

    /// The cache `make_row_digests.py` describes, written in two batches (rows 0–1, 2–4).
    func writeFixtureCache(_ dtype: FeatureDType, to url: URL, closeAfterFirstBatch: Bool = false) throws {
        let header = FeatureCacheHeader(summaryTokens: 2, modelDim: 3, dtype: dtype, encoderHash: "enc", promptTemplate: "q: {question}")
        let rows = 5
        var values = [Float](repeating: 0, count: rows * 6)
        for r in 0..<rows { for k in 0..<2 { for j in 0..<3 { values[r * 6 + k * 3 + j] = Float(6 * r + 3 * k + j) / 4 - 1 } } }
        let qids: [Int64] = [31, 31, 32, 33, 33], pidx: [Int32] = [0, 1, 0, 0, 1]
        var slots = [Int32](repeating: -1, count: rows * 2)
        for r in 0..<rows { for k in 0..<2 where (r + k) % 2 == 0 { slots[r * 2 + k] = Int32(10 * r + k) } }
        var writer = try FeatureCacheWriter(url: url, header: header, options: .init(reserveRows: 8, syncToDisk: false))
        for batch in [0..<2, 2..<5] {
            if batch.lowerBound > 0 && closeAfterFirstBatch {
                try writer.close()
                writer = try FeatureCacheWriter(url: url, header: header)
                XCTAssertEqual(writer.resumedRows, 2)
            }
            try writer.append(summaries: Tensor(Array(values[batch.lowerBound * 6 ..< batch.upperBound * 6]), shape: [batch.count, 2, 3]),
                              slotTokens: Array(slots[batch.lowerBound * 2 ..< batch.upperBound * 2]),
                              questionIds: Array(qids[batch]), pageIndices: Array(pidx[batch]),
                              pageIds: batch.map { "q\(qids[$0])-p\(pidx[$0])" })
        }
        try writer.finish()
    }

    func temporary(_ name: String) throws -> URL { try FeatureStoreFixtures.temporaryDirectory(self).appendingPathComponent(name) }

    static func hex(_ bytes: ArraySlice<UInt8>) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    func testStoredDigestsEqualTheIndependentlyComputedOnes() throws {
        let data = try Data(contentsOf: FeatureStoreFixtures.url("row_digests.json"))
        let fixture = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let expected = try XCTUnwrap(fixture["digests"] as? [String: [[String]]])
        for dtype in FeatureDType.allCases {
            let url = try temporary("\(dtype).h5")
            try writeFixtureCache(dtype, to: url)
            let reader = try FeatureCacheReader(url: url)
            XCTAssertEqual(reader.version, 3)
            XCTAssertTrue(reader.hasRowDigests)
            let digests = try reader.rowDigests(rows: 0..<5)
            let stored = (0..<5).map { row in (0..<5).map { column in Self.hex(digests[(row * 5 + column) * 16 ..< (row * 5 + column + 1) * 16]) } }
            XCTAssertEqual(stored, try XCTUnwrap(expected[dtype.rawValue]), "\(dtype)")
        }
    }

    func testAnUndamagedFileVerifiesItsDigests() throws {
        let url = try temporary("good.h5")
        try writeFixtureCache(.float16, to: url)
        let report = try FeatureCacheVerification.verify(try FeatureCacheReader(url: url), vocabularySize: 64)
        XCTAssertEqual(report.digested, Self.datasets)
        XCTAssertNil(report.note)
        XCTAssertEqual(report.text, "\(url.path): ok: 5 rows of 3 questions read; summaries finite, slot tokens in range; "
                                    + "row digests match on summaries, question_ids, page_indices, page_ids, slot_tokens")
    }

    /// One bit of row 3 (questionId 33) flipped in the file, per dataset: each decodes to a
    /// plausible value (finite summary, page 1, slot token 30), so only the digest catches it.
    func testAFlippedByteInEveryDatasetIsRefused() throws {
        for dtype in FeatureDType.allCases {
            let good = try temporary("good-\(dtype).h5")
            try writeFixtureCache(dtype, to: good)
            // (dataset flipped, byte of its row 3, dataset the refusal names: a damaged digest mismatches its row)
            let cases = Self.datasets.map { ($0, $0 == "slot_tokens" ? 4 : 0, $0) } + [("row_digests", 0, "summaries"), ("row_digests", 3 * 16 + 5, "page_ids")]
            for (dataset, byte, named) in cases {
                let url = good.deletingLastPathComponent().appendingPathComponent("\(dtype)-\(dataset)-\(byte).h5")
                try FileManager.default.copyItem(at: good, to: url)
                try HDF5ByteDamage.flip(file: url.path, dataset: dataset, row: 3, byte: byte)
                let question = dataset == "question_ids" ? "32" : "33"   // the id as stored: 33 with its low bit flipped
                let expected = "\(url.path): dataset '\(named)': row 3 (questionId \(question)): stored digest does not match its bytes; the file is damaged — rebuild it with mpvqa cache"
                XCTAssertThrowsError(try FeatureCacheVerification.verify(try FeatureCacheReader(url: url), vocabularySize: 64), "\(dtype) \(dataset)") { error in
                    XCTAssertEqual("\(error)", expected)
                    XCTAssertEqual((error as? FeatureCacheError)?.kind, .damaged)
                }
            }
        }
    }

    func testAResumedWriteEndsWithTheDigestsOfAOneGoWrite() throws {
        let straight = try temporary("straight.h5"), resumed = try temporary("resumed.h5")
        try writeFixtureCache(.float32, to: straight)
        try writeFixtureCache(.float32, to: resumed, closeAfterFirstBatch: true)
        let a = try FeatureCacheReader(url: straight), b = try FeatureCacheReader(url: resumed)
        XCTAssertEqual(try a.rowDigests(rows: 0..<5).count, 5 * 5 * 16)
        XCTAssertEqual(try a.rowDigests(rows: 0..<5), try b.rowDigests(rows: 0..<5))
        XCTAssertNoThrow(try FeatureCacheVerification.verify(b))
    }

    /// A file without digests (h5py-written, version 1) opens and verifies, and the report says
    /// plainly that its bytes were not checked and how to get a checked file.
    func testAnOlderFileWithoutDigestsOpensAndVerifySaysSo() throws {
        let url = FeatureStoreFixtures.url("h5py_float16_complete.h5")
        let reader = try FeatureCacheReader(url: url)
        XCTAssertFalse(reader.hasRowDigests)
        XCTAssertEqual(try reader.rowDigests(rows: 0..<reader.rows), [])
        let report = try FeatureCacheVerification.verify(reader)
        XCTAssertEqual(report.digested, [])
        let note = "no row digests (a version 1 file, from before caches carried them), so a flipped byte that leaves a finite value goes undetected; "
            + "rebuild it with mpvqa cache (delete it and rerun) to have its bytes checked"
        XCTAssertEqual(report.note, "\(url.path): \(note)")
        XCTAssertTrue(report.text.hasSuffix(note), report.text)
    }
}
