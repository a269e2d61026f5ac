import Foundation
import TensorCore

/// The documents and questions of one split of a synthetic dataset, in memory.
public struct SyntheticSplit: Sendable {
    public var name: String
    public var documents: [SyntheticDocument]
    /// MP-DocVQA records of every question, in document order (test: without answers).
    public var questions: [Question]
}

/// Plans a whole synthetic dataset in memory: for every split, documents with seeds derived
/// from the master seed (split by split, document by document), generated in parallel.
/// Question ids run 1, 2, … across train, val and test; doc ids are `tr00000`, `va00000`, `te00000`, ….
public enum SyntheticSplitPlan {
    public static let docIdPrefix = ["train": "tr", "val": "va", "test": "te", "dev": "dv"]

    /// The splits of `config` (train, val, test, dev; empty ones included). Test questions
    /// carry their answers here; the writer leaves them out of `test.json`.
    ///
    /// ```swift
    /// let splits = try SyntheticSplitPlan.make(config: config)
    /// let pages = splits.reduce(0) { $0 + $1.documents.reduce(0) { $0 + $1.pages.count } }
    /// ```
    public static func make(config: SyntheticConfig, threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> [SyntheticSplit] {
        let generator = try SyntheticDocumentGenerator(config: config)
        var nextQuestionId = 1
        var splits: [SyntheticSplit] = []
        for (s, name) in SyntheticConfig.splits.enumerated() {
            // Question counts per document and document seeds come from one sequential
            // stream per split; the documents themselves are independent of each other.
            var rng = SeededRNG(seed: SyntheticDocumentGenerator.mix(config.seed, UInt64(s + 1)))
            var remaining = config.questions(inSplit: name)
            var seeds: [UInt64] = [], counts: [Int] = []
            let range = config.minQuestionsPerDocument...config.maxQuestionsPerDocument
            while remaining > 0 {
                let n = min(remaining, range.lowerBound + rng.nextInt(below: range.count))
                seeds.append(rng.next()); counts.append(n)
                remaining -= n
            }
            let prefix = docIdPrefix[name] ?? name
            let docSeeds = seeds, questionCounts = counts
            let documents = ParallelMap.map(seeds.count, threads: threads) { i in
                generator.document(seed: docSeeds[i], docId: prefix + FieldValueFaker.zeroPadded(i, width: 5), questionCount: questionCounts[i])
            }
            var questions: [Question] = []
            for doc in documents {
                questions += doc.questionRecords(firstQuestionId: nextQuestionId, split: name, includeAnswers: true)
                nextQuestionId += doc.questions.count
            }
            splits.append(SyntheticSplit(name: name, documents: documents, questions: questions))
        }
        return splits
    }
}
