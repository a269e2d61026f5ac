import Foundation

/// "Nice" axis ticks: steps of 1, 2 or 5 × 10^k covering a data range with about `target`
/// intervals (Heckbert's labelling), and their labels with just enough decimals.
public struct AxisTicks: Equatable, Sendable {
    public let lower: Double
    public let upper: Double
    public let step: Double
    public let values: [Double]

    /// Ticks covering `minimum...maximum` (a zero-width range is widened to one unit).
    public init(minimum: Double, maximum: Double, target: Int = 5) {
        var lo = minimum.isFinite ? minimum : 0, hi = maximum.isFinite ? maximum : 1
        if hi < lo { swap(&lo, &hi) }
        if hi - lo < 1e-12 { hi = lo + (lo == 0 ? 1 : abs(lo) * 0.1) }
        let raw = (hi - lo) / Double(max(1, target))
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let fraction = raw / magnitude
        let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        let step = nice * magnitude, lower = (lo / step).rounded(.down) * step, upper = (hi / step).rounded(.up) * step
        let count = Int(((upper - lower) / step).rounded())
        self.step = step
        self.lower = lower
        self.upper = upper
        values = (0...count).map { lower + Double($0) * step }
    }

    /// The label of a tick: as many decimals as the step needs, no "-0".
    public func label(_ value: Double) -> String {
        let decimals = max(0, Int((-log10(step)).rounded(.up)))
        let text = String(format: "%.\(decimals)f", abs(value) < step * 1e-9 ? 0 : value)
        return text
    }
}
