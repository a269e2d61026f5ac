/// One question of an MP-DocVQA question file (README "Data"), as released:
/// `{"questionId": 57, "question": "...", "doc_id": "...", "page_ids": [...],
///   "answers": [...], "answer_page_idx": 2, "data_split": "val"}`.
/// `answers` and `answer_page_idx` are absent on the test split.
public struct Question: Codable, Equatable, Sendable {
    public var questionId: Int
    public var question: String
    public var docId: String
    /// Page ids in page order (1–20); page `i` is `images/<pageIds[i]>.jpg` and `ocr/<pageIds[i]>.json`.
    public var pageIds: [String]
    /// Gold answers (any of them is correct); nil on the test split.
    public var answers: [String]?
    /// 0-based index into `pageIds` of the page holding the answer; nil on the test split.
    public var answerPageIndex: Int?
    public var dataSplit: String?

    public init(questionId: Int, question: String, docId: String, pageIds: [String],
                answers: [String]?, answerPageIndex: Int?, dataSplit: String?) {
        self.questionId = questionId
        self.question = question
        self.docId = docId
        self.pageIds = pageIds
        self.answers = answers
        self.answerPageIndex = answerPageIndex
        self.dataSplit = dataSplit
    }

    enum CodingKeys: String, CodingKey {
        case questionId, question
        case docId = "doc_id"
        case pageIds = "page_ids"
        case answers
        case answerPageIndex = "answer_page_idx"
        case dataSplit = "data_split"
    }
}

/// One OCR word of a page with its box `[left, top, right, bottom]` as fractions (0…1) of
/// the page size, origin top-left.
public struct OCRWord: Equatable, Sendable {
    public var text: String
    public var left: Float, top: Float, right: Float, bottom: Float

    public init(text: String, left: Float, top: Float, right: Float, bottom: Float) {
        self.text = text
        self.left = left; self.top = top; self.right = right; self.bottom = bottom
    }

    /// The box quantised to 0…1000 for layout embeddings.
    public var quantizedBox: (Int, Int, Int, Int) {
        func q(_ v: Float) -> Int { Int((min(max(v, 0), 1) * 1000).rounded()) }
        return (q(left), q(top), q(right), q(bottom))
    }
}

extension Question {
    /// The record as the release's test split has it: no answers, no answer page.
    public var withoutAnswers: Question {
        Question(questionId: questionId, question: question, docId: docId, pageIds: pageIds,
                 answers: nil, answerPageIndex: nil, dataSplit: dataSplit)
    }
}
