import XCTest
import DocData
import TensorCore

/// The bitmap font and the page renderer: glyphs are complete and distinct, and every word's
/// OCR box is exactly the region its ink covers (no ink outside boxes and rules).
final class SynthRenderTests: XCTestCase {
    func testFontCoversPrintableASCIIWithDistinctGlyphs() {
        XCTAssertEqual(BitmapFont.glyphs.count, 95)
        var seen: [[UInt8]: Character] = [:]
        for byte in UInt8(33)...UInt8(126) {
            let glyph = BitmapFont.glyph(for: byte)
            let c = Character(Unicode.Scalar(byte))
            XCTAssertEqual(glyph.rows.count, 9)
            XCTAssertNotNil(glyph.inkRows, "'\(c)' has no ink")
            if let other = seen[glyph.rows] { XCTFail("'\(c)' looks exactly like '\(other)'") }
            seen[glyph.rows] = c
        }
        XCTAssertNil(BitmapFont.glyph(for: 32).inkRows, "space must be blank")
        // Typographic sanity: descenders only where letters have them; capitals and digits 7 rows high.
        for c in "gjpqy" { XCTAssertEqual(BitmapFont.glyph(for: c.asciiValue!).inkRows?.upperBound, 8, "\(c)") }
        for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789acemnorsuvwxz" {
            let glyph = BitmapFont.glyph(for: c.asciiValue!)
            XCTAssertEqual(glyph.inkRows?.upperBound, 6, "\(c) must sit on the baseline")
        }
        for c in "acemnorsuvwxz" { XCTAssertEqual(BitmapFont.glyph(for: c.asciiValue!).inkRows?.lowerBound, 2, "x-height of \(c)") }
        for c in "ABHKbdhkl" { XCTAssertEqual(BitmapFont.glyph(for: c.asciiValue!).inkRows?.lowerBound, 0, "ascender of \(c)") }
    }

    func testDrawnTextMatchesAGlyphWrittenOutByHand() {
        // "A" at scale 2: the rows of the letter A, each font pixel a 2×2 block.
        let a = [".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"]
        var canvas = GrayCanvas(width: 20, height: 22, fill: 255)
        canvas.draw("A", x: 3, y: 2, scale: 2, ink: 0)
        for y in 0..<22 {
            for x in 0..<20 {
                let fx = (x - 3) >> 1, fy = (y - 2) >> 1
                let ink = x >= 3 && y >= 2 && fx < 5 && fy < 7 && Array(a[fy])[fx] == "#"
                XCTAssertEqual(canvas[x, y], ink ? 0 : 255, "pixel (\(x), \(y))")
            }
        }
    }

    func testWordBoxesAreExactlyTheInkOfEachWord() throws {
        for (width, height) in [(850, 1100), (400, 560), (1275, 1650)] {
            var config = SyntheticConfig()
            config.imageWidth = width; config.imageHeight = height
            let generator = try SyntheticDocumentGenerator(config: config)
            let doc = generator.document(seed: UInt64(width), docId: "r", questionCount: 6)
            for page in doc.pages.prefix(4) {
                try checkInk(page)
            }
        }
    }

    func checkInk(_ page: SyntheticPage) throws {
        let canvas = PageRenderer.render(page)
        XCTAssertEqual(canvas.width, page.width)
        let threshold = (Int(page.paperTone) + Int(page.inkTone)) / 2
        // Which word owns each pixel (words never overlap, nor do rules and words).
        var owner = [Int32](repeating: -1, count: page.width * page.height)
        for (i, word) in page.words.enumerated() {
            XCTAssertTrue(word.box.left >= 0 && word.box.top >= 0 && word.box.right <= page.width && word.box.bottom <= page.height,
                          "\(page.pageId): '\(word.text)' box \(word.box) leaves the page")
            for y in word.box.top..<word.box.bottom {
                for x in word.box.left..<word.box.right {
                    XCTAssertEqual(owner[y * page.width + x], -1, "\(page.pageId): boxes of words overlap at (\(x), \(y))")
                    owner[y * page.width + x] = Int32(i)
                }
            }
        }
        var inRule = [Bool](repeating: false, count: page.width * page.height)
        for rule in page.rules {
            for y in rule.box.top..<rule.box.bottom {
                for x in rule.box.left..<rule.box.right {
                    XCTAssertEqual(owner[y * page.width + x], -1, "\(page.pageId): a rule crosses a word box at (\(x), \(y))")
                    inRule[y * page.width + x] = true
                }
            }
        }
        // Ink extent per word, from the pixels.
        var extent = [PixelBox?](repeating: nil, count: page.words.count)
        for y in 0..<page.height {
            for x in 0..<page.width where Int(canvas[x, y]) < threshold {
                let o = Int(owner[y * page.width + x])
                if o < 0 {
                    XCTAssertTrue(inRule[y * page.width + x], "\(page.pageId): ink at (\(x), \(y)) outside every word box and rule")
                    continue
                }
                let dot = PixelBox(left: x, top: y, right: x + 1, bottom: y + 1)
                extent[o] = extent[o].map { $0.union(dot) } ?? dot
            }
        }
        for (i, word) in page.words.enumerated() {
            XCTAssertEqual(extent[i], word.box, "\(page.pageId): ink of '\(word.text)' vs its box")
        }
    }
}
