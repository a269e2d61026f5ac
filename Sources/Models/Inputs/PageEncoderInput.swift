/// The page-encoder input of R page rows (R = B·P: every page of every question in a batch),
/// each L positions long. Plain arrays with shapes, so Models never depends on DocData.
///
/// Row layout: `[K summary slots] [prompt(q) tokens] [OCR tokens of the page] [padding]`,
/// then, with `patches`, N visual positions appended. A padded page is a row with no valid
/// token.
///
/// Shapes: `tokens, segments, tokenValid: [R, L]`, `boxes: [R, L, 4]` (x0, y0, x1, y1
/// quantised to 0…1000, zeros where there is no box), `patches.values: [R, N, pixels]`.
///
/// ```swift
/// let input = PageEncoderInput(rows: 2, length: 6, summarySlots: 2,
///                              tokens: ids, boxes: boxes, segments: segments, tokenValid: valid)
/// ```
public struct PageEncoderInput: Sendable, Equatable {
    /// R.
    public var rows: Int
    /// L: text positions per row.
    public var length: Int
    /// Leading positions holding summary-slot token ids (K for the `pageTokens` summarizer;
    /// any number, including 0, for `queries`).
    public var summarySlots: Int
    /// `[R, L]` token ids.
    public var tokens: [Int32]
    /// `[R, L, 4]` boxes in 0…1000.
    public var boxes: [Int32]
    /// `[R, L]` `PageSegment` raw values.
    public var segments: [Int32]
    /// `[R, L]` true for real tokens, false for padding.
    public var tokenValid: [Bool]
    /// Visual patch tokens, when the visual switch is on.
    public var patches: PatchInput?
    /// `[R, L]` true on OCR tokens that match a word of the row's question (the exact-match
    /// feature, computed by the data side); nil when not computed.
    public var questionMatch: [Bool]? = nil

    public init(rows: Int, length: Int, summarySlots: Int, tokens: [Int32], boxes: [Int32], segments: [Int32],
                tokenValid: [Bool], patches: PatchInput? = nil) {
        let n = rows * length
        precondition(rows > 0 && length > 0, "PageEncoderInput: need at least one row and position, got R = \(rows), L = \(length)")
        precondition(summarySlots >= 0 && summarySlots <= length,
                     "PageEncoderInput: \(summarySlots) summary slots do not fit rows of length \(length)")
        precondition(tokens.count == n, "PageEncoderInput: \(tokens.count) tokens for [R, L] = [\(rows), \(length)]")
        precondition(boxes.count == n * 4, "PageEncoderInput: \(boxes.count) box values for [R, L, 4] = [\(rows), \(length), 4]")
        precondition(segments.count == n, "PageEncoderInput: \(segments.count) segments for [R, L] = [\(rows), \(length)]")
        precondition(tokenValid.count == n, "PageEncoderInput: \(tokenValid.count) valid flags for [R, L] = [\(rows), \(length)]")
        if let i = boxes.firstIndex(where: { $0 < 0 || $0 > 1000 }) {
            preconditionFailure("PageEncoderInput: box value \(boxes[i]) at row \(i / (4 * length)), position \(i / 4 % length) is outside 0…1000")
        }
        if let i = segments.firstIndex(where: { PageSegment(rawValue: $0) == nil }) {
            preconditionFailure("PageEncoderInput: segment \(segments[i]) at row \(i / length), position \(i % length) is not a PageSegment (0…3)")
        }
        if let patches {
            precondition(patches.rows == rows, "PageEncoderInput: patches cover \(patches.rows) rows, tokens \(rows)")
        }
        self.rows = rows
        self.length = length
        self.summarySlots = summarySlots
        self.tokens = tokens
        self.boxes = boxes
        self.segments = segments
        self.tokenValid = tokenValid
        self.patches = patches
    }

    /// `[R]` true for rows with at least one valid token (real pages).
    public var rowValid: [Bool] {
        (0..<rows).map { r in tokenValid[(r * length)..<((r + 1) * length)].contains(true) }
    }

    /// `[R, L]` true on the OCR positions of real tokens: where an answer span can lie.
    public var ocrPositions: [Bool] {
        var ocr = [Bool](repeating: false, count: tokens.count)
        let code = PageSegment.ocr.rawValue
        for i in ocr.indices where tokenValid[i] && segments[i] == code { ocr[i] = true }
        return ocr
    }

    /// `[R, L + N]` validity of every encoder position: text positions, then patches (valid
    /// on real rows).
    public var positionValid: [Bool] {
        guard let patches else { return tokenValid }
        let total = length + patches.count
        var valid = [Bool](repeating: false, count: rows * total)
        let rowOK = rowValid
        for r in 0..<rows {
            for l in 0..<length { valid[r * total + l] = tokenValid[r * length + l] }
            for n in 0..<patches.count { valid[r * total + length + n] = rowOK[r] }
        }
        return valid
    }
}

extension PageEncoderInput {
    /// The input restricted to `selected` rows, in that order (visual patches included),
    /// and to the first `length` positions of each row (default: all of them).
    public func selectingRows(_ selected: [Int], length kept: Int? = nil) -> PageEncoderInput {
        let newLength = kept ?? length
        precondition(newLength >= 1 && newLength <= length, "PageEncoderInput.selectingRows: length \(newLength) outside 1…\(length)")
        // The first `kept` of every `rowWidth` values, for each selected row.
        func pick<T>(_ values: [T], rowWidth: Int, kept: Int) -> [T] {
            var out: [T] = []
            out.reserveCapacity(selected.count * kept)
            for r in selected { out.append(contentsOf: values[(r * rowWidth)..<(r * rowWidth + kept)]) }
            return out
        }
        // `width` values per position: the first `newLength` positions of each row.
        func pick<T>(_ values: [T], _ width: Int) -> [T] { pick(values, rowWidth: length * width, kept: newLength * width) }
        let picked = patches.map { p in
            PatchInput(count: p.count, pixels: p.pixels, values: pick(p.values, rowWidth: p.count * p.pixels, kept: p.count * p.pixels), positions: p.positions)
        }
        var input = PageEncoderInput(rows: selected.count, length: newLength, summarySlots: summarySlots, tokens: pick(tokens, 1),
                                     boxes: pick(boxes, 4), segments: pick(segments, 1),
                                     tokenValid: pick(tokenValid, 1), patches: picked)
        input.questionMatch = questionMatch.map { pick($0, 1) }
        return input
    }
}
