/// An 8-bit grayscale pixel buffer, row-major, 0 = black.
///
/// pixels: [height · width], `pixels[y * width + x]`
public struct GrayCanvas: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, fill: UInt8) {
        precondition(width > 0 && height > 0, "GrayCanvas: size \(width)×\(height) must be positive")
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: fill, count: width * height)
    }

    public subscript(x: Int, y: Int) -> UInt8 { pixels[y * width + x] }

    /// Fills the part of `box` inside the canvas with `value`.
    public mutating func fill(_ box: PixelBox, value: UInt8) {
        let x0 = max(0, box.left), x1 = min(width, box.right)
        let y0 = max(0, box.top), y1 = min(height, box.bottom)
        guard x0 < x1 && y0 < y1 else { return }
        let w = width
        pixels.withUnsafeMutableBufferPointer { p in
            for y in y0..<y1 {
                let row = p.baseAddress! + y * w
                (row + x0).update(repeating: value, count: x1 - x0)
            }
        }
    }

    /// Draws `text` with the bitmap font, pen at (`x`, `y`) (top-left of the first cell).
    /// Bold draws every glyph a second time 1 pixel to the right. Ink outside the canvas is clipped.
    public mutating func draw(_ text: String, x: Int, y: Int, scale: Int, bold: Bool = false, ink: UInt8) {
        let step = BitmapFont.advance * scale, dotWidth = scale + (bold ? 1 : 0)
        let w = width, h = height
        pixels.withUnsafeMutableBufferPointer { p in
            let base = p.baseAddress!
            for (i, byte) in text.utf8.enumerated() where byte != 32 {
                let glyph = BitmapFont.glyph(for: byte)
                let cellX = x + i * step
                for r in 0..<BitmapFont.glyphHeight where glyph.rows[r] != 0 {
                    let y0 = max(0, y + r * scale), y1 = min(h, y + (r + 1) * scale)
                    for c in 0..<BitmapFont.glyphWidth where glyph.isInk(row: r, column: c) {
                        let x0 = max(0, cellX + c * scale), x1 = min(w, cellX + c * scale + dotWidth)
                        guard x0 < x1 else { continue }
                        for py in y0..<max(y0, y1) { (base + py * w + x0).update(repeating: ink, count: x1 - x0) }
                    }
                }
            }
        }
    }
}
