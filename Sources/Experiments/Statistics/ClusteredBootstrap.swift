import Foundation
import TensorCore

/// A percentile-bootstrap confidence interval for a mean over observations that come in
/// clusters (questions of the same document): each resample draws whole clusters with
/// replacement, as many as there are, so the questions of a document move together and
/// their correlation widens the interval as it should (README "Experiments").
///
/// The percentiles are those of the *expanded* percentile interval (Hesterberg, "What
/// teachers should know about the bootstrap", 2015, §5): the plain percentile interval of a
/// mean behaves like mean ± z·s/√k with the divisor k instead of k − 1 and z instead of t,
/// and so covers less than nominal with few clusters; the expanded one reads the
/// α′/2 and 1 − α′/2 percentiles with Φ⁻¹(1 − α′/2) = √(k/(k−1))·t₁₋α/₂,ₖ₋₁ (k clusters).
///
/// ```swift
/// let ci = ClusteredBootstrap(resamples: 2000, seed: 1).interval(values: [0.1, -0.2, 0.3], clusters: ["a", "a", "b"])
/// ci.lower ... ci.upper   // 95% percentile interval of the question-weighted mean
/// ```
public struct ClusteredBootstrap: Sendable {
    /// The estimate and its interval.
    public struct Interval: Codable, Equatable, Sendable {
        /// Mean over observations (each question weighs the same).
        public var estimate: Double
        public var lower: Double
        public var upper: Double
        /// Standard deviation of the resampled means: the clustered standard error.
        public var standardError: Double
        public var confidence: Double
        public var observations: Int
        public var clusters: Int
        public var resamples: Int

        enum CodingKeys: String, CodingKey {
            case estimate, lower, upper, confidence, observations, clusters, resamples
            case standardError = "standard_error"
        }

        /// Whether the interval contains `value`.
        public func contains(_ value: Double) -> Bool { lower <= value && value <= upper }
    }

    public var resamples: Int
    public var confidence: Double
    public var seed: UInt64

    public init(resamples: Int = 2000, confidence: Double = 0.95, seed: UInt64 = 0) {
        precondition(resamples >= 10, "ClusteredBootstrap: at least 10 resamples, got \(resamples)")
        precondition(confidence > 0 && confidence < 1, "ClusteredBootstrap: confidence must be in (0, 1), got \(confidence)")
        self.resamples = resamples
        self.confidence = confidence
        self.seed = seed
    }

    /// The interval of the mean of `values`, `clusters[i]` naming the cluster of `values[i]`.
    /// Fewer than two clusters give no interval (nil): there is nothing to resample.
    public func interval<Cluster: Hashable>(values: [Double], clusters: [Cluster]) -> Interval? {
        precondition(values.count == clusters.count, "ClusteredBootstrap: \(values.count) values but \(clusters.count) cluster labels")
        // Per-cluster sums and counts, in first-appearance order so the result does not depend on hashing.
        var index: [Cluster: Int] = [:]
        var sums: [Double] = [], counts: [Double] = []
        for (value, cluster) in zip(values, clusters) {
            if let i = index[cluster] {
                sums[i] += value; counts[i] += 1
            } else {
                index[cluster] = sums.count
                sums.append(value); counts.append(1)
            }
        }
        let k = sums.count
        guard k >= 2 else { return nil }
        let estimate = sums.reduce(0, +) / counts.reduce(0, +)
        var rng = SeededRNG(seed: seed)
        var means = [Double](repeating: 0, count: resamples)
        for r in 0..<resamples {
            var s = 0.0, n = 0.0
            for _ in 0..<k {
                let c = rng.nextInt(below: k)
                s += sums[c]; n += counts[c]
            }
            means[r] = s / n
        }
        means.sort()
        let alpha = Self.expandedAlpha(confidence: confidence, clusters: k)
        let average = means.reduce(0, +) / Double(resamples)
        let variance = means.reduce(0) { $0 + ($1 - average) * ($1 - average) } / Double(resamples - 1)
        return Interval(estimate: estimate, lower: Self.quantile(sorted: means, alpha / 2), upper: Self.quantile(sorted: means, 1 - alpha / 2),
                        standardError: variance.squareRoot(), confidence: confidence, observations: values.count, clusters: k,
                        resamples: resamples)
    }

    /// α′ of the expanded percentile interval for `clusters` clusters: 2·Φ(−√(k/(k−1))·t₁₋α/₂,ₖ₋₁).
    public static func expandedAlpha(confidence: Double, clusters k: Int) -> Double {
        let kk = Double(k)
        let t = StudentT(degreesOfFreedom: kk - 1).quantile(1 - (1 - confidence) / 2)
        return 2 * StandardNormal.cdf(-(kk / (kk - 1)).squareRoot() * t)
    }

    /// The `p` quantile of sorted values, linearly interpolated between order statistics
    /// (numpy's default, "type 7").
    public static func quantile(sorted: [Double], _ p: Double) -> Double {
        let h = Double(sorted.count - 1) * p
        let i = Int(h.rounded(.down)), j = min(i + 1, sorted.count - 1)
        return sorted[i] + (h - Double(i)) * (sorted[j] - sorted[i])
    }
}
