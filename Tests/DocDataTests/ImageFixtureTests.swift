import DocData
import Foundation
import XCTest

/// Access to Fixtures/images (written by Fixtures/images/make_images.py) for the Image* tests.
enum ImageFixtures {
    static var directory: URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures/images")
    }

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    static func bytes(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: url(name))) }

    static func json(_ name: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url(name)))
        return try XCTUnwrap(object as? [String: Any], "\(name) is not a JSON object")
    }

    static func pixels(_ base64: Any?) throws -> [UInt8] {
        let text = try XCTUnwrap(base64 as? String, "missing base64 pixels")
        return [UInt8](try XCTUnwrap(Data(base64Encoded: text), "bad base64"))
    }

    /// One `decode_reference.json` case: the pixels Pillow decodes after the documented conversion.
    struct DecodeCase {
        var file: String, note: String
        var expected: Image
        var tolerance: Int
    }

    static func decodeCases() throws -> [DecodeCase] {
        let cases = try XCTUnwrap(json("decode_reference.json")["cases"] as? [[String: Any]])
        return try cases.map { c in
            let width = try XCTUnwrap(c["width"] as? Int), height = try XCTUnwrap(c["height"] as? Int)
            let channels = try XCTUnwrap(c["channels"] as? Int)
            return DecodeCase(file: try XCTUnwrap(c["file"] as? String), note: c["note"] as? String ?? "",
                              expected: Image(width: width, height: height, channels: channels, pixels: try pixels(c["pixels"])),
                              tolerance: try XCTUnwrap(c["tolerance"] as? Int))
        }
    }
}

/// Compares two images sample by sample; on failure reports the worst sample as (x, y, channel).
func assertImagesEqual(_ actual: Image, _ expected: Image, tolerance: Int = 0, _ what: String,
                       file: StaticString = #filePath, line: UInt = #line) {
    guard actual.width == expected.width, actual.height == expected.height, actual.channels == expected.channels else {
        XCTFail("\(what): got \(actual.width)x\(actual.height)x\(actual.channels), expected \(expected.width)x\(expected.height)x\(expected.channels)",
                file: file, line: line)
        return
    }
    var worst = 0, worstIndex = 0
    for i in 0..<actual.pixels.count {
        let d = abs(Int(actual.pixels[i]) - Int(expected.pixels[i]))
        if d > worst { worst = d; worstIndex = i }
    }
    if worst > tolerance {
        let c = actual.channels, pixel = worstIndex / c
        XCTFail("\(what): max |difference| \(worst) > \(tolerance) at x \(pixel % actual.width), y \(pixel / actual.width), channel \(worstIndex % c): got \(actual.pixels[worstIndex]), expected \(expected.pixels[worstIndex])",
                file: file, line: line)
    }
}

/// The fixture set itself: every reference names an existing file and holds the right number of bytes.
final class ImageFixtureTests: XCTestCase {
    func testDecodeReferencesAreComplete() throws {
        let cases = try ImageFixtures.decodeCases()
        XCTAssertGreaterThanOrEqual(cases.count, 20)
        for c in cases {
            XCTAssertTrue(FileManager.default.fileExists(atPath: ImageFixtures.url(c.file).path), c.file)
            XCTAssertEqual(c.expected.pixels.count, c.expected.width * c.expected.height * c.expected.channels, c.file)
        }
        // Every kind the codec promises is covered.
        let files = Set(cases.map(\.file))
        for name in ["gray1.png", "gray2.png", "gray4.png", "gray8.png", "gray16.png", "rgb8.png", "rgb16.png",
                     "rgba8.png", "rgba16.png", "gray_alpha8.png", "palette8.png", "palette8_trns.png", "palette4.png",
                     "interlaced_rgb8.png", "baseline_rgb420.jpg", "progressive_rgb.jpg", "gray.jpg"] {
            XCTAssertTrue(files.contains(name), "decode_reference.json lacks \(name)")
        }
    }
}
