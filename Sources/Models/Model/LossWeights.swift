/// The λ of each loss term besides the answer cross-entropy (weight 1):
/// `loss = CE(answer) + page·CE(page) + span·BCE(span) + contains·BCE(contains)`.
/// A term with weight 0 is not computed.
public struct LossWeights: Sendable, Equatable, Codable {
    /// `train.page_loss_weight`.
    public var page: Double
    /// `train.span_loss_weight`.
    public var span: Double
    /// `train.contains_loss_weight`.
    public var contains: Double

    public init(page: Double = 1, span: Double = 0, contains: Double = 0) {
        self.page = page
        self.span = span
        self.contains = contains
    }
}
