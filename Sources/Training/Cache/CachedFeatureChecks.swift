import DocData
import FeatureStore

/// The contents of the caches a cached training opens, checked before it trains on them
/// (README "Feature cache (HDF5)"): every row read once (row digests, chunk checksums, finite
/// summaries), slot tokens within the run's tokenizer, and — where the split's page ids are
/// known — each question's rows carrying its pages. A refusal names the file, row and
/// questionId. Returns one note per file without row digests (older files still train).
enum CachedFeatureChecks {
    static func check(_ features: CachedFeatures, set: QuestionSet?, tokenizer: any TextTokenizer) throws -> [String] {
        var pages: [Int64: [String]]? = nil
        if let set, set.pageIds.count == set.items.count {
            var byQuestion: [Int64: [String]] = [:]
            for (item, ids) in zip(set.items, set.pageIds) { byQuestion[Int64(item.questionId)] = ids }
            pages = byQuestion
        }
        return try ([features.answer] + (features.probe.map { [$0] } ?? [])).compactMap { reader in
            try FeatureCacheVerification.verify(reader, vocabularySize: tokenizer.vocabularySize, pageIds: pages).note
        }
    }
}
