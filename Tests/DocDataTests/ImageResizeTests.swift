import DocData
import Foundation
import XCTest

/// Area-averaging resize against numpy (Fixtures/images/resize_reference.json: every source
/// pixel replicated w×h times, then exact block means rounded half up).
final class ImageResizeTests: XCTestCase {
    func testMatchesNumpyAreaAverage() throws {
        let cases = try XCTUnwrap(ImageFixtures.json("resize_reference.json")["cases"] as? [[String: Any]])
        XCTAssertGreaterThanOrEqual(cases.count, 10)
        for c in cases {
            let source = try XCTUnwrap(c["source"] as? String)
            let width = try XCTUnwrap(c["width"] as? Int), height = try XCTUnwrap(c["height"] as? Int)
            let channels = try XCTUnwrap(c["channels"] as? Int)
            let expected = Image(width: width, height: height, channels: channels, pixels: try ImageFixtures.pixels(c["pixels"]))
            let image = try ImageCodec.decode(contentsOf: ImageFixtures.url(source))
            assertImagesEqual(image.resized(width: width, height: height), expected, "\(source) → \(width)x\(height)")
        }
    }

    func testSameSizeIsIdentityAndConstantStaysConstant() {
        let image = Image(width: 5, height: 4, channels: 3, pixels: (0..<60).map { UInt8($0 * 4) })
        XCTAssertEqual(image.resized(width: 5, height: 4), image)
        let flat = Image(width: 17, height: 9, channels: 1, filledWith: 77)
        for (w, h) in [(3, 2), (40, 31), (1, 9), (17, 1)] {
            XCTAssertEqual(flat.resized(width: w, height: h), Image(width: w, height: h, channels: 1, filledWith: 77))
        }
    }

    func testHalvingAveragesTwoByTwoBlocks() {
        // Hand-computed: each output is the mean of a 2x2 block, rounded half up.
        let image = Image(width: 4, height: 2, channels: 1, pixels: [0, 1, 10, 20,
                                                                    2, 2, 30, 41])
        XCTAssertEqual(image.resized(width: 2, height: 1).pixels, [1, 25]) // 5/4 = 1.25, 101/4 = 25.25
        let half = Image(width: 2, height: 2, channels: 1, pixels: [0, 1, 1, 0])
        XCTAssertEqual(half.resized(width: 1, height: 1).pixels, [1]) // 2/4 = 0.5 rounds up
        // 3 → 2 columns: output 0 covers source 0 and half of source 1.
        let third = Image(width: 3, height: 1, channels: 1, pixels: [30, 90, 200])
        XCTAssertEqual(third.resized(width: 2, height: 1).pixels, [50, 163]) // (30+45)/1.5, (45+200)/1.5 = 163.3
    }

    func testDecodeResizedPNGEqualsDecodeThenResize() throws {
        let url = ImageFixtures.url("rgb8.png")
        let full = try ImageCodec.decode(contentsOf: url)
        XCTAssertEqual(try ImageCodec.decodeResized(contentsOf: url, width: 6, height: 5), full.resized(width: 6, height: 5))
    }

    /// A 400x520 page: text-like dark strokes on white, and a colour gradient block.
    private func textPage(channels: Int) -> Image {
        var page = Image(width: 400, height: 520, channels: channels, filledWith: 255)
        for y in 0..<520 { for x in 0..<400 { for c in 0..<channels {
            var v = (y % 13 < 7 && (x / 3) % 5 != 0 && x % 97 < 80) ? 30 + 20 * c : 250
            if y > 300 && x > 150 { v = (x + 2 * y + 60 * c) % 200 + 30 }
            page.pixels[(y * 400 + x) * channels + c] = UInt8(v)
        }}}
        return page
    }

    func testDecodeResizedJPEGWithoutDCTScalingEqualsDecodeThenResize() throws {
        let bytes = try ImageCodec.encodeJPEG(textPage(channels: 3), quality: 92)
        let full = try ImageCodec.decode(bytes: bytes, name: "p.jpg")
        for (w, h) in [(96, 128), (60, 60), (400, 520), (250, 100), (700, 900)] {
            XCTAssertEqual(try ImageCodec.decodeResized(bytes: bytes, name: "p.jpg", width: w, height: h, jpegDCTScaling: false),
                           full.resized(width: w, height: h), "\(w)x\(h)")
        }
    }

    func testDecodeResizedJPEGWithDCTScalingIsCloseToFullDecode() throws {
        // 96x128 and 60x60 are decoded at 1/2 (200x260 ≥ twice the target), the others at full
        // size; the scaled ones must stay within a few levels of full decode + area average.
        for channels in [1, 3] {
            let bytes = try ImageCodec.encodeJPEG(textPage(channels: channels), quality: 92)
            let full = try ImageCodec.decode(bytes: bytes, name: "p.jpg")
            for (w, h) in [(96, 128), (60, 60), (400, 520), (250, 100)] {
                let fast = try ImageCodec.decodeResized(bytes: bytes, name: "p.jpg", width: w, height: h)
                let slow = full.resized(width: w, height: h)
                XCTAssertEqual(fast.width, w)
                XCTAssertEqual(fast.height, h)
                XCTAssertEqual(fast.channels, channels)
                let diffs = zip(fast.pixels, slow.pixels).map { abs(Int($0) - Int($1)) }
                let mean = Double(diffs.reduce(0, +)) / Double(diffs.count)
                XCTAssertLessThan(mean, 5, "\(w)x\(h)x\(channels): mean |scaled − full| \(mean)")
                if w >= 200 { XCTAssertEqual(fast, slow, "\(w)x\(h): no DCT scaling below a 4x reduction") }
            }
        }
    }

    func testVeryTallImagesUseTheWideAccumulatorAndAgree() {
        // 8_500_000 rows: 255·H overflows Int32, so the plain Int64 kernel runs. Rows hold
        // y mod 256; each output row averages 500_000 source rows (an exact integer mean
        // computed here independently).
        let height = 8_500_000
        let image = Image(width: 1, height: height, channels: 1, pixels: (0..<height).map { UInt8(truncatingIfNeeded: $0 % 251) })
        let out = image.resized(width: 1, height: 17)
        for y in 0..<17 {
            var sum = 0
            for r in y * 500_000..<(y + 1) * 500_000 { sum += r % 251 }
            XCTAssertEqual(Int(out.pixels[y]), (2 * sum + 500_000) / 1_000_000, "row \(y)")
        }
        // The fast kernel agrees with the same independent sum on a shorter image.
        let short = Image(width: 1, height: 500_000 * 3, channels: 1, pixels: Array(image.pixels.prefix(1_500_000)))
        XCTAssertEqual(short.resized(width: 1, height: 3).pixels, Array(out.pixels.prefix(3)))
    }
}
