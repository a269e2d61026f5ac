/// Image file format of synthetic pages.
public enum SyntheticImageFormat: String, Sendable, Equatable, CaseIterable, Codable {
    case jpeg, png

    /// File extension as written under `images/` (`jpg` like the MP-DocVQA release, or `png`).
    public var fileExtension: String { self == .jpeg ? "jpg" : "png" }
}

/// The knobs of the built-in synthetic MP-DocVQA dataset (README "Data", `mpvqa synth`).
/// The defaults write ~2,600 questions over ~5,000 pages, about a minute on 2 cores.
///
/// ```swift
/// var config = SyntheticConfig()
/// config.trainQuestions = 500
/// config.seed = 7
/// try config.validate()
/// ```
public struct SyntheticConfig: Sendable, Equatable, Codable {
    /// Questions per split; several questions share one document.
    public var trainQuestions = 2000
    public var valQuestions = 300
    public var testQuestions = 300
    /// The dev split: what training validates on and selects `best` by, so that neither val
    /// nor test influences a run (README "Data").
    public var devQuestions = 300
    /// Master seed; every document and page derives its own seed from it.
    public var seed: UInt64 = 0
    /// Page-count range of a document (within 1…20); the MP-DocVQA-like distribution
    /// (`PageCountDistribution`) is restricted to it.
    public var minPages = 1
    public var maxPages = 20
    /// Questions asked about one document, drawn uniformly from this range (each on its own key).
    public var minQuestionsPerDocument = 1
    public var maxQuestionsPerDocument = 6
    /// Probability that a page other than a question's answer page carries a field of the same
    /// kind under a different, often similarly worded key (`Due Date` on page 3 when the question
    /// asks for the `Invoice Date` on page 5). At 0 no other page has a field of that kind
    /// (apart from the fields of the document's other questions).
    public var distractorRate = 0.5
    /// Per-character probability that the OCR text (never the image) differs from the drawn
    /// text: a look-alike substitution (`O`→`0`, `l`→`1`, …) or a dropped character.
    public var ocrNoiseRate = 0.01
    /// Page image size in pixels; the font scale follows the width (2× at 850 px).
    public var imageWidth = 850
    public var imageHeight = 1100
    /// PNG by default: these hard-edged text pages are ~10 KB as PNG and ~100 KB as JPEG.
    public var imageFormat = SyntheticImageFormat.png
    /// libjpeg quality (1–100) when `imageFormat` is `.jpeg`.
    public var jpegQuality = 85
    /// zlib level (0–9) when `imageFormat` is `.png`. Level 1 is 2× faster than 6 here
    /// (libpng's adaptive filtering dominates) for ~18 KB instead of ~10 KB per page.
    public var pngCompressionLevel = 1

    public init() {}

    /// Questions of a split by name (`train`, `val`, `test`).
    public func questions(inSplit split: String) -> Int {
        switch split {
        case "train": return trainQuestions
        case "val": return valQuestions
        case "test": return testQuestions
        case "dev": return devQuestions
        default: return 0
        }
    }

    /// The split names in writing order (dev last, so adding it left the other splits'
    /// documents and question ids as they were).
    public static let splits = ["train", "val", "test", "dev"]

    /// Throws a `DataError` (file "synth config", field = knob) for a value out of range.
    public func validate() throws {
        func fail(_ field: String, _ message: String) -> DataError {
            DataError(file: "synth config", field: field, message)
        }
        for (name, n) in [("train", trainQuestions), ("val", valQuestions), ("test", testQuestions), ("dev", devQuestions)] where n < 0 {
            throw fail(name, "question count must be ≥ 0, got \(n)")
        }
        guard (1...20).contains(minPages) else { throw fail("min_pages", "must be in 1…20, got \(minPages)") }
        guard (1...20).contains(maxPages) else { throw fail("max_pages", "must be in 1…20, got \(maxPages)") }
        guard minPages <= maxPages else { throw fail("min_pages", "\(minPages) is larger than max_pages \(maxPages)") }
        guard minQuestionsPerDocument >= 1 else {
            throw fail("min_questions_per_document", "must be ≥ 1, got \(minQuestionsPerDocument)")
        }
        guard maxQuestionsPerDocument >= minQuestionsPerDocument else {
            throw fail("max_questions_per_document", "\(maxQuestionsPerDocument) is smaller than min_questions_per_document \(minQuestionsPerDocument)")
        }
        guard maxQuestionsPerDocument <= SyntheticLayout.maxFieldsPerPage else {
            throw fail("max_questions_per_document", "must be ≤ \(SyntheticLayout.maxFieldsPerPage) (a one-page document holds at most that many fields), got \(maxQuestionsPerDocument)")
        }
        guard (0...1).contains(distractorRate) else { throw fail("distractor_rate", "must be in 0…1, got \(distractorRate)") }
        guard (0...0.5).contains(ocrNoiseRate) else { throw fail("ocr_noise", "must be in 0…0.5, got \(ocrNoiseRate)") }
        guard (SyntheticLayout.minWidth...SyntheticLayout.maxSide).contains(imageWidth) else {
            throw fail("image_width", "must be in \(SyntheticLayout.minWidth)…\(SyntheticLayout.maxSide) pixels, got \(imageWidth)")
        }
        guard (1...SyntheticLayout.maxSide).contains(imageHeight) else {
            throw fail("image_height", "must be in 1…\(SyntheticLayout.maxSide) pixels, got \(imageHeight)")
        }
        let metrics = SyntheticLayout(width: imageWidth, height: imageHeight)
        guard metrics.bodyRows >= SyntheticLayout.minBodyRows else {
            throw fail("image_height", "\(imageHeight) pixels leave room for \(metrics.bodyRows) text lines at width \(imageWidth); need ≥ \(SyntheticLayout.minBodyRows) (height ≥ about \(metrics.minimumHeight) pixels)")
        }
        guard (1...100).contains(jpegQuality) else { throw fail("jpeg_quality", "must be in 1…100, got \(jpegQuality)") }
        guard (0...9).contains(pngCompressionLevel) else { throw fail("png_compression", "must be in 0…9, got \(pngCompressionLevel)") }
    }
}
