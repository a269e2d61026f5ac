/// How a run trains, resolved once from `train.mode`, `train.encoder_run` and `train.features.*`
/// when its settings are read (README "Cached training"). `mpvqa train` and `mpvqa run` apply
/// one policy to it: a key the mode cannot honour is refused in both, naming the key.
public enum TrainingMode: Equatable, Sendable {
    /// Encoder, decoder and heads together on (question, page) pairs.
    case endToEnd
    /// Decoder, page memory and page head on the summaries that the frozen encoder of a finished
    /// end-to-end run writes to feature caches (`train.encoder_run`).
    case cachedOnEncoderRun(String)
    /// Decoder, page memory and page head on external feature files (`train.features.*`);
    /// every group starts fresh or untrained.
    case cachedOnFeatures(RunSettings.Features)
    /// Cached, on the encoder run an experiment plan trains for it: a manifest's cell that asks
    /// for `train.mode: cached` without naming its encoder. The plan resolves it to
    /// `cachedOnEncoderRun` when it runs the cell; `mpvqa train` never sees it.
    case cachedOnPlannedEncoder

    /// True for every cached mode (nothing of the encoder trains; no page is encoded).
    public var isCached: Bool { self != .endToEnd }

    /// The `train.mode` value of this mode.
    public var name: String { isCached ? RunSettings.TrainMode.cached.rawValue : RunSettings.TrainMode.endToEnd.rawValue }

    /// Resolves the mode of `train`; `encoderFromPlan` admits a cached mode without an encoder
    /// (an experiment plan supplies it).
    static func resolve(_ train: RunSettings.Train, encoderFromPlan: Bool) -> TrainingMode {
        guard train.mode == .cached else { return .endToEnd }
        if !train.encoderRun.isEmpty { return .cachedOnEncoderRun(train.encoderRun) }
        if !train.features.isEmpty { return .cachedOnFeatures(train.features) }
        return encoderFromPlan ? .cachedOnPlannedEncoder : .cachedOnEncoderRun("")
    }
}
