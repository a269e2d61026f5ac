import Foundation
import RunSupport

/// One split of a dataset in the MP-DocVQA release format (README "Data"): its questions, and
/// per-page OCR words and images read from disk on demand.
///
/// Nothing but the question list is held in memory: `ocrWords(pageId:)` and `image(pageId:)`
/// read one page, and `documentStream` loads one document's pages at a time (in parallel
/// over its pages), so a split's decoded images are never all in memory.
///
/// ```swift
/// let val = try MPDocVQADataset(layout: DatasetLayout(root: URL(fileURLWithPath: "/data/mp-docvqa")), split: "val")
/// var stream = val.documentStream(images: .resized(width: 224, height: 288))
/// while let document = try stream.next() {
///     for page in document.pages { print(page.pageId, page.words.count, page.image!.width) }
/// }
/// ```
public struct MPDocVQADataset: Sendable {
    public let layout: DatasetLayout
    public let split: String
    /// The split's questions, in file order.
    public let questions: [Question]

    /// Loads the question file of `split`; throws its first problem (`mpvqa data validate`
    /// lists them all). The test split must come without answers, the others with.
    ///
    /// With `layout.carvedDevQuestions` > 0 and no dev question file, `dev` is carved from
    /// train and `train` is what remains (`DevSplitCarving`).
    public init(layout: DatasetLayout, split: String) throws(DataError) {
        if layout.carvesDev && (split == "dev" || split == "train") {
            let file = QuestionFile.load(layout: layout, split: "train")
            if let problem = DataError.first(of: file.problems) { throw problem }
            let carved = DevSplitCarving.carve(file.questions, devQuestions: layout.carvedDevQuestions)
            self.init(layout: layout, split: split, questions: split == "dev" ? carved.dev : carved.train)
            return
        }
        let file = QuestionFile.load(layout: layout, split: split)
        if let problem = DataError.first(of: file.problems) { throw problem }
        self.init(layout: layout, split: split, questions: file.questions)
    }

    /// The answered questions of `split` from its gold file (`test_gold.json` beside an
    /// answerless `test.json`, as `mpvqa synth` writes it), or nil when there is none.
    public static func gold(layout: DatasetLayout, split: String) throws(DataError) -> MPDocVQADataset? {
        guard let gold = layout.existingGoldFile(split) else { return nil }
        let file: QuestionFile
        do {
            file = QuestionFile.parse(try Data(contentsOf: layout.url(gold)), file: gold, expectsAnswers: true)
        } catch {
            throw DataError(file: gold, "cannot read the gold file: \(FileSystemError.reason(of: error) ?? error.localizedDescription)")
        }
        if let problem = DataError.first(of: file.problems) { throw problem }
        return MPDocVQADataset(layout: layout, split: split, questions: file.questions)
    }

    /// A split whose questions are already loaded (e.g. a subset of another split).
    public init(layout: DatasetLayout, split: String, questions: [Question]) {
        self.layout = layout
        self.split = split
        self.questions = questions
    }

    /// Distinct `doc_id`s, in order of first appearance.
    public var documentIds: [String] { Self.distinct(questions.map(\.docId)) }

    /// Distinct page ids over all questions, in order of first appearance.
    public var pageIds: [String] { Self.distinct(questions.flatMap(\.pageIds)) }

    /// The image file of a page relative to the root (`images/<id>.jpg`, else `.png`, else
    /// `.jpeg`), or nil when none exists.
    public func imageFile(pageId: String) -> String? { layout.existingImageFile(pageId: pageId) }

    /// Reads a page's OCR words (`ocr/<id>.json`, either form), in reading order as stored.
    public func ocrWords(pageId: String) throws(DataError) -> [OCRWord] { try layout.loadOCRWords(pageId: pageId) }

    /// Decodes a page's image as `mode` asks (nil for `.none`); errors name the file relative to the root.
    public func image(pageId: String, mode: PageImageMode = .original) throws -> Image? {
        try layout.loadImage(pageId: pageId, mode: mode)
    }

    /// Loads one page: OCR words and, unless `images` is `.none`, its image.
    public func page(_ pageId: String, images: PageImageMode = .original) throws -> DatasetPage {
        DatasetPage(pageId: pageId, words: try ocrWords(pageId: pageId), image: try image(pageId: pageId, mode: images))
    }

    /// Streams the documents of `questions` (default: the whole split) one at a time, each with
    /// its pages loaded by up to `threads` threads. Questions on the same document and the
    /// same page list share one `DocumentPages`, in order of first appearance.
    public func documentStream(questions: [Question]? = nil, images: PageImageMode = .original,
                               threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> DocumentPageStream {
        DocumentPageStream(dataset: self, questions: questions ?? self.questions, images: images, threads: threads)
    }

    static func distinct(_ items: [String]) -> [String] {
        var seen = Set<String>()
        return items.filter { seen.insert($0).inserted }
    }
}
