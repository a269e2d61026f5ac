import Foundation
import Training

/// Checks every cell of a manifest before any work: value ranges of the numeric keys, enum
/// consistency, prompts that exist, and paths that exist. Types and key names are checked by
/// the parser already. Errors name the file (and line where known), the key, the value and
/// what was expected.
public enum ManifestValidation {
    /// Inclusive ranges of numeric keys (the rest are free or checked elsewhere).
    static let ranges: [String: ClosedRange<Double>] = [
        "dataset.synthetic.train": 1...1_000_000, "dataset.synthetic.val": 1...1_000_000, "dataset.synthetic.test": 0...1_000_000,
        "dataset.synthetic.min_pages": 1...20, "dataset.synthetic.max_pages": 1...20,
        "dataset.synthetic.distractor_rate": 0...1, "dataset.synthetic.ocr_noise": 0...1,
        "tokenizer.vocab": 300...65536,
        "model.d_model": 8...4096, "model.heads": 1...64, "model.encoder_layers": 1...48, "model.decoder_layers": 1...48,
        "model.ffn": 8...65536, "model.dropout": 0...0.9, "model.relative_buckets": 1...1024, "model.relative_max_distance": 1...100_000,
        "encoder.summary_tokens": 1...64, "encoder.max_ocr_tokens": 1...4096, "encoder.max_question_tokens": 1...512,
        "encoder.image_size": 8...2048, "encoder.patch_size": 1...512,
        "page_head.hidden": 1...16384,
        "train.steps": 1...10_000_000, "train.time_limit_minutes": 0...100_000, "train.batch_questions": 1...4096,
        "train.lr": 1e-8...10, "train.warmup_steps": 0...10_000_000, "train.weight_decay": 0...10, "train.clip_norm": 0...1e6,
        "train.page_loss_weight": 0...1000, "train.span_loss_weight": 0...1000, "train.contains_loss_weight": 0...1000,
        "train.page_window": 0...20, "train.single_page_warmup_steps": 0...10_000_000, "train.eval_every": 1...10_000_000,
        "train.eval_questions": 0...1_000_000, "train.threads": 0...1024,
        "eval.beams": 1...64, "eval.max_answer_tokens": 1...512,
    ]

    public static func check(_ manifest: Manifest) throws {
        let file = manifest.url.lastPathComponent
        guard !manifest.name.isEmpty, !manifest.name.contains("/") else {
            throw ConfigError(source: file, key: "name", "'\(manifest.name)': expected a non-empty name without '/'")
        }
        for variant in manifest.variants {
            let c = variant.config
            let at = variant.location
            let cell = "cell '\(variant.name)'"
            for (key, range) in ranges.sorted(by: { $0.key < $1.key }) {
                let v = c.double(key)
                if !range.contains(v) {
                    throw ConfigError(source: at, key: key, "\(c.value(key)) in \(cell): expected \(format(range.lowerBound))...\(format(range.upperBound))")
                }
            }
            if c.int("dataset.synthetic.min_pages") > c.int("dataset.synthetic.max_pages") {
                throw ConfigError(source: at, key: "dataset.synthetic.min_pages", "\(c.int("dataset.synthetic.min_pages")) in \(cell): expected at most dataset.synthetic.max_pages (\(c.int("dataset.synthetic.max_pages")))")
            }
            if c.int("model.d_model") % c.int("model.heads") != 0 {
                throw ConfigError(source: at, key: "model.heads", "\(c.int("model.heads")) in \(cell): expected a divisor of model.d_model (\(c.int("model.d_model")))")
            }
            for key in ["encoder.prompt", "page_head.probe_prompt"] {
                _ = try c.prompt(c.string(key), referencedBy: "\(at): \(key)")
            }
            let root = c.string("dataset.mpdocvqa.root")
            if !root.isEmpty {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
                    throw ConfigError(source: at, key: "dataset.mpdocvqa.root", "'\(root)' in \(cell): no such directory")
                }
            }
            let checkpoint = c.string("train.encoder_checkpoint")
            if !checkpoint.isEmpty && !FileManager.default.fileExists(atPath: checkpoint) {
                throw ConfigError(source: at, key: "train.encoder_checkpoint", "'\(checkpoint)' in \(cell): no such file")
            }
        }
    }

    static func format(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e12 ? String(Int(v)) : "\(v)" }
}
