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

    /// The RRC submission entry (`page_scores` = the head's scores).
    public var submissionEntry: SubmissionEntry {
        SubmissionEntry(questionId: questionId, answer: answer, answerPage: page, pageScores: pageScores)
    }
}

/// Answers every question of a set with the model (no gradients), batch by batch. The
/// answer page is never used to choose pages: every page of every document is encoded.
public struct Evaluator {
    public let model: HiVT5
    public let tokenizer: BPETokenizer
    public let builder: BatchBuilder
    public let probeBuilder: BatchBuilder?
    public let options: GenerationOptions
    public let batchSize: Int

    public init(model: HiVT5, tokenizer: BPETokenizer, builder: BatchBuilder, probeBuilder: BatchBuilder?,
                options: GenerationOptions, batchSize: Int) {
        self.model = model
        self.tokenizer = tokenizer
        self.builder = builder
        self.probeBuilder = probeBuilder
        self.options = options
        self.batchSize = batchSize
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
            let batch = ModelBatchConversion.convert(builder.build(batchItems), probe: probeBuilder?.build(batchItems), spanLabels: false)
            let result = withNoGrad { model.generate(batch, options: options) }
            for (j, index) in chunk.enumerated() {
                let n = items[index].pages.count
                byIndex[index] = Prediction(questionId: items[index].questionId,
                                            answer: tokenizer.decode(result.tokens[j]).trimmingCharacters(in: .whitespaces),
                                            page: result.predictedPage[j], pageScores: Array(result.pageScores[j].prefix(n)),
                                            attentionPage: result.predictedPageByAttention[j],
                                            attentionScores: Array(result.decoderAttentionPageScores[j].prefix(n)))
            }
            progress?.advance(chunk.count)
        }
        progress?.finish()
        predictions = byIndex.map { $0! }
        return predictions
    }
}
