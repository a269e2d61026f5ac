import DocData
import Foundation
import Models
import RunSupport
import TensorCore

/// The model's answer and page for one question.
public struct Prediction: Sendable, Equatable {
    public var questionId: Int
    public var answer: String
    /// Page chosen by the page head.
    public var page: Int
    /// Page-head scores of the real pages.
    public var pageScores: [Double]
    /// Page chosen by the zero-parameter decoder-attention scorer, and its scores.
    public var attentionPage: Int
    public var attentionScores: [Double]
    /// The span head's best span (its OCR words joined by spaces) and its page, when the
    /// evaluator extracts spans ("" and page 0 for a document without OCR words).
    public var extractedAnswer: String? = nil
    public var extractedPage: Int? = nil

    /// The RRC submission entry of the generated answer (`page_scores` = the head's scores).
    public var submissionEntry: SubmissionEntry {
        SubmissionEntry(questionId: questionId, answer: answer, answerPage: page, pageScores: pageScores)
    }

    /// The RRC submission entry of `source`'s answer and page.
    public func submissionEntry(_ source: AnswerSource) -> SubmissionEntry {
        switch source {
        case .generate: return submissionEntry
        case .extract:
            guard let extractedAnswer, let extractedPage else {
                preconditionFailure("Prediction: question \(questionId) has no extracted answer (the evaluator did not extract spans)")
            }
            return SubmissionEntry(questionId: questionId, answer: extractedAnswer, answerPage: extractedPage)
        }
    }
}

/// Where an answer comes from (`eval.answer`).
public enum AnswerSource: String, Sendable, CaseIterable {
    /// The answer decoder's generation over the FiD memory; the page head's page.
    case generate
    /// The span head's best span over all pages' OCR tokens; the page it lies on.
    case extract
}

/// Answers every question of a set with the model (no gradients), batch by batch. The
/// answer page is never used to choose pages: every page of every document is encoded.
public struct Evaluator {
    public let model: HiVT5
    public let tokenizer: any TextTokenizer
    public let builder: BatchBuilder
    public let probeBuilder: BatchBuilder?
    public let options: GenerationOptions
    public let batchSize: Int
    /// Also extract the span head's answers (`Prediction.extractedAnswer`).
    public let extractSpans: Bool

    public init(model: HiVT5, tokenizer: any TextTokenizer, builder: BatchBuilder, probeBuilder: BatchBuilder?,
                options: GenerationOptions, batchSize: Int, extractSpans: Bool = false) {
        self.model = model
        self.tokenizer = tokenizer
        self.builder = builder
        self.probeBuilder = probeBuilder
        self.options = options
        self.batchSize = batchSize
        self.extractSpans = extractSpans
    }

    /// Predictions for `items` in order; `progress` labels a progress bar (nil: silent).
    public func predict(_ items: [BatchItem], progress label: String? = nil) -> [Prediction] {
        let progress = label.map { Progress($0, total: items.count, unit: "questions") }
        var predictions: [Prediction] = []
        predictions.reserveCapacity(items.count)
        // Sorting by page count keeps padding (and wasted encoder rows) low in each batch.
        let order = items.indices.sorted { (items[$0].pages.count, $0) < (items[$1].pages.count, $1) }
        var byIndex = [Prediction?](repeating: nil, count: items.count)
        for start in stride(from: 0, to: order.count, by: batchSize) {
            let chunk = Array(order[start..<min(order.count, start + batchSize)])
            let batchItems = chunk.map { items[$0] }
            let tokens = builder.build(batchItems)
            let batch = ModelBatchConversion.convert(tokens, probe: probeBuilder?.build(batchItems), spanLabels: false)
            let encoded = withNoGrad { model.encode(batch) }
            let result = model.generate(encoded, options: options)
            let spans = extractSpans ? model.extractSpans(batch, encoded: encoded, maxTokens: options.maxLength) : nil
            for (j, index) in chunk.enumerated() {
                let n = items[index].pages.count
                var prediction = Prediction(questionId: items[index].questionId,
                                            answer: tokenizer.decode(result.tokens[j], skipSpecialTokens: true).trimmingCharacters(in: .whitespaces),
                                            page: result.predictedPage[j], pageScores: Array(result.pageScores[j].prefix(n)),
                                            attentionPage: result.predictedPageByAttention[j],
                                            attentionScores: Array(result.decoderAttentionPageScores[j].prefix(n)))
                if let spans {
                    let span = spans[j]
                    prediction.extractedPage = span?.page ?? 0
                    prediction.extractedAnswer = span.map { Self.words(of: $0, question: j, batch: tokens, item: batchItems[j]) } ?? ""
                }
                byIndex[index] = prediction
            }
            progress?.advance(chunk.count)
        }
        progress?.finish()
        predictions = byIndex.map { $0! }
        return predictions
    }

    /// The OCR words under a span's token positions, joined by single spaces.
    static func words(of span: ExtractedSpan, question b: Int, batch: DocData.QuestionBatch, item: BatchItem) -> String {
        var indices: [Int] = []
        for l in span.start...span.end {
            let w = Int(batch.wordIndex[batch.offset(b, span.page, l)])
            if w >= 0 && indices.last != w { indices.append(w) }
        }
        return indices.map { item.pages[span.page].words[$0].text }.joined(separator: " ")
    }
}
