/// A rectangle in image pixels, `left..<right` × `top..<bottom`, origin top-left.
public struct PixelBox: Sendable, Equatable, Hashable {
    public var left: Int, top: Int, right: Int, bottom: Int

    public init(left: Int, top: Int, right: Int, bottom: Int) {
        self.left = left; self.top = top; self.right = right; self.bottom = bottom
    }

    public var width: Int { right - left }
    public var height: Int { bottom - top }

    /// The smallest box containing both.
    public func union(_ other: PixelBox) -> PixelBox {
        PixelBox(left: min(left, other.left), top: min(top, other.top),
                 right: max(right, other.right), bottom: max(bottom, other.bottom))
    }

    public func contains(x: Int, y: Int) -> Bool { x >= left && x < right && y >= top && y < bottom }
}

/// One word drawn on a synthetic page.
public struct SyntheticWord: Sendable, Equatable {
    /// The text drawn in the image.
    public var text: String
    /// The text the OCR reports; differs from `text` where OCR noise hit.
    public var ocrText: String
    /// OCR confidence, 0–100 (lower where noise hit).
    public var confidence: Double
    /// Pen position: left edge of the first character cell and top of glyph row 0, in pixels.
    public var penX: Int, penY: Int
    /// Font scale (font pixels → image pixels) and faux-bold (drawn twice, 1 px apart).
    public var scale: Int
    public var bold: Bool
    /// Tight box around the word's ink, in pixels.
    public var box: PixelBox

    /// Lays out `text` (ASCII, no spaces) with its pen at (`penX`, `penY`) and computes its ink box.
    public init(_ text: String, penX: Int, penY: Int, scale: Int, bold: Bool = false) {
        self.text = text
        self.ocrText = text
        self.confidence = 99
        self.penX = penX; self.penY = penY
        self.scale = scale; self.bold = bold
        var minX = Int.max, maxX = Int.min, minY = Int.max, maxY = Int.min
        for (i, byte) in text.utf8.enumerated() {
            let glyph = BitmapFont.glyph(for: byte)
            guard let cols = glyph.inkColumns, let rows = glyph.inkRows else { continue }
            let cellX = penX + i * BitmapFont.advance * scale
            minX = min(minX, cellX + cols.lowerBound * scale)
            maxX = max(maxX, cellX + (cols.upperBound + 1) * scale + (bold ? 1 : 0))
            minY = min(minY, penY + rows.lowerBound * scale)
            maxY = max(maxY, penY + (rows.upperBound + 1) * scale)
        }
        precondition(minX < maxX, "SyntheticWord: '\(text)' has no ink")
        box = PixelBox(left: minX, top: minY, right: maxX, bottom: maxY)
    }

    /// Width of `characters` characters at `scale`, in pixels (pen advance).
    public static func advance(_ characters: Int, scale: Int) -> Int { characters * BitmapFont.advance * scale }
}

/// A horizontal rule (table borders, header separator), `x0..<x1` × `y..<y+thickness`.
public struct RuleLine: Sendable, Equatable {
    public var x0: Int, x1: Int, y: Int, thickness: Int

    public var box: PixelBox { PixelBox(left: x0, top: y, right: x1, bottom: y + thickness) }
}

/// A synthetic page in memory: every word with its pixel box and OCR reading, grouped into
/// lines, plus rules. Rendering it (`PageRenderer`) and writing it (`TextractJSON`) are
/// separate steps, so training can use fresh pages without drawing them.
public struct SyntheticPage: Sendable, Equatable {
    public var pageId: String
    public var width: Int, height: Int
    public var words: [SyntheticWord]
    /// Each line (a Textract LINE block) is a run of consecutive words.
    public var lines: [Range<Int>]
    public var rules: [RuleLine]
    /// Gray levels of paper and ink (0 = black); vary a little from page to page.
    public var paperTone: UInt8
    public var inkTone: UInt8
    /// Seed of everything drawn per page after layout (OCR noise, Textract ids).
    public var seed: UInt64

    /// The page's OCR words (noisy text) with boxes as fractions of the page size, in reading order.
    ///
    /// ```swift
    /// let words = page.ocrWords()   // [OCRWord], boxes in 0…1
    /// ```
    public func ocrWords() -> [OCRWord] {
        let w = Float(width), h = Float(height)
        return words.map {
            OCRWord(text: $0.ocrText, left: Float($0.box.left) / w, top: Float($0.box.top) / h,
                    right: Float($0.box.right) / w, bottom: Float($0.box.bottom) / h)
        }
    }

    /// The drawn text, one string per line.
    public var lineTexts: [String] { lines.map { words[$0].map(\.text).joined(separator: " ") } }
}
