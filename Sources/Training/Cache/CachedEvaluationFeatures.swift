import DocData
import FeatureStore
import Foundation
import Models

/// The caches `mpvqa eval` answers a cached run's split from: the split's caches made by
/// the run's (frozen) encoder — the same key as at training time, so they are reused, and
/// built when missing — or, with external features, the `train.features.<split>` file.
public enum CachedEvaluationFeatures {
    public static func open(model: HiVT5, settings: RunSettings, tokenizer: any TextTokenizer, layout: DatasetLayout,
                            set: QuestionSet) throws -> CachedFeatures {
        if CachedTraining.encoderRun(settings) != nil {
            return try SplitCaches.open(model: model, settings: settings, tokenizer: tokenizer, layout: layout, set: set,
                                        log: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
        }
        let files = settings.train.features
        let file = ["train": files.train, "dev": files.dev, "val": files.val, "test": files.test][set.split] ?? ""
        guard !file.isEmpty else {
            let given = [("train", files.train), ("dev", files.dev), ("val", files.val), ("test", files.test)].filter { !$0.1.isEmpty }.map(\.0)
            throw ConfigError(key: "--split", "is '\(set.split)', but this run reads external features, which it has for \(given.joined(separator: ", ")) only (set train.features.\(set.split) to score it)")
        }
        let expected = CachedFeatures.Expectation(summaryTokens: model.configuration.summaryTokens, modelDim: model.configuration.modelDim,
                                                  tokenizerHash: EncoderCacheKey.tokenizerHash(tokenizer))
        return try CachedFeatures(answer: URL(fileURLWithPath: file), probe: nil, items: set.items, expected: expected)
    }
}
