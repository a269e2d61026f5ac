import DocData
import Foundation
import Models
import RunSupport
import TensorCore

extension Evaluator {
    /// Predictions for `items` in order, answered from cached summaries (no encoder pass):
    /// every page of every document, as in `predict(_:progress:)`. No span answers (the span
    /// head needs encoder token states).
    public func predict(_ items: [BatchItem], features: CachedFeatures, progress label: String? = nil) throws -> [Prediction] {
        let progress = label.map { Progress($0, total: items.count, unit: "questions") }
        let order = items.indices.sorted { (items[$0].pages.count, $0) < (items[$1].pages.count, $1) }
        var byIndex = [Prediction?](repeating: nil, count: items.count)
        for start in stride(from: 0, to: order.count, by: batchSize) {
            let chunk = Array(order[start..<min(order.count, start + batchSize)])
            let encoded = try features.encoded(chunk.map { items[$0] })
            let result = model.generate(encoded, options: options)
            for (j, index) in chunk.enumerated() {
                let n = items[index].pages.count
                byIndex[index] = Prediction(questionId: items[index].questionId,
                                            answer: tokenizer.decode(result.tokens[j], skipSpecialTokens: true).trimmingCharacters(in: .whitespaces),
                                            page: result.predictedPage[j], pageScores: Array(result.pageScores[j].prefix(n)),
                                            attentionPage: result.predictedPageByAttention[j],
                                            attentionScores: Array(result.decoderAttentionPageScores[j].prefix(n)))
            }
            progress?.advance(chunk.count)
        }
        progress?.finish()
        return byIndex.map { $0! }
    }
}
