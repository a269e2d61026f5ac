import Foundation

/// A cached run against its encoder run (README "Cached training"): the frozen encoder is the
/// encoder run's, so every setting that changes what that encoder computes must be the encoder
/// run's; and a trainable group may continue from the encoder run's checkpoint only when the
/// settings its weights depend on agree. Both are refused naming the key and both values —
/// never silently run with an encoder nobody trained, or load weights trained for another head.
public enum EncoderRunAgreement {
    /// Keys that change what the frozen encoder computes (the summaries and the slots'
    /// source tokens): K, summarizer, token limits, question match, layout, visual input, the
    /// model shape the encoder runs with, the tokenizer, and the copy path (it gives every
    /// summarizer's slots source tokens). The prompt is compared by its template text.
    public static var encoderKeys: [String] {
        ConfigSchema.keys.map(\.name).filter { key in
            (key.hasPrefix("encoder.") && key != "encoder.prompt") || key.hasPrefix("tokenizer.")
                || EncoderCacheKey.modelKeys.contains(key)
        }
    }

    /// The problems of `settings` (a cached run) against `encoder`, the encoder run's resolved
    /// config (`encoderRunName` names it in messages).
    static func problems(_ settings: RunSettings, encoder: RunSettings, encoderRunName: String) -> [ConfigError] {
        let config = settings.config
        var problems: [ConfigError] = []
        func value(_ c: Config, _ key: String) -> String { c.rawValue(key).map { Config.shown($0.description, quoted: false) } ?? "?" }
        func at(_ key: String) -> String { config.location(of: key) ?? config.sourceName }
        for key in encoderKeys where config.rawValue(key) != encoder.config.rawValue(key) {
            problems.append(ConfigError(source: at(key), key: key,
                "\(value(config, key)): expected \(value(encoder.config, key)), the value of the encoder run \(encoderRunName) "
                + "(a cached run's frozen encoder is the encoder run's; train another encoder to change it)"))
        }
        if settings.encoder.prompt != encoder.encoder.prompt {
            problems.append(ConfigError(source: at("encoder.prompt"), key: "encoder.prompt",
                "template \"\(settings.encoder.prompt)\": expected \"\(encoder.encoder.prompt)\", the encoder run \(encoderRunName)'s answer prompt"))
        }
        for group in TrainableGroup.allCases where group.initialisation(settings.train.initialisation) == .continued {
            for key in group.settingKeys where config.rawValue(key) != encoder.config.rawValue(key) {
                problems.append(ConfigError(source: at(group.key), key: group.key,
                    "continue: \(key) is \(value(config, key)) here but \(value(encoder.config, key)) in the encoder run \(encoderRunName), "
                    + "so its \(group.rawValue) cannot be continued; expected fresh (or the encoder run's \(key))"))
            }
        }
        return problems
    }

    /// The encoder run's settings from its `config.yaml`, or nil when the run has none yet.
    static func encoderSettings(runDirectory: String) throws -> RunSettings? {
        let url = URL(fileURLWithPath: runDirectory).appendingPathComponent("config.yaml")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        return try RunSettings(ConfigDocument.parse(text, source: url.path).base)
    }
}
