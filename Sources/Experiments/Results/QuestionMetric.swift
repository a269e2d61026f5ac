import Training

/// A per-question metric the report compares cells on: one head's page correctness or one
/// answer kind's ANLS, never the submitted kind (which differs between cells), so a paired
/// difference compares like with like (README "Experiments").
public struct QuestionMetric: Sendable {
    /// Column name in tables and charts.
    public var name: String
    /// Key in `results.csv` / `results.json`.
    public var key: String
    /// The question's value; nil when the run does not produce it (no span head in cached runs).
    public var value: @Sendable (QuestionEvaluation.Scores) -> Double?

    public init(name: String, key: String, value: @escaping @Sendable (QuestionEvaluation.Scores) -> Double?) {
        self.name = name
        self.key = key
        self.value = value
    }

    public static let generatedANLS = QuestionMetric(name: "generated ANLS", key: "generated_anls") { $0.generatedANLS }
    public static let generatedAccuracy = QuestionMetric(name: "generated accuracy", key: "generated_accuracy") { $0.generatedAccuracy }
    public static let extractedANLS = QuestionMetric(name: "extracted ANLS", key: "extracted_anls") { $0.extractedANLS }
    public static let extractedAccuracy = QuestionMetric(name: "extracted accuracy", key: "extracted_accuracy") { $0.extractedAccuracy }
    public static let pageHead = QuestionMetric(name: "page acc (page head)", key: "page_head_page_accuracy") { $0.pageHeadCorrect }
    public static let pageHeadTop3 = QuestionMetric(name: "top-3 (page head)", key: "page_head_top3_page_accuracy") { $0.pageHeadTop3Correct }
    public static let spanHead = QuestionMetric(name: "page acc (span head)", key: "span_head_page_accuracy") { $0.spanPageCorrect }
    public static let decoderAttention = QuestionMetric(name: "page acc (decoder attention)", key: "decoder_attention_page_accuracy") {
        $0.attentionPageCorrect
    }

    /// The results table's columns, in order.
    public static let columns: [QuestionMetric] = [generatedANLS, generatedAccuracy, extractedANLS, extractedAccuracy,
                                                   pageHead, pageHeadTop3, spanHead, decoderAttention]
    /// The metrics the paired comparison and its chart cover.
    public static let compared: [QuestionMetric] = [generatedANLS, extractedANLS, pageHead, spanHead, decoderAttention]
}
