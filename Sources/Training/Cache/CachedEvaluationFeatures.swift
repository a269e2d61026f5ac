import DocData
import FeatureStore
import Foundation
import Models

/// The caches `mpvqa eval` answers a cached run's split from: the split's caches made by
/// the run's (frozen) encoder — the same key as at training time, so they are reused, and
/// built when missing — or, with external features, the `train.features` file of the split.
public enum CachedEvaluationFeatures {
    public static func open(model: HiVT5, settings: RunSettings, tokenizer: BPETokenizer, layout: DatasetLayout,
                            set: QuestionSet) throws -> CachedFeatures {
        if CachedTraining.encoderRun(settings) != nil {
            return try SplitCaches.open(model: model, settings: settings, tokenizer: tokenizer, layout: layout, set: set,
                                        log: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
        }
        guard set.split == "train" || set.split == "val" else {
            throw ConfigError(key: "--split", "is '\(set.split)', but this run reads external features, which give only train.features.train and .val")
        }
        let expected = CachedFeatures.Expectation(summaryTokens: model.configuration.summaryTokens, modelDim: model.configuration.modelDim,
                                                  tokenizerHash: EncoderCacheKey.tokenizerHash(tokenizer))
        return try CachedFeatures(answer: URL(fileURLWithPath: set.split == "train" ? settings.train.features.train : settings.train.features.val), probe: nil,
                                  items: set.items, expected: expected)
    }
}
