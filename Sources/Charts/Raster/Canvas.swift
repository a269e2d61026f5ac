import DocData
import Foundation
import RunSupport

/// An RGB raster with coverage-based drawing: every primitive computes, per pixel, the
/// fraction of the pixel it covers (0…1) and blends its colour by that fraction, so edges
/// and sloped lines are antialiased without supersampling. All arithmetic is on `Double`
/// in a fixed order, so the same drawing calls give byte-identical pixels (and PNG files).
///
/// `pixels: [height, width, 3]`, row-major; pixel `(x, y)` covers `[x, x+1) × [y, y+1)`.
///
/// ```swift
/// var canvas = Canvas(width: 200, height: 100)
/// canvas.fill(x0: 10, y0: 10, x1: 60.5, y1: 90, color: .series(0))
/// canvas.polyline([(10, 90), (190, 10)], width: 2, color: .black)
/// try canvas.writePNG(to: URL(fileURLWithPath: "chart.png"))
/// ```
public struct Canvas: Sendable {
    public let width: Int
    public let height: Int
    public private(set) var pixels: [UInt8]

    public init(width: Int, height: Int, background: RGBColor = .white) {
        self.width = max(1, width)
        self.height = max(1, height)
        var p = [UInt8](repeating: 0, count: self.width * self.height * 3)
        for i in stride(from: 0, to: p.count, by: 3) { p[i] = background.r; p[i + 1] = background.g; p[i + 2] = background.b }
        pixels = p
    }

    /// Blends `color` into pixel `(x, y)` with opacity `coverage` (clipped to the canvas).
    public mutating func blend(x: Int, y: Int, color: RGBColor, coverage: Double) {
        guard x >= 0, y >= 0, x < width, y < height, coverage > 0 else { return }
        let a = min(1, coverage)
        let i = (y * width + x) * 3
        pixels[i] = Canvas.mix(pixels[i], color.r, a)
        pixels[i + 1] = Canvas.mix(pixels[i + 1], color.g, a)
        pixels[i + 2] = Canvas.mix(pixels[i + 2], color.b, a)
    }

    static func mix(_ under: UInt8, _ over: UInt8, _ a: Double) -> UInt8 {
        UInt8(min(255, max(0, (Double(under) * (1 - a) + Double(over) * a).rounded())))
    }

    /// Fills the axis-aligned rectangle `[x0, x1) × [y0, y1)` (fractional edges get partial coverage).
    public mutating func fill(x0: Double, y0: Double, x1: Double, y1: Double, color: RGBColor) {
        let (left, right) = (min(x0, x1), max(x0, x1)), (top, bottom) = (min(y0, y1), max(y0, y1))
        guard right > left, bottom > top else { return }
        let xs = max(0, Int(left.rounded(.down))), xe = min(width - 1, Int(right.rounded(.up)) - 1)
        let ys = max(0, Int(top.rounded(.down))), ye = min(height - 1, Int(bottom.rounded(.up)) - 1)
        guard xs <= xe, ys <= ye else { return }
        for y in ys...ye {
            let cy = min(bottom, Double(y + 1)) - max(top, Double(y))
            for x in xs...xe {
                let cx = min(right, Double(x + 1)) - max(left, Double(x))
                blend(x: x, y: y, color: color, coverage: cx * cy)
            }
        }
    }

    /// A rectangle outline of `lineWidth` pixels inside `[x0, x1) × [y0, y1)`.
    public mutating func stroke(x0: Double, y0: Double, x1: Double, y1: Double, lineWidth: Double = 1, color: RGBColor) {
        fill(x0: x0, y0: y0, x1: x1, y1: y0 + lineWidth, color: color)
        fill(x0: x0, y0: y1 - lineWidth, x1: x1, y1: y1, color: color)
        fill(x0: x0, y0: y0 + lineWidth, x1: x0 + lineWidth, y1: y1 - lineWidth, color: color)
        fill(x0: x1 - lineWidth, y0: y0 + lineWidth, x1: x1, y1: y1 - lineWidth, color: color)
    }

    /// An antialiased polyline of `width` pixels through `points` (canvas coordinates).
    /// Coverage is the distance from the pixel centre to the nearest segment, mapped to
    /// `clamp(width/2 + 0.5 − distance, 0, 1)`; taking the maximum over segments before
    /// blending keeps joints from being painted twice.
    public mutating func polyline(_ points: [(Double, Double)], width lineWidth: Double, color: RGBColor) {
        guard let first = points.first else { return }
        let half = lineWidth / 2
        var minX = first.0, maxX = first.0, minY = first.1, maxY = first.1
        for p in points { minX = min(minX, p.0); maxX = max(maxX, p.0); minY = min(minY, p.1); maxY = max(maxY, p.1) }
        let xs = max(0, Int((minX - half - 1).rounded(.down))), xe = min(width - 1, Int((maxX + half + 1).rounded(.up)))
        let ys = max(0, Int((minY - half - 1).rounded(.down))), ye = min(height - 1, Int((maxY + half + 1).rounded(.up)))
        guard xs <= xe, ys <= ye else { return }
        let w = xe - xs + 1
        var coverage = [Double](repeating: 0, count: w * (ye - ys + 1))
        let segments = points.count == 1 ? [(first, first)] : (1..<points.count).map { (points[$0 - 1], points[$0]) }
        for (a, b) in segments {
            let sx = max(xs, Int((min(a.0, b.0) - half - 1).rounded(.down))), ex = min(xe, Int((max(a.0, b.0) + half + 1).rounded(.up)))
            let sy = max(ys, Int((min(a.1, b.1) - half - 1).rounded(.down))), ey = min(ye, Int((max(a.1, b.1) + half + 1).rounded(.up)))
            guard sx <= ex, sy <= ey else { continue }
            let dx = b.0 - a.0, dy = b.1 - a.1, length2 = dx * dx + dy * dy
            for y in sy...ey {
                let py = Double(y) + 0.5
                for x in sx...ex {
                    let px = Double(x) + 0.5
                    let t = length2 > 0 ? min(1, max(0, ((px - a.0) * dx + (py - a.1) * dy) / length2)) : 0
                    let qx = a.0 + t * dx - px, qy = a.1 + t * dy - py
                    let c = min(1, max(0, half + 0.5 - (qx * qx + qy * qy).squareRoot()))
                    let i = (y - ys) * w + (x - xs)
                    if c > coverage[i] { coverage[i] = c }
                }
            }
        }
        for y in ys...ye {
            for x in xs...xe { blend(x: x, y: y, color: color, coverage: coverage[(y - ys) * w + (x - xs)]) }
        }
    }

    /// A filled antialiased disc (markers on curves).
    public mutating func disc(cx: Double, cy: Double, radius: Double, color: RGBColor) {
        let xs = Int((cx - radius - 1).rounded(.down)), xe = Int((cx + radius + 1).rounded(.up))
        let ys = Int((cy - radius - 1).rounded(.down)), ye = Int((cy + radius + 1).rounded(.up))
        for y in ys...ye {
            for x in xs...xe {
                let dx = Double(x) + 0.5 - cx, dy = Double(y) + 0.5 - cy
                blend(x: x, y: y, color: color, coverage: min(1, max(0, radius + 0.5 - (dx * dx + dy * dy).squareRoot())))
            }
        }
    }

    /// The canvas as an RGB image.
    public var image: Image { Image(width: width, height: height, channels: 3, pixels: pixels) }

    /// PNG bytes (libpng, zlib level 9; no timestamps or other varying chunks).
    public func pngBytes() throws -> [UInt8] { try ImageCodec.encodePNG(image, compressionLevel: 9) }

    /// Writes the PNG atomically.
    public func writePNG(to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try AtomicFile.write(Data(try pngBytes()), to: url)
    }
}
