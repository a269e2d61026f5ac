import FeatureStore
import Foundation
import XCTest

/// Files that break the schema are rejected with an error naming the file and the dataset
/// or attribute (fixtures written by make_h5py_fixtures.py, one violation each).
final class SchemaErrorTests: XCTestCase {
    private static let kinds: [String: FeatureCacheError.Kind] = [
        "missingDataset": .missingDataset, "missingAttribute": .missingAttribute, "wrongRank": .wrongRank,
        "wrongShape": .wrongShape, "wrongValue": .wrongValue, "wrongType": .wrongType,
    ]

    func testEveryBadFixtureIsRejectedWithFileAndField() throws {
        let cases = try XCTUnwrap(try FeatureStoreFixtures.reference()["bad"] as? [[String: String]])
        XCTAssertEqual(cases.count, 9)
        for entry in cases {
            let name = entry["file"]!
            let url = FeatureStoreFixtures.url(name)
            XCTAssertThrowsError(try FeatureCacheReader(url: url), name) { error in
                guard let e = error as? FeatureCacheError else { return XCTFail("\(name): \(error)") }
                XCTAssertEqual(e.kind, Self.kinds[entry["kind"]!], "\(name): \(e)")
                XCTAssertEqual(e.field, entry["field"], "\(name): \(e)")
                XCTAssertEqual(e.file, url.path, name)
                XCTAssertTrue(e.description.hasPrefix("\(url.path): \(entry["field"]!): "), e.description)
            }
        }
    }

    func testMessagesSayWhatWasExpected() throws {
        func message(_ name: String) -> String {
            do { _ = try FeatureCacheReader(url: FeatureStoreFixtures.url(name)); return "no error" } catch { return "\(error)" }
        }
        XCTAssertTrue(message("bad_k_mismatch.h5").contains("has shape [2, 3, 5] but attribute K is 4; expected [N, 4, 5]"))
        XCTAssertTrue(message("bad_wrong_rank.h5").contains("has 2 axes, shape [2, 15]; expected 3: [N, K, d]"))
        XCTAssertTrue(message("bad_missing_dataset.h5").contains("missing; expected [N] integer page indices"))
        XCTAssertTrue(message("bad_dtype_mismatch.h5").contains("stores float32 but attribute 'dtype' is 'float16'"))
        XCTAssertTrue(message("bad_future_version.h5").contains("is 99; this build reads versions 1…3"))
        XCTAssertTrue(message("bad_noncontiguous_question.h5").contains("question 7"))
    }

    func testWriterRejectsBadFileInsteadOfExtendingIt() throws {
        let url = try FeatureStoreFixtures.temporaryDirectory(self).appendingPathComponent("bad.h5")
        try FileManager.default.copyItem(at: FeatureStoreFixtures.url("bad_wrong_rank.h5"), to: url)
        XCTAssertThrowsError(try FeatureCacheWriter(url: url, header: FeatureCacheHeader(
            summaryTokens: 3, modelDim: 5, dtype: .float32, encoderHash: "h5py-encoder", promptTemplate: "question: {question}"))) { error in
            XCTAssertEqual((error as? FeatureCacheError)?.kind, .wrongRank, "\(error)")
        }
    }

    func testExpectedShapeMismatchNamesTheAttribute() throws {
        let reader = try FeatureCacheReader(url: FeatureStoreFixtures.url("h5py_float16_complete.h5"))
        XCTAssertNoThrow(try reader.requireShape(summaryTokens: 3, modelDim: 5))
        XCTAssertThrowsError(try reader.requireShape(summaryTokens: 8, modelDim: 5)) { error in
            XCTAssertEqual((error as? FeatureCacheError)?.field, "attribute 'K'", "\(error)")
            XCTAssertTrue("\(error)".contains("is 3 but the model expects K = 8"), "\(error)")
        }
        XCTAssertThrowsError(try reader.requireShape(summaryTokens: 3, modelDim: 256)) { error in
            XCTAssertEqual((error as? FeatureCacheError)?.field, "attribute 'd'", "\(error)")
        }
    }

    func testNonHDF5AndMissingFiles() throws {
        let dir = try FeatureStoreFixtures.temporaryDirectory(self)
        let text = dir.appendingPathComponent("notes.h5")
        try "not hdf5".write(to: text, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try FeatureCacheReader(url: text)) { error in
            XCTAssertEqual((error as? FeatureCacheError)?.kind, .io, "\(error)")
            XCTAssertTrue("\(error)".hasPrefix(text.path), "\(error)")
        }
        XCTAssertThrowsError(try FeatureCacheReader(url: dir.appendingPathComponent("absent.h5"))) { error in
            XCTAssertTrue("\(error)".contains("absent.h5: no such file"), "\(error)")
        }
    }
}
