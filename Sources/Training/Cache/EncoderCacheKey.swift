import DocData
import FeatureStore
import Foundation
import Models

/// The cache key of a frozen MPVQA encoder's summaries of one split: SHA-256 over exactly
/// what determines the rows (README "Feature cache (HDF5)"):
/// - the encoder weights — `pageEncoder.*`, the shared `tokenEmbedding.*` (the encoder's
///   input embedding) and `spanHead.*` (the source tokens of the slots come from it);
/// - every encoder-side switch: `model.*` sizes the encoder runs with, every `encoder.*` key;
/// - the tokenizer (SHA-256 of its tokenizer.json) and the rendered prompt template;
/// - K, d, storage dtype, and the split fingerprint (dataset directory name + SHA-256 of the
///   split's question file).
///
/// ```swift
/// let key = try EncoderCacheKey.make(model: model, settings: settings, tokenizer: tokenizer, layout: layout,
///                                    split: "val", promptTemplate: settings.encoder.prompt, dtype: .float32)
/// let url = cacheDirectory.appendingPathComponent(key.fileName)
/// ```
public enum EncoderCacheKey {
    /// Parameter-name prefixes whose values decide S(q, p).
    public static let encoderPrefixes = ["tokenEmbedding.", "pageEncoder.", "spanHead."]

    /// Config keys besides `encoder.*` that change what the encoder computes (`decoder.copy`
    /// gives every summarizer's slots source tokens, stored in the cache).
    static let modelKeys = ["model.d_model", "model.heads", "model.encoder_layers", "model.ffn", "model.activation",
                            "model.relative_buckets", "model.relative_max_distance", "model.head_dim", "model.norm_eps",
                            "model.vocab_size", "decoder.copy"]

    /// SHA-256 (hex) of the encoder-side weights of `model`.
    public static func encoderHash(_ model: HiVT5) -> String {
        FeatureCacheKey.encoderHash(parameters: model.namedParameters.filter { p in encoderPrefixes.contains { p.name.hasPrefix($0) } })
    }

    /// SHA-256 (hex) of the tokenizer's tokenizer.json text: slot token ids mean something
    /// only under this tokenizer.
    public static func tokenizerHash(_ tokenizer: any TextTokenizer) -> String {
        var hasher = SHA256()
        hasher.update(tokenizer.jsonText())
        return hasher.finalize().hex
    }

    /// `<dataset directory> questions-sha256=<hash of the split's question file>`.
    public static func splitFingerprint(layout: DatasetLayout, split: String) throws -> String {
        let file = layout.url(layout.questionFile(split))
        let digest: SHA256Digest
        do { digest = try SHA256.hash(fileAt: file) } catch {
            throw ConfigError(source: file.path, key: "split", "cannot read the question file of split '\(split)': \(error)")
        }
        return "\(layout.root.standardizedFileURL.lastPathComponent) questions-sha256=\(digest.hex)"
    }

    /// The key of `model`'s summaries of `split` rendered with `promptTemplate`.
    public static func make(model: HiVT5, settings: RunSettings, tokenizer: any TextTokenizer, layout: DatasetLayout, split: String,
                            promptTemplate: String, dtype: FeatureDType) throws -> FeatureCacheKey {
        let run = settings
        var settings: [String: String] = ["tokenizer": tokenizerHash(tokenizer)]
        for key in ConfigSchema.keys.map(\.name) where key.hasPrefix("encoder.") && key != "encoder.prompt" || modelKeys.contains(key) {
            settings[key] = run.config.rawValue(key)?.description ?? ""  // every schema key has a resolved value
        }
        return FeatureCacheKey(encoderHash: encoderHash(model),
                               promptTemplate: promptTemplate,
                               summaryTokens: model.configuration.summaryTokens, modelDim: model.configuration.modelDim,
                               dtype: dtype, split: split, datasetIdentity: try splitFingerprint(layout: layout, split: split),
                               encoderSettings: settings)
    }
}
