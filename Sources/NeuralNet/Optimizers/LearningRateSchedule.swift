import Foundation

/// Learning rate per optimiser step: a linear warm-up to `peak`, then a cosine or
/// linear decay to `minimum` at `totalSteps`, constant after that.
///
/// For step `s` (0-based: the step about to be taken), `W = warmupSteps`, `T = totalSteps`:
/// ```
/// s < W:  peak · (s + 1) / W
/// else:   progress q = (s − W) / (T − W), clamped to [0, 1]
///         cosine:   minimum + (peak − minimum) · ½(1 + cos(π q))
///         linear:   peak − (peak − minimum) · q
///         constant: peak
/// ```
/// The warm-up never yields 0, so the first step already trains.
///
/// ```swift
/// let schedule = try LearningRateSchedule(peak: 3e-4, warmupSteps: 100, totalSteps: 2000, decay: .cosine)
/// optimizer.learningRate = schedule(step)
/// ```
public struct LearningRateSchedule: Sendable, Equatable, Codable {
    /// Shape of the curve after warm-up.
    public enum Decay: String, Sendable, Codable, CaseIterable {
        case cosine, linear, constant
    }

    public var peak: Double
    public var warmupSteps: Int
    public var totalSteps: Int
    public var decay: Decay
    /// The rate reached at `totalSteps` (cosine and linear decay).
    public var minimum: Double

    /// Throws `InvalidSchedule` for negative step counts or a non-finite or negative rate.
    public init(peak: Double, warmupSteps: Int, totalSteps: Int, decay: Decay = .cosine, minimum: Double = 0) throws {
        guard warmupSteps >= 0, totalSteps >= 0 else {
            throw InvalidSchedule(message: "step counts must be ≥ 0, got warm-up \(warmupSteps), total \(totalSteps)")
        }
        guard peak.isFinite, peak >= 0, minimum.isFinite, minimum >= 0 else {
            throw InvalidSchedule(message: "rates must be finite and ≥ 0, got peak \(peak), minimum \(minimum)")
        }
        self.peak = peak
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.decay = decay
        self.minimum = minimum
    }

    /// The learning rate for 0-based step `step`.
    public func callAsFunction(_ step: Int) -> Double {
        if step < warmupSteps { return peak * Double(step + 1) / Double(warmupSteps) }
        let span = totalSteps - warmupSteps
        let progress = span <= 0 ? 1 : min(1, max(0, Double(step - warmupSteps) / Double(span)))
        switch decay {
        case .cosine: return minimum + (peak - minimum) * 0.5 * (1 + cos(Double.pi * progress))
        case .linear: return peak - (peak - minimum) * progress
        case .constant: return peak
        }
    }
}

/// A learning-rate schedule that cannot be followed (negative steps, a non-finite rate).
public struct InvalidSchedule: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { "learning-rate schedule: \(message)" }
}
