/// Where one trainable group of a cached run (decoder, page memory, page head) starts
/// (`train.init.*`, README "Cached training").
public enum GroupInitialisation: String, Equatable, Sendable, CaseIterable, Codable {
    /// Drawn from the run's own seed (`train.seed`).
    case fresh
    /// The encoder run's trained weights for this group (refused when the group's settings
    /// differ from the encoder run's).
    case continued = "continue"
    /// Drawn fresh and never updated: a control that shows what the set-up gives without
    /// learning (e.g. a page head that cannot learn).
    case untrained

    /// The config spellings, for the schema.
    public static let names = allCases.map(\.rawValue)
}

/// A trainable group of a cached run and the settings that decide its parameters' meaning:
/// continuing a group from the encoder run is allowed only when all of them agree.
public enum TrainableGroup: String, CaseIterable, Sendable, Codable {
    case decoder, pageMemory, pageHead

    /// The `train.init.*` key of the group.
    public var key: String {
        switch self {
        case .decoder: return "train.init.decoder"
        case .pageMemory: return "train.init.page_memory"
        case .pageHead: return "train.init.page_head"
        }
    }

    /// The model parameters' prefix (`model.<prefix>.*` in a checkpoint).
    public var parameterPrefix: String { rawValue }

    /// Settings the group's weights depend on. Encoder keys (K, d, …) are also here: they are
    /// refused on mismatch anyway, but the group's rule should not rest on that.
    public var settingKeys: [String] {
        switch self {
        case .decoder:
            return ["model.d_model", "model.heads", "model.decoder_layers", "model.ffn", "model.activation",
                    "model.relative_buckets", "model.relative_max_distance", "model.head_dim", "model.norm_eps", "model.untied_output",
                    "encoder.summary_tokens", "encoder.summarizer", "decoder.copy"]
        case .pageMemory:
            return ["model.d_model", "encoder.summary_tokens", "encoder.summarizer", "decoder.copy"]
        case .pageHead:
            return ["model.d_model", "page_head.pooling", "page_head.hidden", "page_head.probe"]
        }
    }

    public func initialisation(_ settings: RunSettings.Initialisation) -> GroupInitialisation {
        switch self {
        case .decoder: return settings.decoder
        case .pageMemory: return settings.pageMemory
        case .pageHead: return settings.pageHead
        }
    }
}
