import DocData
import FeatureStore
import Foundation
import Models
import TensorCore

/// The summaries of one split read from feature caches (the answer-pass cache, and the
/// probe-prompt cache when the page head reads a probe pass), checked against the split
/// and the model on opening, so a wrong cache is refused before training starts.
///
/// ```swift
/// let features = try CachedFeatures(answer: url, probe: nil, items: valSet.items, expected: expectation)
/// let encoded = try features.encoded(batchItems)     // EncodedQuestions [B·P, K, d], no encoder pass
/// ```
public final class CachedFeatures: @unchecked Sendable {
    /// What a run needs of a cache; nil fields are not checked.
    public struct Expectation: Sendable {
        public var summaryTokens: Int
        public var modelDim: Int
        public var header: FeatureCacheHeader?
        public var tokenizerHash: String?

        public init(summaryTokens: Int, modelDim: Int, header: FeatureCacheHeader? = nil, tokenizerHash: String? = nil) {
            self.summaryTokens = summaryTokens
            self.modelDim = modelDim
            self.header = header
            self.tokenizerHash = tokenizerHash
        }
    }

    public let answer: FeatureCacheReader
    public let probe: FeatureCacheReader?
    /// The files' rows, when they were read into memory on opening (nil: read per batch).
    private let answerRows: ResidentRows?
    private let probeRows: ResidentRows?

    /// The default `residentLimitBytes`: caches up to this size (summaries as Float) are read
    /// whole on opening, so a training step copies its rows instead of making two HDF5 reads
    /// per question (about 0.1 ms a question, work that competes with the step for the cores;
    /// README "Cached training"). Larger caches (MP-DocVQA with a wide encoder) are read batch
    /// by batch.
    public static let defaultResidentLimitBytes = 1 << 30

    /// Every row of one cache file: summaries `[rows · K · d]` and slot tokens `[rows · K]`.
    private struct ResidentRows {
        let summaries: [Float]
        let slotTokens: [Int32]

        init?(_ reader: FeatureCacheReader, limitBytes: Int) throws {
            let count = reader.rows * reader.header.rowElements
            guard count * MemoryLayout<Float>.size <= limitBytes else { return nil }
            var summaries = [Float](repeating: 0, count: count)
            try summaries.withUnsafeMutableBufferPointer { try reader.readSummaries(rows: 0..<reader.rows, into: $0) }
            self.summaries = summaries
            slotTokens = try reader.slotTokens(rows: 0..<reader.rows)
        }
    }

    /// Opens and checks the files: complete, K and d of the model, the expected header
    /// (dtype, encoder hash, prompt, split, cache key) and tokenizer, and rows for every
    /// page of every question of `items`, pages 0…n−1 in order. A file whose summaries take
    /// at most `residentLimitBytes` as Float is read into memory here.
    public init(answer: URL, probe: URL?, items: [BatchItem], expected: Expectation, probeHeader: FeatureCacheHeader? = nil,
                residentLimitBytes: Int = CachedFeatures.defaultResidentLimitBytes) throws {
        self.answer = try Self.open(answer, items: items, expected: expected, header: expected.header)
        self.probe = try probe.map { try Self.open($0, items: items, expected: expected, header: probeHeader) }
        answerRows = try ResidentRows(self.answer, limitBytes: residentLimitBytes)
        probeRows = try self.probe.flatMap { try ResidentRows($0, limitBytes: residentLimitBytes) }
    }

    static func open(_ url: URL, items: [BatchItem], expected: Expectation, header: FeatureCacheHeader?) throws -> FeatureCacheReader {
        let reader = try FeatureCacheReader(url: url)
        typealias A = FeatureCacheSchema
        func refuse(_ attribute: String, _ found: String, _ wanted: String) -> FeatureCacheError {
            FeatureCacheError(.mismatch, file: url.path, field: FeatureCacheError.attribute(attribute),
                              "is \(found) but this run needs \(wanted)")
        }
        guard reader.isComplete else {
            throw FeatureCacheError(.mismatch, file: url.path, field: FeatureCacheError.attribute("complete"),
                                    "is 0: the cache is incomplete (\(reader.rows) rows committed); finish it with `mpvqa cache` first")
        }
        try reader.requireShape(summaryTokens: expected.summaryTokens, modelDim: expected.modelDim)
        if let want = header {
            let have = reader.header
            if have.dtype != want.dtype { throw refuse("dtype", have.dtype.rawValue, want.dtype.rawValue) }
            if have.encoderHash != want.encoderHash { throw refuse("encoder_hash", "'\(have.encoderHash)'", "'\(want.encoderHash)'") }
            if have.promptTemplate != want.promptTemplate { throw refuse("prompt_template", "'\(have.promptTemplate)'", "'\(want.promptTemplate)'") }
            if let w = want.split, have.split != w { throw refuse("split", "'\(have.split ?? "(absent)")'", "'\(w)'") }
            if let w = want.cacheKey, have.cacheKey != w { throw refuse("cache_key", have.cacheKey ?? "(absent)", w) }
        }
        if let want = expected.tokenizerHash, let have = reader.header.tokenizerHash, have != want {
            throw refuse("tokenizer_hash", have, "\(want) (slot token ids are only meaningful with the tokenizer that produced them)")
        }
        for item in items {
            guard let range = reader.rowRange(questionId: Int64(item.questionId)) else {
                throw FeatureCacheError(.notFound, file: url.path, field: FeatureCacheError.dataset("question_ids"),
                                        "has no rows for questionId \(item.questionId), the first question of the split missing from the cache")
            }
            let n = item.pages.count
            guard range.count == n, reader.pageIndices[range].elementsEqual(0..<Int32(n)) else {
                throw FeatureCacheError(.wrongShape, file: url.path, field: FeatureCacheError.dataset("page_indices"),
                                        "question \(item.questionId) has page indices \(Array(reader.pageIndices[range])); its document has pages 0…\(n - 1)")
            }
        }
        return reader
    }

    /// The rows of `item` (checked on opening for the questions given there).
    static func rows(of item: BatchItem, in reader: FeatureCacheReader) throws -> Range<Int> {
        guard let range = reader.rowRange(questionId: Int64(item.questionId)), range.count == item.pages.count else {
            throw FeatureCacheError(.notFound, file: reader.url.path, field: FeatureCacheError.dataset("question_ids"),
                                    "has no rows for the \(item.pages.count) pages of questionId \(item.questionId)")
        }
        return range
    }

    /// The cache files as recorded in `run.json`.
    public var records: [CacheRecord] {
        [CacheRecord(answer, role: "answer")] + (probe.map { [CacheRecord($0, role: "probe")] } ?? [])
    }

    /// Encoded questions of `items` (every page of each): summaries `[B·P, K, d]` with P the
    /// longest document, zero rows on padded pages; slot tokens `[B·P, K]`; page indexes 0…P−1.
    public func encoded(_ items: [BatchItem]) throws -> EncodedQuestions {
        let b = items.count, p = items.map(\.pages.count).max() ?? 0
        let k = answer.header.summaryTokens, d = answer.header.modelDim
        var valid = [Bool](repeating: false, count: b * p)
        for (i, item) in items.enumerated() { for page in item.pages.indices { valid[i * p + page] = true } }
        func read(_ reader: FeatureCacheReader, _ resident: ResidentRows?) throws -> Tensor {
            let tensor = Tensor.zeros([b * p, k, d])
            try tensor.withUnsafeMutableBufferPointer(as: Float.self) { buffer in
                for (i, item) in items.enumerated() {
                    let range = try Self.rows(of: item, in: reader)
                    let start = i * p * k * d, count = range.count * k * d
                    let target = UnsafeMutableBufferPointer(rebasing: buffer[start..<start + count])
                    if let resident {
                        _ = target.update(fromContentsOf: resident.summaries[(range.lowerBound * k * d)..<(range.upperBound * k * d)])
                    } else {
                        try reader.readSummaries(rows: range, into: target)
                    }
                }
            }
            return tensor
        }
        // Slot token ids of the answer pass (the decoder's copy path reads them); −1 on padded pages.
        var slots = [Int32](repeating: -1, count: b * p * k)
        try slots.withUnsafeMutableBufferPointer { buffer in
            for (i, item) in items.enumerated() {
                let range = try Self.rows(of: item, in: answer)
                let start = i * p * k
                let target = UnsafeMutableBufferPointer(rebasing: buffer[start..<start + range.count * k])
                if let answerRows {
                    _ = target.update(fromContentsOf: answerRows.slotTokens[(range.lowerBound * k)..<(range.upperBound * k)])
                } else {
                    try answer.readSlotTokens(rows: range, into: target)
                }
            }
        }
        return EncodedQuestions(batchSize: b, pageCount: p, summaries: try read(answer, answerRows),
                                probeSummaries: try probe.map { try read($0, probeRows) }, pageValid: valid, slotTokens: slots)
    }
}

/// One cache a run read (`run.json` `caches`).
public struct CacheRecord: Codable, Sendable, Equatable {
    public var role: String
    public var split: String?
    public var file: String
    public var key: String?

    public init(_ reader: FeatureCacheReader, role: String) {
        self.role = role
        self.split = reader.header.split
        self.file = reader.url.path
        self.key = reader.header.cacheKey
    }
}
