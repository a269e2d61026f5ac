/// One question with the content of the pages the model sees, the input of ``BatchBuilder``.
///
/// The pages are usually all pages of the question's document; training may pass a window of
/// them (``window(start:count:)``), which keeps the answer page index consistent.
public struct BatchItem: Sendable, Equatable {
    public var questionId: Int
    public var question: String
    /// Gold answers (any is correct); empty when unknown (test split).
    public var answers: [String]
    /// Index into `pages` of the page holding the answer, or nil when unknown or outside `pages`.
    public var answerPageIndex: Int?
    public var pages: [PageInput]
    /// Document page index of `pages[0]`: 0 for a whole document, the window's start after
    /// ``window(start:count:)``. The model tags each page's summaries with its document index.
    public var firstPageIndex = 0

    public init(questionId: Int, question: String, answers: [String], answerPageIndex: Int?, pages: [PageInput]) {
        self.questionId = questionId
        self.question = question
        self.answers = answers
        self.answerPageIndex = answerPageIndex
        self.pages = pages
    }

    /// An item for a dataset question; `pages[i]` must be the content of `question.pageIds[i]`.
    public init(_ question: Question, pages: [PageInput]) {
        self.init(questionId: question.questionId, question: question.question, answers: question.answers ?? [],
                  answerPageIndex: question.answerPageIndex, pages: pages)
    }

    /// The same question restricted to pages `start..<start + count` (clamped to the document);
    /// the answer page index is shifted, or nil when the answer page is outside the window.
    public func window(start: Int, count: Int) -> BatchItem {
        let lo = max(0, min(start, pages.count)), hi = max(lo, min(start + count, pages.count))
        var item = self
        item.pages = Array(pages[lo..<hi])
        item.firstPageIndex = firstPageIndex + lo
        item.answerPageIndex = answerPageIndex.flatMap { (lo..<hi).contains($0) ? $0 - lo : nil }
        return item
    }
}

/// What the encoder reads of one page: its OCR words (boxes in 0…1) and, when visual tokens are
/// on, its image patches.
public struct PageInput: Sendable, Equatable {
    public var words: [OCRWord]
    public var patches: PagePatches?

    public init(words: [OCRWord], patches: PagePatches? = nil) {
        self.words = words
        self.patches = patches
    }
}
