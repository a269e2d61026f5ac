import Foundation
import XCTest

/// Paths and reference values shared by the FeatureStore tests.
enum FeatureStoreFixtures {
    /// `Fixtures/` in the test bundle (h5py-written caches, reference.json).
    static var directory: URL { Bundle.module.resourceURL!.appendingPathComponent("Fixtures") }

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// `reference.json`, written by `make_h5py_fixtures.py`.
    static func reference() throws -> [String: Any] {
        let data = try Data(contentsOf: url("reference.json"))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// A fresh empty directory, removed when the test ends.
    static func temporaryDirectory(_ test: XCTestCase) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mpvqa-featurestore-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    /// Numbers of a JSON array (NSNumber → Double).
    static func doubles(_ value: Any?) throws -> [Double] {
        try XCTUnwrap(value as? [Any]).map { element in
            if let text = element as? String { return text == "inf" ? .infinity : text == "-inf" ? -.infinity : .nan }
            return try XCTUnwrap(element as? NSNumber).doubleValue
        }
    }

    static func ints(_ value: Any?) throws -> [Int] {
        try XCTUnwrap(value as? [Any]).map { try XCTUnwrap($0 as? NSNumber).intValue }
    }
}
