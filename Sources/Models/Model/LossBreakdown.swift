import TensorCore

/// The training loss and each of its terms (unweighted, for logging).
public struct LossBreakdown: Sendable {
    /// The weighted sum, a scalar to call `backward()` on.
    public let total: Tensor
    /// Mean cross-entropy of the answer tokens.
    public let answer: Double
    /// Cross-entropy of the answer page over each question's pages (0 when off).
    public let page: Double
    /// Per-token binary cross-entropy of the answer span (0 when off).
    public let span: Double
    /// Per-page binary cross-entropy of "contains the answer" (0 when off).
    public let contains: Double

    public init(total: Tensor, answer: Double, page: Double, span: Double, contains: Double) {
        self.total = total
        self.answer = answer
        self.page = page
        self.span = span
        self.contains = contains
    }

    /// Every term by name (`total`, `answer`, `page`, `span`, `contains`).
    public var values: [String: Double] {
        ["total": total.item, "answer": answer, "page": page, "span": span, "contains": contains]
    }
}
