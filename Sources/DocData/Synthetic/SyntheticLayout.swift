/// Page geometry of synthetic pages at one image size (pixels): font scales, margins, line
/// pitch and the vertical band between header and footer where fields, tables and text go.
///
/// The body font scale is the largest integer at which a line holds ≥ 60 characters
/// (2 at 850 px width, 4 at 1700 px), so pages of any size carry the same amount of text.
public struct SyntheticLayout: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Scale of body text (font pixels → image pixels).
    public let scale: Int
    /// Scale of the company name in the header.
    public let headerScale: Int
    public let marginLeft: Int
    public let marginTop: Int
    public let marginBottom: Int

    /// Narrowest page whose lines hold the widest table (56 characters) at scale 1.
    public static let minWidth = 400
    /// Largest side accepted, in pixels.
    public static let maxSide = 8000
    /// Most key–value fields on one page.
    public static let maxFieldsPerPage = 8
    /// Fewest body lines a page must hold: all fields plus a short table or paragraph.
    public static let minBodyRows = 12

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
        marginLeft = max(8, width * 7 / 100)
        marginTop = max(8, height * 5 / 100)
        marginBottom = max(8, height * 4 / 100)
        let content = width - 2 * marginLeft
        scale = max(1, content / (BitmapFont.advance * 60))
        // Company names are ≤ 30 characters; the header scale is the largest that fits them.
        headerScale = max(scale, min(scale + max(1, scale / 2), content / (BitmapFont.advance * 30)))
    }

    /// Horizontal advance of one body character, in pixels.
    public var advance: Int { BitmapFont.advance * scale }
    /// Vertical distance of body lines, in pixels.
    public var pitch: Int { BitmapFont.lineHeight * scale }
    /// Body characters per line.
    public var columns: Int { (width - 2 * marginLeft) / advance }
    /// Top of the company-name line.
    public var companyTop: Int { marginTop }
    /// Top of the document-type line.
    public var documentTypeTop: Int { companyTop + BitmapFont.lineHeight * headerScale }
    /// The horizontal rule under the header.
    public var headerRuleY: Int { documentTypeTop + pitch + pitch / 2 }
    public var ruleThickness: Int { max(1, scale) }
    /// First body line top.
    public var bodyTop: Int { headerRuleY + ruleThickness + pitch / 2 }
    /// Top of the footer line (`Page i of n`).
    public var footerTop: Int { height - marginBottom - BitmapFont.glyphHeight * scale }
    /// Body lines between header and footer.
    public var bodyRows: Int { max(0, (footerTop - pitch - bodyTop) / pitch) }

    /// Smallest height that holds `minBodyRows` body lines at this width (for error messages).
    public var minimumHeight: Int {
        var h = 64
        while SyntheticLayout(width: width, height: h).bodyRows < SyntheticLayout.minBodyRows && h < SyntheticLayout.maxSide { h += 8 }
        return h
    }
}
