import DocData
import FeatureStore

/// The contents of the caches a cached training opens, checked before it trains on them
/// (README "Feature cache (HDF5)"): every row read once (chunk checksums, finite summaries),
/// slot tokens within the run's tokenizer, and — where the split's page ids are known — each
/// question's rows carrying its pages. A refusal names the file, row and questionId.
enum CachedFeatureChecks {
    static func check(_ features: CachedFeatures, set: QuestionSet?, tokenizer: any TextTokenizer) throws {
        var pages: [Int64: [String]]? = nil
        if let set, set.pageIds.count == set.items.count {
            var byQuestion: [Int64: [String]] = [:]
            for (item, ids) in zip(set.items, set.pageIds) { byQuestion[Int64(item.questionId)] = ids }
            pages = byQuestion
        }
        for reader in [features.answer] + (features.probe.map { [$0] } ?? []) {
            try FeatureCacheVerification.verify(reader, vocabularySize: tokenizer.vocabularySize, pageIds: pages)
        }
    }
}
