import FeatureStore
import Foundation
import XCTest

final class SHA256Tests: XCTestCase {
    /// FIPS 180-2 appendix B examples.
    func testPublishedVectors() {
        XCTAssertEqual(SHA256.hash(Data()).hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hash(Data("abc".utf8)).hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hash(Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)).hex,
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hash(Data(repeating: UInt8(ascii: "a"), count: 1_000_000)).hex,
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Padding edge cases (55, 56, 64 bytes) and a multi-block message against Python's hashlib.
    func testMatchesHashlibAtBlockBoundaries() throws {
        let vectors = try XCTUnwrap(try FeatureStoreFixtures.reference()["sha256"] as? [String: [String: String]])
        XCTAssertEqual(vectors.count, 6)
        for (name, vector) in vectors {
            let message = try XCTUnwrap(Self.bytes(hex: vector["hex"]!), name)
            XCTAssertEqual(SHA256.hash(Data(message)).hex, vector["digest"], name)
        }
    }

    /// Feeding a message in two pieces, split anywhere, gives the one-shot digest.
    func testIncrementalUpdatesAgreeWithOneShot() {
        let message = (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let whole = SHA256.hash(Data(message))
        for split in 0...message.count {
            var hasher = SHA256()
            hasher.update(Array(message[..<split]))
            hasher.update(Array(message[split...]))
            XCTAssertEqual(hasher.finalize(), whole, "split at \(split)")
        }
    }

    func testHashOfFileEqualsHashOfItsBytes() throws {
        let dir = try FeatureStoreFixtures.temporaryDirectory(self)
        let bytes = Data((0..<1_200_000).map { UInt8(truncatingIfNeeded: $0 % 251) })
        let url = dir.appendingPathComponent("blob")
        try bytes.write(to: url)
        XCTAssertEqual(try SHA256.hash(fileAt: url), SHA256.hash(bytes))
    }

    static func bytes(hex: String) -> [UInt8]? {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            out.append(byte)
            index = next
        }
        return out
    }
}
