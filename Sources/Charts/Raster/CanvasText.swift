import DocData

/// Text on a canvas with the project's 5×9 bitmap font (`DocData.BitmapFont`), scaled by an
/// integer factor. Characters outside printable ASCII are drawn as the font's replacement box,
/// so callers should pass ASCII (`±` is written `+-`).
extension Canvas {
    /// Horizontal alignment of a text run relative to its anchor.
    public enum TextAlignment: Sendable { case left, center, right }

    /// Width in pixels of `text` at `scale` (the last character's trailing spacing excluded).
    public static func textWidth(_ text: String, scale: Int) -> Int {
        let n = text.utf8.count
        return n == 0 ? 0 : (n * BitmapFont.advance - (BitmapFont.advance - BitmapFont.glyphWidth)) * scale
    }

    /// Height in pixels of one line (capitals and descenders) at `scale`.
    public static func textHeight(scale: Int) -> Int { BitmapFont.glyphHeight * scale }

    /// Draws `text` with its top edge at `y`; `x` is the left edge, centre or right edge by `align`.
    public mutating func text(_ text: String, x: Int, y: Int, scale: Int = 2, align: TextAlignment = .left, color: RGBColor = .text) {
        let w = Canvas.textWidth(text, scale: scale)
        var left = switch align { case .left: x; case .center: x - w / 2; case .right: x - w }
        for byte in text.utf8 {
            let glyph = BitmapFont.glyph(for: byte)
            for r in 0..<BitmapFont.glyphHeight where glyph.rows[r] != 0 {
                for c in 0..<BitmapFont.glyphWidth where glyph.isInk(row: r, column: c) {
                    fill(x0: Double(left + c * scale), y0: Double(y + r * scale),
                         x1: Double(left + (c + 1) * scale), y1: Double(y + (r + 1) * scale), color: color)
                }
            }
            left += BitmapFont.advance * scale
        }
    }

    /// Draws `text` rotated a quarter turn counter-clockwise (reading upwards), centred
    /// vertically on `centerY`, its glyph tops at column `x` (the y-axis label).
    public mutating func verticalText(_ text: String, x: Int, centerY: Int, scale: Int = 2, color: RGBColor = .text) {
        let w = Canvas.textWidth(text, scale: scale)
        var bottom = centerY + w / 2
        for byte in text.utf8 {
            let glyph = BitmapFont.glyph(for: byte)
            for r in 0..<BitmapFont.glyphHeight where glyph.rows[r] != 0 {
                for c in 0..<BitmapFont.glyphWidth where glyph.isInk(row: r, column: c) {
                    // Glyph column c runs upwards from `bottom`, glyph row r runs right from `x`.
                    fill(x0: Double(x + r * scale), y0: Double(bottom - (c + 1) * scale),
                         x1: Double(x + (r + 1) * scale), y1: Double(bottom - c * scale), color: color)
                }
            }
            bottom -= BitmapFont.advance * scale
        }
    }
}
