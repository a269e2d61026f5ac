import DocData

extension SyntheticDocument {
    /// The document's questions as batch items, its pages as the OCR would read them
    /// (noisy text, boxes as page fractions) — for `dataset.synthetic.online` training
    /// without rendering or writing anything.
    public func batchItems(firstQuestionId: Int) -> [BatchItem] {
        let inputs = pages.map { page in
            PageInput(words: page.words.map { w in
                OCRWord(text: w.ocrText, left: Float(w.box.left) / Float(page.width), top: Float(w.box.top) / Float(page.height),
                        right: Float(w.box.right) / Float(page.width), bottom: Float(w.box.bottom) / Float(page.height))
            })
        }
        return questions.enumerated().map { i, q in
            BatchItem(questionId: firstQuestionId + i, question: q.question, answers: q.answers,
                      answerPageIndex: q.answerPageIndex, pages: inputs)
        }
    }
}
