import DocData
import FeatureStore
import Foundation
import Models
import RunSupport

/// The feature caches of one split made by a model's (frozen) encoder: the answer-prompt
/// cache and, with `page_head.probe`, the probe-prompt cache. Builds the missing ones in the
/// shared cache directory, resumes unfinished ones, and opens them checked.
///
/// ```swift
/// let features = try SplitCaches.open(model: model, settings: settings, tokenizer: tokenizer, layout: layout,
///                                     set: valSet, directory: URL(fileURLWithPath: "runs/_cache"), log: log)
/// ```
public enum SplitCaches {
    /// One prompt's builder for `set` (the key names `set.split`).
    public static func builder(model: HiVT5, settings: RunSettings, tokenizer: any TextTokenizer, batchBuilder: BatchBuilder, layout: DatasetLayout,
                               split: String, directory: URL, log: (@Sendable (String) -> Void)?) throws -> FeatureCacheBuilder {
        let key = try EncoderCacheKey.make(model: model, settings: settings, tokenizer: tokenizer, layout: layout, split: split,
                                           promptTemplate: batchBuilder.config.prompt, dtype: settings.train.cacheDType)
        return FeatureCacheBuilder(model: model, batchBuilder: batchBuilder, key: key, tokenizerHash: EncoderCacheKey.tokenizerHash(tokenizer),
                                   directory: directory, questionsPerBatch: settings.train.cacheBatchQuestions, log: log)
    }

    /// Builds or reuses the caches of `set` and opens them; `checkItems` (default: all of
    /// `set`) are the questions the caller will read.
    public static func open(model: HiVT5, settings: RunSettings, tokenizer: any TextTokenizer, layout: DatasetLayout, set: QuestionSet,
                            checkItems: [BatchItem]? = nil, log: (@Sendable (String) -> Void)?) throws -> CachedFeatures {
        let directory = URL(fileURLWithPath: settings.train.cacheDir)
        let preparation = RunPreparation(settings: settings, dataDirectory: directory)
        let (answerBuilder, probeBuilder) = try preparation.batchBuilders(tokenizer: tokenizer)
        let answer = try builder(model: model, settings: settings, tokenizer: tokenizer, batchBuilder: answerBuilder, layout: layout,
                                 split: set.split, directory: directory, log: log)
        try answer.build(set)
        var probe: FeatureCacheBuilder? = nil
        if let probeBuilder {
            probe = try builder(model: model, settings: settings, tokenizer: tokenizer, batchBuilder: probeBuilder, layout: layout,
                                split: set.split, directory: directory, log: log)
            try probe!.build(set)
        }
        let expected = CachedFeatures.Expectation(summaryTokens: model.configuration.summaryTokens, modelDim: model.configuration.modelDim,
                                                  header: answer.header, tokenizerHash: answer.tokenizerHash)
        return try CachedFeatures(answer: answer.url, probe: probe?.url, items: checkItems ?? set.items, expected: expected,
                                  probeHeader: probe?.header)
    }
}
