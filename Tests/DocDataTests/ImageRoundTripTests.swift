import DocData
import Foundation
import XCTest

/// encode → decode: PNG exact, JPEG close; encoded files are what they claim to be.
final class ImageRoundTripTests: XCTestCase {
    /// A page-like test image: white, dark text-like bars, a gradient box (deterministic).
    private func page(width: Int, height: Int, channels: Int) -> Image {
        var image = Image(width: width, height: height, channels: channels, filledWith: 255)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels {
                    var v = 255
                    if (y / 6) % 3 == 1 && (x / 9) % 4 != 3 { v = 20 + 15 * c }                 // text lines
                    if x > width / 2 && y > height / 2 { v = (x * 3 + y * 2 + c * 40) % 256 }  // gradient block
                    image.pixels[(y * width + x) * channels + c] = UInt8(v)
                }
            }
        }
        return image
    }

    private func noise(width: Int, height: Int, channels: Int, seed: UInt64) -> Image {
        var state = seed
        let pixels = (0..<width * height * channels).map { _ -> UInt8 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        return Image(width: width, height: height, channels: channels, pixels: pixels)
    }

    func testPNGRoundTripIsExact() throws {
        for channels in [1, 3] {
            for (w, h) in [(1, 1), (7, 3), (64, 48)] {
                let image = noise(width: w, height: h, channels: channels, seed: UInt64(w * 100 + h + channels))
                let bytes = try ImageCodec.encodePNG(image)
                XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
                XCTAssertEqual(try ImageCodec.decode(bytes: bytes, name: "rt.png"), image, "\(w)x\(h)x\(channels)")
                for level in [0, 1, 9] {
                    XCTAssertEqual(try ImageCodec.decode(bytes: ImageCodec.encodePNG(image, compressionLevel: level), name: "rt.png"),
                                   image, "level \(level)")
                }
            }
        }
    }

    func testPNGRoundTripOfFixtures() throws {
        for name in ["rgba16.png", "interlaced_gray2.png", "palette8_trns.png"] {
            let decoded = try ImageCodec.decode(contentsOf: ImageFixtures.url(name))
            let again = try ImageCodec.decode(bytes: ImageCodec.encodePNG(decoded), name: name)
            XCTAssertEqual(again, decoded, name)
        }
    }

    func testJPEGRoundTripIsClose() throws {
        for channels in [1, 3] {
            let image = page(width: 120, height: 90, channels: channels)
            let bytes = try ImageCodec.encodeJPEG(image, quality: 95)
            XCTAssertEqual(Array(bytes.prefix(3)), [0xFF, 0xD8, 0xFF])
            let decoded = try ImageCodec.decode(bytes: bytes, name: "rt.jpg")
            XCTAssertEqual(decoded.width, 120)
            XCTAssertEqual(decoded.height, 90)
            XCTAssertEqual(decoded.channels, channels)
            let diffs = zip(decoded.pixels, image.pixels).map { abs(Int($0) - Int($1)) }
            let mean = Double(diffs.reduce(0, +)) / Double(diffs.count)
            XCTAssertLessThan(mean, 2.5, "channels \(channels): mean |error| \(mean)")
            // Lower quality: smaller file, larger error.
            let small = try ImageCodec.encodeJPEG(image, quality: 30)
            XCTAssertLessThan(small.count, bytes.count)
        }
    }

    func testEncodersRejectEmptyImages() {
        let empty = Image(width: 0, height: 0, channels: 1, pixels: [])
        XCTAssertThrowsError(try ImageCodec.encodePNG(empty))
        XCTAssertThrowsError(try ImageCodec.encodeJPEG(empty))
    }
}
