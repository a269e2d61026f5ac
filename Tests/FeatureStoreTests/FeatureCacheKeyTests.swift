import FeatureStore
import TensorCore
import XCTest

final class FeatureCacheKeyTests: XCTestCase {
    private func referenceKey() throws -> (key: FeatureCacheKey, digest: String, fileName: String) {
        let reference = try XCTUnwrap(try FeatureStoreFixtures.reference()["cache_key"] as? [String: Any])
        let inputs = try XCTUnwrap(reference["inputs"] as? [String: Any])
        let key = FeatureCacheKey(encoderHash: inputs["encoder_hash"] as! String, promptTemplate: inputs["prompt_template"] as! String,
                                  summaryTokens: (inputs["K"] as! NSNumber).intValue, modelDim: (inputs["d"] as! NSNumber).intValue,
                                  dtype: FeatureDType(rawValue: inputs["dtype"] as! String)!, split: inputs["split"] as! String,
                                  datasetIdentity: inputs["dataset"] as! String, encoderSettings: inputs["settings"] as! [String: String])
        return (key, reference["digest"] as! String, reference["file_name"] as! String)
    }

    /// The digest of the documented canonical text, built independently in Python.
    func testDigestAndFileNameMatchPythonReference() throws {
        let (key, digest, fileName) = try referenceKey()
        XCTAssertEqual(key.digest, digest)
        XCTAssertEqual(key.fileName, fileName)
    }

    func testEveryInputChangesTheDigest() throws {
        let base = try referenceKey().key
        var variants: [(String, FeatureCacheKey)] = []
        func vary(_ what: String, _ change: (inout FeatureCacheKey) -> Void) {
            var key = base
            change(&key)
            variants.append((what, key))
        }
        vary("encoder hash") { $0.encoderHash = "3e" + $0.encoderHash.dropFirst(2) }
        vary("prompt") { $0.promptTemplate += " " }
        vary("K") { $0.summaryTokens += 1 }
        vary("d") { $0.modelDim -= 1 }
        vary("dtype") { $0.dtype = .float32 }
        vary("split") { $0.split = "test" }
        vary("dataset") { $0.datasetIdentity = "synthetic seed=8 train=4000 val=500" }
        vary("setting value") { $0.encoderSettings["max_ocr_tokens"] = "129" }
        vary("setting added") { $0.encoderSettings["visual"] = "patches" }
        vary("setting removed") { $0.encoderSettings["tokenizer"] = nil }
        // Moving a character across a field boundary (same concatenation) changes the key.
        vary("boundary") { $0.encoderHash += "q"; $0.promptTemplate = String($0.promptTemplate.dropFirst()) }
        let digests = Set(variants.map(\.1.digest) + [base.digest])
        XCTAssertEqual(digests.count, variants.count + 1, "some variation did not change the digest")
        for (what, key) in variants where key.split == base.split {
            XCTAssertNotEqual(key.fileName, base.fileName, what)
        }
    }

    func testDigestIgnoresSettingsOrder() {
        let a = FeatureCacheKey(encoderHash: "e", promptTemplate: "p", summaryTokens: 2, modelDim: 3, dtype: .float32, split: "train",
                                datasetIdentity: "x", encoderSettings: ["a": "1", "b": "2", "c": "3"])
        var b = a
        b.encoderSettings = [:]
        for (k, v) in [("c", "3"), ("a", "1"), ("b", "2")] { b.encoderSettings[k] = v }
        XCTAssertEqual(a.digest, b.digest)
        XCTAssertEqual(a.digest.count, 64)
    }

    func testFileNameIsAPlainNameForOddSplits() {
        let key = FeatureCacheKey(encoderHash: "e", promptTemplate: "p", summaryTokens: 2, modelDim: 3, dtype: .float32,
                                  split: "../val set/ü", datasetIdentity: "x")
        XCTAssertTrue(key.fileName.hasPrefix(".._val_set__-"), key.fileName)
        XCTAssertFalse(key.fileName.contains("/"))
        XCTAssertTrue(key.fileName.hasSuffix(".h5"))
    }

    /// Weight hashing follows the documented byte layout (checked with hashlib + numpy).
    func testEncoderHashMatchesPythonReference() throws {
        let reference = try XCTUnwrap(try FeatureStoreFixtures.reference()["encoder_hash"] as? [String: Any])
        let tensors = try XCTUnwrap(reference["tensors"] as? [[String: Any]]).map { entry in
            (name: entry["name"] as! String,
             tensor: Tensor(try FeatureStoreFixtures.doubles(entry["values"]).map { Float($0) },
                            shape: try FeatureStoreFixtures.ints(entry["shape"])))
        }
        XCTAssertEqual(FeatureCacheKey.encoderHash(parameters: tensors), reference["digest"] as? String)
        XCTAssertEqual(FeatureCacheKey.encoderHash(parameters: tensors.reversed()), reference["digest"] as? String, "order must not matter")
    }

    func testEncoderHashSeesOneULPNamesAndShapes() {
        let values: [Float] = [1, 2, 3, 4, 5, 6]
        let base = FeatureCacheKey.encoderHash(parameters: [("w", Tensor(values, shape: [2, 3]))])
        var nudged = values
        nudged[4] = nudged[4].nextUp
        XCTAssertNotEqual(FeatureCacheKey.encoderHash(parameters: [("w", Tensor(nudged, shape: [2, 3]))]), base, "one ulp")
        XCTAssertNotEqual(FeatureCacheKey.encoderHash(parameters: [("v", Tensor(values, shape: [2, 3]))]), base, "name")
        XCTAssertNotEqual(FeatureCacheKey.encoderHash(parameters: [("w", Tensor(values, shape: [3, 2]))]), base, "shape")
        XCTAssertNotEqual(FeatureCacheKey.encoderHash(parameters: [("w", Tensor(values.map(Double.init), shape: [2, 3], as: Double.self))]),
                          base, "dtype")
    }
}
