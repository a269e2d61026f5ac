/// An opaque 8-bit sRGB colour.
public struct RGBColor: Equatable, Sendable {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8

    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    public static let white = RGBColor(255, 255, 255)
    public static let black = RGBColor(0, 0, 0)
    public static let axis = RGBColor(60, 60, 60)
    public static let grid = RGBColor(225, 225, 225)
    public static let text = RGBColor(30, 30, 30)

    /// Series colours (Tableau 10: distinguishable, colour-blind friendly in its first six).
    public static let palette: [RGBColor] = [
        RGBColor(31, 119, 180), RGBColor(255, 127, 14), RGBColor(44, 160, 44), RGBColor(214, 39, 40),
        RGBColor(148, 103, 189), RGBColor(140, 86, 75), RGBColor(227, 119, 194), RGBColor(127, 127, 127),
        RGBColor(188, 189, 34), RGBColor(23, 190, 207),
    ]

    /// The palette colour of series `index` (wrapping around).
    public static func series(_ index: Int) -> RGBColor { palette[((index % palette.count) + palette.count) % palette.count] }

    /// `self` mixed with white: `amount` 0 keeps it, 1 is white.
    public func lightened(_ amount: Double) -> RGBColor {
        func mix(_ c: UInt8) -> UInt8 { UInt8((Double(c) + (255 - Double(c)) * amount).rounded()) }
        return RGBColor(mix(r), mix(g), mix(b))
    }
}
