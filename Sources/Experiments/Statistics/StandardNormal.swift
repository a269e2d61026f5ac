import Foundation

/// The standard normal distribution: CDF from `erfc`, quantiles by bisection on it. Used only
/// where the normal is the right distribution, not as a stand-in for Student's t: the
/// minimum detectable effect's z₁₋α/₂ + z_power (README "Experiments").
public enum StandardNormal {
    /// P(Z ≤ z) = ½·erfc(−z/√2).
    public static func cdf(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }

    /// The z with P(Z ≤ z) = p, for 0 < p < 1, to about 1e-12.
    public static func quantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "StandardNormal.quantile: p must be in (0, 1), got \(p)")
        var lo = -40.0, hi = 40.0
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if cdf(mid) < p { lo = mid } else { hi = mid }
            if hi - lo <= 1e-13 { break }
        }
        return (lo + hi) / 2
    }
}
