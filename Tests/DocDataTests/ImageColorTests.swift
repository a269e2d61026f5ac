import DocData
import Foundation
import TestSupport
import XCTest

/// Gray/RGB conversion against Pillow and normalisation against numpy
/// (Fixtures/images/color_reference.json).
final class ImageColorTests: XCTestCase {
    func testGrayscaleMatchesPillowConvertL() throws {
        let reference = try ImageFixtures.json("color_reference.json")
        let image = try ImageCodec.decode(contentsOf: ImageFixtures.url("rgb8.png"))
        let expected = Image(width: image.width, height: image.height, channels: 1,
                             pixels: try ImageFixtures.pixels(reference["grayscale"]))
        assertImagesEqual(image.grayscale(), expected, "grayscale of rgb8.png")
    }

    func testGrayAndRGBConversions() {
        let gray = Image(width: 2, height: 1, channels: 1, pixels: [0, 200])
        XCTAssertEqual(gray.rgb().pixels, [0, 0, 0, 200, 200, 200])
        XCTAssertEqual(gray.rgb().grayscale(), gray) // luma weights sum to 65536
        XCTAssertEqual(gray.grayscale(), gray)
        let rgb = Image(width: 1, height: 1, channels: 3, pixels: [255, 0, 0])
        XCTAssertEqual(rgb.rgb(), rgb)
        XCTAssertEqual(rgb.grayscale().pixels, [76]) // 0.299 · 255 = 76.2
    }

    func testNormalizedMatchesNumpyChannelPlanar() throws {
        let reference = try ImageFixtures.json("color_reference.json")
        let image = try ImageCodec.decode(contentsOf: ImageFixtures.url("rgb8.png"))
        for (key, source) in [("normalized", image), ("gray_normalized", image.grayscale())] {
            let spec = try XCTUnwrap(reference[key] as? [String: Any])
            let mean = try XCTUnwrap(spec["mean"] as? [Double]).map(Float.init)
            let std = try XCTUnwrap(spec["std"] as? [Double]).map(Float.init)
            let expected = try XCTUnwrap(spec["values"] as? [Double])
            let actual = source.normalized(mean: mean, std: std)
            XCTAssertEqual(actual.count, source.width * source.height * source.channels)
            assertClose(actual.map(Double.init), expected, shape: [source.channels, source.height, source.width],
                        rtol: 1e-6, atol: 1e-6, key)
        }
    }

    func testNormalizedLayoutIsChannelPlanar() {
        // 2x1 RGB: pixel 0 = (0, 51, 255), pixel 1 = (255, 102, 0); mean 0, std 1 → p / 255.
        let image = Image(width: 2, height: 1, channels: 3, pixels: [0, 51, 255, 255, 102, 0])
        XCTAssertEqual(image.normalized(mean: [0], std: [1]), [0, 1, 0.2, 0.4, 1, 0])
        XCTAssertEqual(image.normalized(mean: [0.5, 0, 0], std: [0.5, 1, 2]), [-1, 1, 0.2, 0.4, 0.5, 0])
    }
}
