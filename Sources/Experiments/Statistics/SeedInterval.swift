import Foundation

/// The mean of per-seed results with a Student-t confidence interval: mean ± t₁₋α/₂,ₙ₋₁ · s/√n
/// over the n seeds' means. It says how much the result moves between training seeds;
/// with one seed there is no interval (README "Experiments").
///
/// ```swift
/// let s = SeedInterval([0.61, 0.64, 0.70])   // 0.650, half-width 4.303 × 0.0458 / √3
/// ```
public struct SeedInterval: Codable, Equatable, Sendable {
    public var mean: Double
    /// Sample standard deviation over seeds (0 for one seed).
    public var standardDeviation: Double
    /// Half-width of the t-interval; nil for one seed.
    public var halfWidth: Double?
    public var seeds: Int
    public var confidence: Double

    enum CodingKeys: String, CodingKey {
        case mean, seeds, confidence
        case standardDeviation = "standard_deviation", halfWidth = "half_width"
    }

    /// The interval of `values` (one per seed, at least one).
    public init(_ values: [Double], confidence: Double = 0.95) {
        precondition(!values.isEmpty, "SeedInterval: no values")
        let n = Double(values.count)
        mean = values.reduce(0, +) / n
        let m = mean
        standardDeviation = values.count > 1 ? (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1)).squareRoot() : 0
        halfWidth = values.count > 1
            ? StudentT(degreesOfFreedom: n - 1).quantile(1 - (1 - confidence) / 2) * standardDeviation / n.squareRoot() : nil
        seeds = values.count
        self.confidence = confidence
    }

    public var lower: Double? { halfWidth.map { mean - $0 } }
    public var upper: Double? { halfWidth.map { mean + $0 } }
}
