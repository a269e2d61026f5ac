import FeatureStore
import Foundation
import TensorCore
import TestSupport
import XCTest

/// Rows written by `FeatureCacheWriter` come back from `FeatureCacheReader` unchanged
/// (float32) or rounded to binary16 (float16).
final class RoundTripTests: XCTestCase {
    /// Five questions with 3, 1, 4, 2, 2 pages: 12 rows of `[K, d]` random summaries.
    struct Rows {
        let summaries: Tensor
        let questionIds: [Int64]
        let pageIndices: [Int32]
        let pageIds: [String]
    }

    static func makeRows(summaryTokens k: Int, modelDim d: Int, std: Double = 1, seed: UInt64 = 3) -> Rows {
        var rng = SeededRNG(seed: seed)
        var questionIds: [Int64] = [], pageIndices: [Int32] = [], pageIds: [String] = []
        for (question, pages) in [(70_001, 3), (70_002, 1), (69_999, 4), (5, 2), (123_456_789_012, 2)] {
            for page in 0..<pages {
                questionIds.append(Int64(question))
                pageIndices.append(Int32(page))
                pageIds.append("doc\(question)_p\(page)")
            }
        }
        return Rows(summaries: Tensor.randn([questionIds.count, k, d], std: std, rng: &rng),
                    questionIds: questionIds, pageIndices: pageIndices, pageIds: pageIds)
    }

    /// Appends `rows` in batches of `sizes` (which split questions across batches).
    static func write(_ rows: Rows, to url: URL, header: FeatureCacheHeader, options: FeatureCacheWriterOptions = .init(),
                      batches sizes: [Int] = [3, 1, 5, 3], finish: Bool = true) throws {
        let writer = try FeatureCacheWriter(url: url, header: header, options: options)
        var start = 0
        for size in sizes {
            let range = start..<start + size
            try writer.append(summaries: rows.summaries.rows(range), questionIds: Array(rows.questionIds[range]),
                              pageIndices: Array(rows.pageIndices[range]), pageIds: Array(rows.pageIds[range]))
            start += size
        }
        if finish { try writer.finish() } else { try writer.close() }
    }

    static func header(_ dtype: FeatureDType, k: Int = 3, d: Int = 7) -> FeatureCacheHeader {
        FeatureCacheHeader(summaryTokens: k, modelDim: d, dtype: dtype, encoderHash: "enc-1", promptTemplate: "question: {question}",
                           split: "val", cacheKey: "feedbeef")
    }

    func testFloat32RoundTripIsExactByRangeAndByQuestion() throws {
        let url = try FeatureStoreFixtures.temporaryDirectory(self).appendingPathComponent("f32.h5")
        let rows = Self.makeRows(summaryTokens: 3, modelDim: 7)
        try Self.write(rows, to: url, header: Self.header(.float32))

        let reader = try FeatureCacheReader(url: url)
        XCTAssertEqual(reader.rows, 12)
        XCTAssertTrue(reader.isComplete)
        XCTAssertEqual(reader.header, Self.header(.float32))
        XCTAssertEqual(reader.questionIds, rows.questionIds)
        XCTAssertEqual(reader.pageIndices, rows.pageIndices)
        XCTAssertEqual(reader.pageIds, rows.pageIds)
        XCTAssertEqual(reader.questions, [70_001, 70_002, 69_999, 5, 123_456_789_012])
        assertClose(try reader.summaries(rows: 0..<12), rows.summaries, rtol: 0, atol: 0, "all rows")
        assertClose(try reader.summaries(rows: 5..<9), rows.summaries.rows(5..<9), rtol: 0, atol: 0, "rows 5..<9")
        XCTAssertEqual(try reader.summaries(rows: 4..<4).shape, [0, 3, 7])

        let expectedRanges: [Int64: Range<Int>] = [70_001: 0..<3, 70_002: 3..<4, 69_999: 4..<8, 5: 8..<10, 123_456_789_012: 10..<12]
        for (question, range) in expectedRanges {
            XCTAssertEqual(reader.rowRange(questionId: question), range, "question \(question)")
            assertClose(try reader.summaries(questionId: question), rows.summaries.rows(range), rtol: 0, atol: 0, "question \(question)")
        }
        XCTAssertNil(reader.rowRange(questionId: 4))

        var buffer = [Float](repeating: .nan, count: 4 * 21)
        try buffer.withUnsafeMutableBufferPointer { try reader.readSummaries(rows: 4..<8, into: $0) }
        XCTAssertEqual(buffer, rows.summaries.rows(4..<8).scalars)
    }

    /// Binary16 keeps 11 significant bits: |stored − x| ≤ 2⁻¹¹·|x| for normal values, and
    /// ≤ 2⁻²⁵ (half the subnormal spacing) below 2⁻¹⁴.
    func testFloat16RoundTripIsWithinHalfPrecision() throws {
        let url = try FeatureStoreFixtures.temporaryDirectory(self).appendingPathComponent("f16.h5")
        let rows = Self.makeRows(summaryTokens: 4, modelDim: 16, std: 30)
        try Self.write(rows, to: url, header: Self.header(.float16, k: 4, d: 16))
        let reader = try FeatureCacheReader(url: url)
        XCTAssertEqual(reader.header.dtype, .float16)
        let got = try reader.summaries(rows: 0..<reader.rows)
        XCTAssertEqual(got.shape, [12, 4, 16])
        XCTAssertEqual(got.dtype, .float32)
        assertClose(got, rows.summaries, rtol: 1.0 / 2048, atol: 1.0 / 33_554_432, "float16 round trip")
        // Not lossless: at std 30 most values need more than 11 bits.
        XCTAssertNotEqual(got.scalars, rows.summaries.scalars)
    }

    /// Rounding to nearest even, overflow to infinity and subnormals exactly as numpy's astype(float16).
    func testFloat16RoundingMatchesNumpy() throws {
        let reference = try XCTUnwrap(try FeatureStoreFixtures.reference()["float16_rounding"] as? [String: Any])
        let inputs = try FeatureStoreFixtures.doubles(reference["inputs"]).map { Float($0) }
        let expected = try FeatureStoreFixtures.doubles(reference["float16"])
        let url = try FeatureStoreFixtures.temporaryDirectory(self).appendingPathComponent("edges.h5")
        let writer = try FeatureCacheWriter(url: url, header: FeatureCacheHeader(summaryTokens: 1, modelDim: inputs.count, dtype: .float16,
                                                                                 encoderHash: "e", promptTemplate: "p"))
        try writer.append(summaries: Tensor(inputs, shape: [1, 1, inputs.count]), questionIds: [1], pageIndices: [0], pageIds: ["p"])
        try writer.finish()
        let got = try FeatureCacheReader(url: url).summaries(rows: 0..<1).scalars
        for i in 0..<inputs.count {
            XCTAssertEqual(Double(got[i]), expected[i], "input \(inputs[i])")
            XCTAssertEqual(got[i].sign, Float(expected[i]).sign, "sign of input \(inputs[i])")
        }
    }

    /// The writer's float16 encoding agrees with Swift's own `Float16(x)` (compiler-rt) on
    /// 2²⁰ bit patterns spread over all of Float32 (stride 4093: every exponent, both signs,
    /// subnormals, infinities and NaNs).
    func testFloat16EncodingAgreesWithFloat16InitOverAllExponents() throws {
        let count = 1 << 20
        let inputs = (0..<count).map { Float(bitPattern: UInt32(truncatingIfNeeded: $0 &* 4093)) }
        let url = try FeatureStoreFixtures.temporaryDirectory(self).appendingPathComponent("sweep.h5")
        let writer = try FeatureCacheWriter(url: url, header: FeatureCacheHeader(summaryTokens: 4, modelDim: 256, dtype: .float16,
                                                                                 encoderHash: "e", promptTemplate: "p"))
        let rows = count / 1024
        try writer.append(summaries: Tensor(inputs, shape: [rows, 4, 256]), questionIds: (0..<rows).map(Int64.init),
                          pageIndices: [Int32](repeating: 0, count: rows), pageIds: [String](repeating: "p", count: rows))
        try writer.finish()
        let got = try FeatureCacheReader(url: url).summaries(rows: 0..<rows).scalars
        var mismatches: [String] = []
        for i in 0..<count {
            let expected = Float(Float16(inputs[i]))
            let same = expected.isNaN ? got[i].isNaN : (got[i] == expected && got[i].sign == expected.sign)
            if !same && mismatches.count < 5 { mismatches.append("\(inputs[i]) (bits \(inputs[i].bitPattern)): got \(got[i]), Float16 gives \(expected)") }
        }
        XCTAssertEqual(mismatches, [])
    }

    func testFloat64SummariesAreStoredAsFloat32() throws {
        let url = try FeatureStoreFixtures.temporaryDirectory(self).appendingPathComponent("f64.h5")
        let values: [Double] = [0.1, 1.0 / 3, -2.5, 1e-3, 7, 8]
        let writer = try FeatureCacheWriter(url: url, header: Self.header(.float32, k: 2, d: 3))
        try writer.append(summaries: Tensor(values, shape: [1, 2, 3], as: Double.self), questionIds: [1], pageIndices: [0], pageIds: ["a"])
        try writer.finish()
        XCTAssertEqual(try FeatureCacheReader(url: url).summaries(rows: 0..<1).scalars, values.map { Float($0) })
    }

    /// Slot token ids (schema version 2 on) come back as written; batches without them store −1;
    /// the file records the tokenizer hash, and a version 1 file (h5py fixture) reads as all −1.
    func testSlotTokensRoundTrip() throws {
        let url = try FeatureStoreFixtures.temporaryDirectory(self).appendingPathComponent("slots.h5")
        let rows = Self.makeRows(summaryTokens: 2, modelDim: 3)
        var header = Self.header(.float32)
        header.summaryTokens = 2
        header.modelDim = 3
        header.tokenizerHash = "tok-1"
        let writer = try FeatureCacheWriter(url: url, header: header, options: .init(reserveRows: 4))
        let ids: [Int32] = [5, -1, 7, 8, 9, 10]
        try writer.append(summaries: rows.summaries.rows(0..<3), slotTokens: ids, questionIds: Array(rows.questionIds[0..<3]),
                          pageIndices: Array(rows.pageIndices[0..<3]), pageIds: Array(rows.pageIds[0..<3]))
        try writer.append(summaries: rows.summaries.rows(3..<4), questionIds: [rows.questionIds[3]],
                          pageIndices: [rows.pageIndices[3]], pageIds: [rows.pageIds[3]])
        XCTAssertThrowsError(try writer.append(summaries: rows.summaries.rows(4..<5), slotTokens: [1], questionIds: [rows.questionIds[4]],
                                               pageIndices: [rows.pageIndices[4]], pageIds: [rows.pageIds[4]])) { error in
            XCTAssertTrue("\(error)".contains("dataset 'slot_tokens'"), "\(error)")
        }
        try writer.finish()
        let reader = try FeatureCacheReader(url: url)
        XCTAssertTrue(reader.hasSlotTokens)
        XCTAssertEqual(reader.header.tokenizerHash, "tok-1")
        XCTAssertEqual(try reader.slotTokens(rows: 0..<4), ids + [-1, -1])
        XCTAssertEqual(try FeatureCacheInspection(url: url).version, 3)

        let v1 = FeatureStoreFixtures.url("h5py_float16_complete.h5")
        let old = try FeatureCacheReader(url: v1)
        XCTAssertFalse(old.hasSlotTokens)
        XCTAssertNil(old.header.tokenizerHash)
        XCTAssertEqual(try old.slotTokens(rows: 0..<2), [Int32](repeating: -1, count: 2 * old.header.summaryTokens))
        XCTAssertEqual(try FeatureCacheInspection(url: v1).version, 1)
    }

    /// Reserved rows beyond what was written are trimmed by finish(); before, only `rows` are visible.
    func testReservedCapacityIsTrimmedAtFinish() throws {
        let url = try FeatureStoreFixtures.temporaryDirectory(self).appendingPathComponent("reserve.h5")
        let rows = Self.makeRows(summaryTokens: 3, modelDim: 7)
        try Self.write(rows, to: url, header: Self.header(.float32), options: .init(reserveRows: 100), finish: false)
        let open = try FeatureCacheInspection(url: url)
        XCTAssertFalse(open.complete)
        XCTAssertEqual(open.rows, 12)
        XCTAssertEqual(open.datasets.map(\.shape), [[100, 3, 7], [100], [100], [100], [100, 3], [100, 5, 16]])

        let writer = try FeatureCacheWriter(url: url, header: Self.header(.float32))
        XCTAssertEqual(writer.resumedRows, 12)
        try writer.finish()
        let done = try FeatureCacheInspection(url: url)
        XCTAssertTrue(done.complete)
        XCTAssertEqual(done.datasets.map(\.shape), [[12, 3, 7], [12], [12], [12], [12, 3], [12, 5, 16]])
        assertClose(try FeatureCacheReader(url: url).summaries(rows: 0..<12), rows.summaries, rtol: 0, atol: 0, "after trim")
    }

    func testCompressedFileRoundTripsExactly() throws {
        let url = try FeatureStoreFixtures.temporaryDirectory(self).appendingPathComponent("deflate.h5")
        let rows = Self.makeRows(summaryTokens: 3, modelDim: 7)
        try Self.write(rows, to: url, header: Self.header(.float32), options: .init(rowsPerChunk: 2, deflateLevel: 6))
        let info = try FeatureCacheInspection(url: url)
        XCTAssertEqual(info.datasets.first?.filters, ["deflate"])
        XCTAssertEqual(info.datasets.first?.chunks, [2, 3, 7])
        assertClose(try FeatureCacheReader(url: url).summaries(rows: 0..<12), rows.summaries, rtol: 0, atol: 0, "deflate")
    }

    func testEmptyFinishedCache() throws {
        let url = try FeatureStoreFixtures.temporaryDirectory(self).appendingPathComponent("empty.h5")
        try FeatureCacheWriter(url: url, header: Self.header(.float16)).finish()
        let reader = try FeatureCacheReader(url: url)
        XCTAssertEqual(reader.rows, 0)
        XCTAssertTrue(reader.isComplete)
        XCTAssertEqual(reader.questions, [])
        XCTAssertEqual(try reader.summaries(rows: 0..<0).shape, [0, 3, 7])
    }
}
