import DocData
import Foundation
import XCTest

/// Decoded pixels against Pillow (Fixtures/images/decode_reference.json): PNG exact, JPEG ±1.
final class ImageDecodeTests: XCTestCase {
    func testEveryFixtureMatchesPillow() throws {
        for c in try ImageFixtures.decodeCases() {
            let image = try ImageCodec.decode(contentsOf: ImageFixtures.url(c.file))
            assertImagesEqual(image, c.expected, tolerance: c.tolerance, "\(c.file) (\(c.note))")
        }
    }

    func testPNGIsExactAndJPEGWithinOne() throws {
        // The tolerance comes from the fixture; make sure it is the one the contract states.
        for c in try ImageFixtures.decodeCases() {
            XCTAssertEqual(c.tolerance, c.file.hasSuffix(".png") ? 0 : 1, c.file)
        }
    }

    func testBytesAndFileGiveTheSameImage() throws {
        for name in ["interlaced_palette8_trns.png", "progressive_gray.jpg"] {
            let fromFile = try ImageCodec.decode(contentsOf: ImageFixtures.url(name))
            let fromBytes = try ImageCodec.decode(bytes: ImageFixtures.bytes(name), name: name)
            XCTAssertEqual(fromFile, fromBytes, name)
        }
    }

    func testChannelsFollowTheColourType() throws {
        let expectations: [String: Int] = [
            "gray1.png": 1, "gray16.png": 1, "gray_alpha8.png": 1, "gray_alpha16.png": 1, "gray8_trns.png": 1,
            "rgb8.png": 3, "rgba16.png": 3, "palette4.png": 3, "palette8_trns.png": 3,
            "gray.jpg": 1, "progressive_gray.jpg": 1, "baseline_rgb444.jpg": 3,
        ]
        for (name, channels) in expectations {
            XCTAssertEqual(try ImageCodec.decode(contentsOf: ImageFixtures.url(name)).channels, channels, name)
        }
    }

    func testNameWithoutKnownExtensionIsSniffed() throws {
        let png = try ImageFixtures.bytes("rgb8.png")
        let jpeg = try ImageFixtures.bytes("gray.jpg")
        XCTAssertEqual(try ImageCodec.decode(bytes: png, name: "page-17"),
                       try ImageCodec.decode(bytes: png, name: "rgb8.png"))
        XCTAssertEqual(try ImageCodec.decode(bytes: jpeg, name: "blob.bin").channels, 1)
        // Extensions are case-insensitive.
        XCTAssertEqual(try ImageCodec.decode(bytes: jpeg, name: "SCAN.JPEG").width, 37)
    }
}
