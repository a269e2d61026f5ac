import DocData
import FeatureStore
import Foundation
import Models
import RunSupport
import TensorCore

/// Fills a feature cache with a frozen encoder's summaries S(q, p) of every (question, page)
/// of a split, in split order, the rows of one question contiguous (README "Feature cache (HDF5)").
///
/// Each committed batch holds whole questions, so a writer killed at any point resumes at
/// the first question whose rows are not committed, recomputing nothing before it. The
/// file lives at `directory/key.fileName`: every run that needs the same summaries finds
/// it there. A complete file is left alone ("already complete, nothing to do").
///
/// Test hook: with `MPVQA_CACHE_STOP_AFTER_QUESTIONS=N` in the environment the process
/// ends abruptly (`_exit`, file not closed) once N questions are committed in this process,
/// which makes crash points reproducible in tests.
///
/// ```swift
/// let builder = FeatureCacheBuilder(model: model, batchBuilder: answerBuilder, key: key,
///                                   tokenizerHash: EncoderCacheKey.tokenizerHash(tokenizer), directory: cacheDir,
///                                   questionsPerBatch: settings.train.cacheBatchQuestions)
/// let outcome = try builder.build(valSet)
/// ```
public struct FeatureCacheBuilder {
    public let model: HiVT5
    /// Renders the questions with the cache's prompt.
    public let batchBuilder: BatchBuilder
    public let key: FeatureCacheKey
    public let tokenizerHash: String
    public let directory: URL
    /// Questions encoded (and committed) per batch (`train.cache_batch_questions`).
    public var questionsPerBatch: Int
    public var syncToDisk: Bool
    public var log: (@Sendable (String) -> Void)?

    public init(model: HiVT5, batchBuilder: BatchBuilder, key: FeatureCacheKey, tokenizerHash: String, directory: URL,
                questionsPerBatch: Int, syncToDisk: Bool = true, log: (@Sendable (String) -> Void)? = nil) {
        self.model = model
        self.batchBuilder = batchBuilder
        self.key = key
        self.tokenizerHash = tokenizerHash
        self.directory = directory
        self.questionsPerBatch = max(1, questionsPerBatch)
        self.syncToDisk = syncToDisk
        self.log = log
    }

    /// `directory/<split>-<16 hex of the key>.h5`.
    public var url: URL { directory.appendingPathComponent(key.fileName) }

    /// The root attributes the file gets.
    public var header: FeatureCacheHeader {
        FeatureCacheHeader(summaryTokens: key.summaryTokens, modelDim: key.modelDim, dtype: key.dtype, encoderHash: key.encoderHash,
                           promptTemplate: key.promptTemplate, split: key.split, cacheKey: key.digest, tokenizerHash: tokenizerHash)
    }

    public enum Outcome: Equatable, Sendable {
        /// The file was complete before the call.
        case alreadyComplete
        /// Rows written by this call, after `resumedRows` already committed ones.
        case built(rows: Int, resumedRows: Int)
    }

    /// Builds or resumes the cache of `set` (the split the key names).
    @discardableResult
    public func build(_ set: QuestionSet) throws -> Outcome {
        let url = self.url
        if FileManager.default.fileExists(atPath: url.path) {
            let reader = try FeatureCacheReader(url: url)
            let complete = reader.isComplete
            reader.close()
            if complete {
                log?("cache \(url.path) is already complete, nothing to do")
                return .alreadyComplete
            }
        }
        let items = set.items
        let totalRows = items.reduce(0) { $0 + $1.pages.count }
        let writer = try FeatureCacheWriter(url: url, header: header,
                                            options: .init(reserveRows: totalRows, syncToDisk: syncToDisk))
        // Committed rows end on a question boundary (each batch holds whole questions).
        var first = 0, rowsBefore = 0
        while first < items.count && rowsBefore + items[first].pages.count <= writer.rows {
            rowsBefore += items[first].pages.count
            first += 1
        }
        guard rowsBefore == writer.rows else {
            throw FeatureCacheError(.wrongValue, file: url.path, field: "attribute 'rows'",
                                    "is \(writer.rows), which is not the end of a question of split '\(key.split)' in order; delete the file to rebuild it")
        }
        if writer.rows > 0 { log?("resuming \(url.path) after \(first) questions (\(writer.rows) rows)") }
        let stopAfter = ProcessInfo.processInfo.environment["MPVQA_CACHE_STOP_AFTER_QUESTIONS"].flatMap { Int($0) }
        let progress = Progress("cache \(key.split)", total: totalRows - rowsBefore, unit: "pages")
        var written = 0, questionsWritten = 0
        // Encoding one batch cannot keep every core busy (its element loops and attention are
        // small), so each worker thread encodes its own batch with one-thread kernels, taking
        // the next batch as soon as it is free; the batches are appended in split order.
        let batches = stride(from: first, to: items.count, by: questionsPerBatch).map { $0..<min(items.count, $0 + questionsPerBatch) }
        try InOrderPipeline.run(count: batches.count, window: 4 * max(1, Parallel.threads),
                                produce: { encodeRows(set, questions: batches[$0]) },
                                consume: { index, rows in
            try writer.append(summaries: rows.summaries, slotTokens: rows.slotTokens,
                              questionIds: rows.questionIds, pageIndices: rows.pageIndices, pageIds: rows.pageIds)
            written += rows.questionIds.count
            questionsWritten += batches[index].count
            progress.advance(rows.questionIds.count)
            if let stopAfter, questionsWritten >= stopAfter, batches[index].upperBound < items.count {
                FileHandle.standardError.write(Data("MPVQA_CACHE_STOP_AFTER_QUESTIONS=\(stopAfter): stopping abruptly after \(questionsWritten) questions\n".utf8))
                _exit(75)
            }
        })
        try writer.finish()
        progress.finish()
        log?("cache \(url.path) complete: \(rowsBefore + written) rows, \(items.count) questions")
        return .built(rows: written, resumedRows: rowsBefore)
    }

    /// The cache rows of some questions: their real pages, in (question, page) order.
    struct PendingRows {
        let summaries: Tensor
        let slotTokens: [Int32]?
        let questionIds: [Int64], pageIndices: [Int32], pageIds: [String]
    }

    /// Encodes the questions `questions` of `set` with the frozen encoder.
    func encodeRows(_ set: QuestionSet, questions: Range<Int>) -> PendingRows {
        let chunk = Array(set.items[questions])
        let tokens = batchBuilder.build(chunk)
        let batch = ModelBatchConversion.convert(tokens, probe: nil, spanLabels: false)
        let encoded = withNoGrad { model.encode(batch, tokenStates: false) }
        let p = encoded.pageCount, k = key.summaryTokens, d = key.modelDim
        var source: [Int32] = []
        var questionIds: [Int64] = [], pageIndices: [Int32] = [], pageIds: [String] = []
        for (b, item) in chunk.enumerated() {
            let q = questions.lowerBound + b
            let ids = q < set.pageIds.count ? set.pageIds[q] : []
            for page in item.pages.indices {
                source.append(Int32(b * p + page))
                questionIds.append(Int64(item.questionId))
                pageIndices.append(Int32(page))
                pageIds.append(page < ids.count ? ids[page] : "\(item.questionId)/\(page)")
            }
        }
        let n = source.count
        return PendingRows(summaries: encoded.summaries.reshaped([encoded.batchSize * p, k * d]).gatherRows(source, shape: [n]).reshaped([n, k, d]),
                           slotTokens: Self.slotTokens(encoded, rows: source, k: k),
                           questionIds: questionIds, pageIndices: pageIndices, pageIds: pageIds)
    }

    /// The `[n · K]` slot token ids of the gathered rows (−1 = the slot has no source token),
    /// or nil when the encoding carries none (the writer then stores −1).
    static func slotTokens(_ encoded: EncodedQuestions, rows: [Int32], k: Int) -> [Int32]? {
        guard let all = encoded.slotTokens else { return nil }
        var ids = [Int32](repeating: -1, count: rows.count * k)
        for (i, r) in rows.enumerated() {
            let from = Int(r) * k
            for slot in 0..<k { ids[i * k + slot] = all[from + slot] }
        }
        return ids
    }
}
