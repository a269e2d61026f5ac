import Foundation
import Training

/// One unit of work of an experiment plan, with what it depends on already done or not.
public struct PlanStep: Sendable {
    public enum Kind: String, Sendable {
        case dataset, tokenizer
        /// Trains the encoder that cached cells freeze (possibly an end-to-end cell of the manifest).
        case encoder
        /// Writes the feature cache of one (encoder, prompt, split).
        case cache
        case train
        case eval
    }

    public enum Status: String, Sendable {
        /// Still to do.
        case build
        /// Complete on disk: skipped.
        case reuse
        /// Started before and killed: continues from its latest checkpoint.
        case resume
    }

    public var kind: Kind
    public var title: String
    public var status: Status
    /// The cell (variant name) and seed of a train/eval/encoder step.
    public var cell: String?
    public var seed: Int?
    /// The run directory of a train/eval/encoder step.
    public var runDirectory: URL?
    /// The settings the step runs with (`settings.config` is the resolved configuration).
    public var settings: RunSettings
    /// Pages encoded by the step (training passes count once per page per step).
    public var encoderPasses: Double
    /// Estimated wall time (0 when reused).
    public var estimatedSeconds: Double
    /// For cached cells: the run whose encoder they read.
    public var encoderRun: URL?
    /// For a cache: the title of the training step that builds it (and carries its estimate).
    public var builtBy: String?
}
