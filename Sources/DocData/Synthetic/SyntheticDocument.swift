/// A question about a synthetic document, answerable from exactly one page.
public struct SyntheticQuestion: Sendable, Equatable {
    public var question: String
    /// Gold answers; `answers[0]` is the form printed on the page.
    public var answers: [String]
    /// 0-based index of the page that holds the answer.
    public var answerPageIndex: Int
    /// The asked key (`FieldKey.name`) and the label printed for it on the answer page.
    public var fieldName: String
    public var label: String
}

/// A synthetic multi-page business document in memory: pages (words with boxes, no pixels)
/// and the questions asked about it.
///
/// ```swift
/// let generator = try SyntheticDocumentGenerator(config: SyntheticConfig())
/// let doc = generator.document(seed: 42, docId: "tr00000", questionCount: 3)
/// let records = doc.questionRecords(firstQuestionId: 1, split: "train")
/// ```
public struct SyntheticDocument: Sendable, Equatable {
    public var docId: String
    public var companyName: String
    public var documentType: String
    public var pages: [SyntheticPage]
    public var questions: [SyntheticQuestion]

    /// The questions as MP-DocVQA records, ids `firstQuestionId`, `firstQuestionId + 1`, ….
    /// Without answers (`includeAnswers: false`) they look like the release's test split.
    public func questionRecords(firstQuestionId: Int, split: String, includeAnswers: Bool = true) -> [Question] {
        let pageIds = pages.map(\.pageId)
        return questions.enumerated().map { i, q in
            Question(questionId: firstQuestionId + i, question: q.question, docId: docId, pageIds: pageIds,
                     answers: includeAnswers ? q.answers : nil,
                     answerPageIndex: includeAnswers ? q.answerPageIndex : nil, dataSplit: split)
        }
    }
}
