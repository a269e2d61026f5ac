/// Draws a `SyntheticPage` into grayscale pixels: paper tone, then every word with the
/// bitmap font at its pen position, then the rules. The ink of each word lies exactly in
/// its `box` (the box is computed from the same glyph bitmaps).
///
/// ```swift
/// let canvas = PageRenderer.render(doc.pages[0])   // GrayCanvas, width × height
/// let image = PageRenderer.image(doc.pages[0])      // Image, 1 channel, for PagePatches / encoders
/// ```
public enum PageRenderer {
    public static func render(_ page: SyntheticPage) -> GrayCanvas {
        var canvas = GrayCanvas(width: page.width, height: page.height, fill: page.paperTone)
        for word in page.words {
            canvas.draw(word.text, x: word.penX, y: word.penY, scale: word.scale, bold: word.bold, ink: page.inkTone)
        }
        for rule in page.rules { canvas.fill(rule.box, value: page.inkTone) }
        return canvas
    }

    /// The page as a one-channel `Image`.
    public static func image(_ page: SyntheticPage) -> Image {
        let canvas = render(page)
        return Image(width: canvas.width, height: canvas.height, channels: 1, pixels: canvas.pixels)
    }
}
