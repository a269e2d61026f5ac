import DocData
import Foundation
import XCTest

/// Bad inputs give a DataError that names the file and says what was expected.
final class ImageErrorTests: XCTestCase {
    /// Runs `body`, requires a DataError for `file`, and returns its message.
    private func dataError(_ file: String, _ body: () throws -> Image,
                           sourceFile: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            let image = try body()
            XCTFail("\(file): expected an error, decoded \(image.width)x\(image.height)", file: sourceFile, line: line)
        } catch let error as DataError {
            XCTAssertEqual(error.file, file, file: sourceFile, line: line)
            XCTAssertTrue(error.description.hasPrefix(file), file: sourceFile, line: line)
            return error.message
        } catch {
            XCTFail("\(file): expected a DataError, got \(error)", file: sourceFile, line: line)
        }
        return ""
    }

    private func assertMessage(_ message: String, contains parts: [String],
                               file: StaticString = #filePath, line: UInt = #line) {
        for part in parts {
            XCTAssertTrue(message.localizedCaseInsensitiveContains(part), "«\(message)» lacks «\(part)»", file: file, line: line)
        }
    }

    func testMissingFile() {
        let url = ImageFixtures.url("no_such_page.jpg")
        let message = dataError(url.path) { try ImageCodec.decode(contentsOf: url) }
        assertMessage(message, contains: ["not found"])
    }

    func testDirectoryIsNotAnImage() {
        let url = ImageFixtures.directory
        let message = dataError(url.path) { try ImageCodec.decode(contentsOf: url) }
        assertMessage(message, contains: ["expected an image file"])
    }

    func testTruncatedJPEG() {
        let url = ImageFixtures.url("truncated.jpg")
        let message = dataError(url.path) { try ImageCodec.decode(contentsOf: url) }
        assertMessage(message, contains: ["truncated JPEG"])
    }

    func testTruncatedJPEGAlsoFailsWhenScaled() throws {
        let bytes = try ImageFixtures.bytes("truncated.jpg")
        let message = dataError("t.jpg") { try ImageCodec.decodeResized(bytes: bytes, name: "t.jpg", width: 8, height: 8) }
        assertMessage(message, contains: ["truncated JPEG"])
    }

    func testJPEGCutInsideTheHeader() throws {
        let bytes = Array(try ImageFixtures.bytes("gray.jpg").prefix(40))
        let message = dataError("h.jpg") { try ImageCodec.decode(bytes: bytes, name: "h.jpg") }
        assertMessage(message, contains: ["JPEG"])
    }

    func testPNGNameHoldingAJPEG() {
        let url = ImageFixtures.url("jpeg_named.png")
        let message = dataError(url.path) { try ImageCodec.decode(contentsOf: url) }
        assertMessage(message, contains: ["expected a PNG", "look like a JPEG"])
    }

    func testPNGNameHoldingOtherThings() {
        let cases: [(String, [UInt8], String)] = [
            ("html.png", Array("<!DOCTYPE html><html><body>404</body></html>".utf8), "HTML"),
            ("lfs.png", Array("version https://git-lfs.github.com/spec/v1\noid sha256:abc\n".utf8), "Git LFS pointer"),
            ("empty.png", [], "empty file"),
            ("gif.png", Array("GIF89a".utf8) + [1, 0, 1, 0], "GIF"),
            ("json.png", Array("{\"Blocks\": []}".utf8), "JSON"),
            ("noise.png", [0x00, 0x13, 0x37, 0xFE, 0x01, 0x02, 0x03, 0x04, 0x05], "unknown binary data (starts 00 13 37 FE"),
        ]
        for (name, bytes, looksLike) in cases {
            let message = dataError(name) { try ImageCodec.decode(bytes: bytes, name: name) }
            assertMessage(message, contains: ["expected a PNG", looksLike])
        }
    }

    func testJPEGNameHoldingAPNG() throws {
        let bytes = try ImageFixtures.bytes("rgb8.png")
        let message = dataError("images/p1.jpg") { try ImageCodec.decode(bytes: bytes, name: "images/p1.jpg") }
        assertMessage(message, contains: ["expected a JPEG", "look like a PNG"])
    }

    func testUnknownNameAndUnknownBytes() {
        let message = dataError("page") { try ImageCodec.decode(bytes: Array("%PDF-1.7".utf8), name: "page") }
        assertMessage(message, contains: ["expected a PNG or JPEG", "PDF"])
    }

    func testCMYKJPEG() {
        let url = ImageFixtures.url("cmyk.jpg")
        let message = dataError(url.path) { try ImageCodec.decode(contentsOf: url) }
        assertMessage(message, contains: ["CMYK", "not supported"])
    }

    func testOversizedDeclaredPNG() {
        // 30000x30000 declared in a 67-byte file: refused from the header (decoding would
        // need 900 MB), with the default 20k x 20k limit.
        let url = ImageFixtures.url("oversized.png")
        let message = dataError(url.path) { try ImageCodec.decode(contentsOf: url) }
        assertMessage(message, contains: ["30000x30000", "exceeds the limit of 400000000 pixels"])
    }

    func testOversizedDeclaredJPEG() {
        let url = ImageFixtures.url("oversized.jpg")
        let message = dataError(url.path) { try ImageCodec.decode(contentsOf: url) }
        assertMessage(message, contains: ["65000x65000", "exceeds the limit"])
        let scaled = dataError(url.path) { try ImageCodec.decodeResized(contentsOf: url, width: 10, height: 10) }
        assertMessage(scaled, contains: ["65000x65000", "exceeds the limit"])
    }

    func testMaxPixelsIsTheDeclaredSize() throws {
        // gray8.png is 13x11 = 143 pixels.
        XCTAssertNoThrow(try ImageCodec.decode(contentsOf: ImageFixtures.url("gray8.png"), maxPixels: 143))
        let url = ImageFixtures.url("gray8.png")
        let message = dataError(url.path) { try ImageCodec.decode(contentsOf: url, maxPixels: 142) }
        assertMessage(message, contains: ["13x11", "142 pixels"])
        let jpeg = ImageFixtures.url("gray.jpg") // 37x29 = 1073
        XCTAssertNoThrow(try ImageCodec.decode(contentsOf: jpeg, maxPixels: 1073))
        _ = dataError(jpeg.path) { try ImageCodec.decode(contentsOf: jpeg, maxPixels: 1072) }
    }

    func testTruncatedPNG() throws {
        let bytes = try ImageFixtures.bytes("rgb16.png")
        for cut in [12, 40, bytes.count / 2, bytes.count - 20] { // inside IHDR, after IHDR, inside IDAT, IDAT CRC
            let message = dataError("cut.png") { try ImageCodec.decode(bytes: Array(bytes.prefix(cut)), name: "cut.png") }
            assertMessage(message, contains: ["PNG"])
        }
        let message = dataError("cut.png") { try ImageCodec.decode(bytes: Array(bytes.prefix(bytes.count / 2)), name: "cut.png") }
        assertMessage(message, contains: ["truncated PNG"])
    }

    func testCorruptPNGData() throws {
        var bytes = try ImageFixtures.bytes("rgb8.png")
        let idat = try XCTUnwrap(findSubsequence(bytes, Array("IDAT".utf8)))
        bytes[idat + 6] ^= 0x5A // inside the compressed data: the chunk CRC no longer matches
        let message = dataError("bad.png") { try ImageCodec.decode(bytes: bytes, name: "bad.png") }
        assertMessage(message, contains: ["corrupt or unsupported PNG", "libpng says"])
    }

    func testCorruptJPEGMarkers() throws {
        var bytes = try ImageFixtures.bytes("baseline_rgb420.jpg")
        let sof = try XCTUnwrap(findSubsequence(bytes, [0xFF, 0xC0]))
        bytes[sof + 4] = 12 // sample precision 12: not an 8-bit JPEG
        let message = dataError("bad.jpg") { try ImageCodec.decode(bytes: bytes, name: "bad.jpg") }
        assertMessage(message, contains: ["corrupt or unsupported JPEG", "libjpeg says"])
    }

    private func findSubsequence(_ bytes: [UInt8], _ needle: [UInt8]) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        return (0...(bytes.count - needle.count)).first { bytes[$0..<$0 + needle.count].elementsEqual(needle) }
    }
}
