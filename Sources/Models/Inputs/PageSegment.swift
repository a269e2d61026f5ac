/// What a page-encoder position holds; each kind has its own segment embedding.
///
/// These are the values of `PageEncoderInput.segments`. (DocData numbers its segments with
/// a padding kind first; Training maps them: padded positions are masked, so any valid
/// value will do there.)
public enum PageSegment: Int32, Sendable, CaseIterable {
    /// One of the K leading summary slots.
    case summary = 0
    /// The prompt-rendered question.
    case question = 1
    /// An OCR token of the page (the only kind that gets layout embeddings).
    case ocr = 2
    /// A visual patch token (patch positions are appended after the L text positions).
    case visual = 3
}
