import Foundation

extension RunSettings {
    /// The settings `train.mode: cached` cannot honour, each at its key with the reason
    /// (README "Cached training"): it trains on full documents from a fixed split's caches,
    /// and has no encoder token states (so no span answers). `mpvqa train` and every cell of
    /// `mpvqa run` are held to the same rules: nothing is adapted silently.
    func cachedModeProblems() -> [ConfigError] {
        guard train.mode == .cached else { return [] }
        var problems: [ConfigError] = []
        func fail(_ key: String, _ expected: String) {
            let value = config.rawValue(key).map { Config.shown($0.description, quoted: false) } ?? "?"
            problems.append(ConfigError(source: config.location(of: key) ?? config.sourceName, key: key, "\(value): expected \(expected)"))
        }
        let hasRun = !train.encoderRun.isEmpty, features = train.features
        if mode == .cachedOnPlannedEncoder {
            // The experiment plan names the encoder run when it runs the cell; what the cell
            // asks of cached mode is checked now, the encoder's agreement then.
        } else if hasRun && !features.isEmpty {
            fail("train.features.train", "empty when train.encoder_run is set (cached mode reads the encoder run's caches or external files, not both)")
        } else if !hasRun && features.isEmpty {
            fail("train.encoder_run", "a run directory whose frozen encoder makes the caches when train.mode is cached (or set train.features.train and .dev)")
        } else if !hasRun && (features.train.isEmpty || features.dev.isEmpty) {
            fail(features.train.isEmpty ? "train.features.train" : "train.features.dev", "a cache file: external features need both train and dev (dev: validation and the choice of best)")
        }
        if hasRun && !FileManager.default.fileExists(atPath: URL(fileURLWithPath: train.encoderRun).appendingPathComponent("tokenizer.json").path) {
            fail("train.encoder_run", "an mpvqa run directory (with tokenizer.json and checkpoints/), trained end to end")
        } else if hasRun {
            do {
                if let encoder = try EncoderRunAgreement.encoderSettings(runDirectory: train.encoderRun) {
                    problems += EncoderRunAgreement.problems(self, encoder: encoder, encoderRunName: train.encoderRun)
                } else {
                    fail("train.encoder_run", "an mpvqa run directory with its config.yaml")
                }
            } catch {
                fail("train.encoder_run", "a run whose config.yaml reads back (\(error))")
            }
        }
        // With external features there is no run to continue from: every group starts fresh
        // (or untrained), and run.json records it so.
        for (key, file) in [("train.features.train", features.train), ("train.features.dev", features.dev),
                            ("train.features.val", features.val), ("train.features.test", features.test)]
        where !file.isEmpty && !FileManager.default.fileExists(atPath: file) {
            fail(key, "an existing feature-cache file")
        }
        if !hasRun && !features.isEmpty && pageHead.probe {
            fail("page_head.probe", "false with external features (they give no probe-prompt cache)")
        }
        if train.pageWindow != 0 { fail("train.page_window", "0 in cached mode (it trains on full documents)") }
        if train.singlePageWarmupSteps != 0 { fail("train.single_page_warmup_steps", "0 in cached mode (it trains on full documents)") }
        if dataset.synthetic.online && !dataset.usesReleasedDataset {
            fail("dataset.synthetic.online", "false in cached mode (a cache holds a fixed split, not freshly generated documents)")
        }
        if eval.answer == .extract {
            fail("eval.answer", "generate in cached mode (the span head reads encoder token states, which are not cached)")
        }
        return problems
    }
}
