import Foundation

/// Whether a run can be resumed with new settings: the checkpoint's weights, tokenizer and
/// data must be the ones the new settings describe. Only the keys that extend or observe a
/// run may change (`resumableKeys`); any other difference refuses the resume, naming every
/// differing key with both values.
///
/// ```swift
/// try ResumeCompatibility.check(settings, against: run.latestCheckpoint)
/// ```
public enum ResumeCompatibility {
    /// Keys a resume may change: how long to train, how often to validate, threads, decoding.
    public static let resumableKeys: Set<String> = [
        "name", "train.steps", "train.time_limit_minutes", "train.eval_every", "train.eval_questions", "train.threads",
        "eval.beams", "eval.max_answer_tokens", "eval.answer", "eval.memory_pages",
    ]

    public static func check(_ settings: RunSettings, against checkpoint: URL) throws {
        let where_ = checkpoint.path
        guard let yaml = try TrainingCheckpoint.config(of: checkpoint) else {
            throw ConfigError(source: where_, key: "--resume", "the checkpoint records no config, so compatibility cannot be checked; start a new run")
        }
        let previous: Config
        do { previous = try ConfigDocument.parse(yaml, source: "the checkpoint's config").base } catch {
            throw ConfigError(source: where_, key: "--resume", "the checkpoint's config is not valid under this version: \(String(describing: error).split(separator: "\n").first ?? "")")
        }
        var differences = settings.config.differences(from: previous, ignoring: resumableKeys)
        for name in Set(previous.prompts.keys).union(settings.config.prompts.keys).sorted()
        where previous.prompts[name] != settings.config.prompts[name] {
            differences.append("prompts.\(name) differs from the run's")
        }
        guard differences.isEmpty else {
            throw ConfigError(source: where_, key: "--resume",
                              "refused, nothing was written: \(differences.joined(separator: "; ")) (only \(resumableKeys.sorted().joined(separator: ", ")) may change on resume)")
        }
    }
}
