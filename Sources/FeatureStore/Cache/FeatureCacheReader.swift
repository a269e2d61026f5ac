import Foundation
import TensorCore

/// Reads summaries from a cache file (`FeatureCacheSchema`), by row range or by question,
/// as Float32 tensors (float16 files are widened on read).
///
/// Opening validates the schema (errors name the file and the dataset or attribute),
/// loads the per-row question ids, page indices and page ids of the committed rows, checks
/// them against their row digests (version 3 files; `FeatureCacheVerification` checks the
/// summaries and slot tokens), and indexes question id → row range. Only the committed rows (`rows` attribute) are
/// visible, whether or not the file is complete.
///
/// ```swift
/// let cache = try FeatureCacheReader(url: cacheURL)
/// try cache.requireShape(summaryTokens: 8, modelDim: 256)
/// let s = try cache.summaries(questionId: 49153)     // [pages, 8, 256]
/// let pages = cache.pageIndices[cache.rowRange(questionId: 49153)!]
/// ```
public final class FeatureCacheReader: @unchecked Sendable {
    public let url: URL
    public let header: FeatureCacheHeader
    /// Committed rows R.
    public let rows: Int
    /// True when the writer finished (`complete = 1`).
    public let isComplete: Bool
    /// `questionIds[i]`: question of row i, for i < `rows`.
    public let questionIds: [Int64]
    /// `pageIndices[i]`: 0-based page index (within its question's document) of row i.
    public let pageIndices: [Int32]
    /// `pageIds[i]`: page id of row i.
    public let pageIds: [String]
    /// Distinct question ids in row order.
    public let questions: [Int64]
    private let ranges: [Int64: Range<Int>]
    private var layout: FeatureCacheLayout?
    private var halfScratch: [UInt16] = []
    private let lock = NSLock()

    /// Opens and validates `url`, reading the per-row metadata of the committed rows.
    public init(url: URL) throws {
        self.url = url
        let layout = try FeatureCacheLayout.open(path: url.path, writable: false)
        let rows = layout.rows
        self.header = layout.header
        self.rows = rows
        self.isComplete = layout.isComplete
        self.questionIds = try layout.readQuestionIds(0..<rows)
        self.pageIndices = try layout.readPageIndices(0..<rows)
        self.pageIds = try layout.readPageIds(0..<rows)
        if layout.rowDigests != nil {
            try Self.checkDigests(layout, of: [FeatureCacheSchema.Dataset.questionIds, FeatureCacheSchema.Dataset.pageIndices,
                                               FeatureCacheSchema.Dataset.pageIds], rows: 0..<rows, questionIds: questionIds)
        }
        var ranges: [Int64: Range<Int>] = [:]
        var questions: [Int64] = []
        var start = 0
        for row in 0...rows where row == rows || questionIds[row] != questionIds[start] {
            guard row > start else { continue }
            let id = questionIds[start]
            if let earlier = ranges[id] {
                throw FeatureCacheError(.wrongValue, file: url.path, field: FeatureCacheError.dataset(FeatureCacheSchema.Dataset.questionIds),
                                        "question \(id) has rows \(earlier) and again from row \(start); the rows of a question must be contiguous")
            }
            ranges[id] = start..<row
            questions.append(id)
            start = row
        }
        self.ranges = ranges
        self.questions = questions
        self.layout = layout
    }

    deinit { try? layout?.file.close() }

    /// Releases the file (later reads throw).
    public func close() {
        lock.lock(); defer { lock.unlock() }
        try? layout?.file.close()
        layout = nil
    }

    /// Rows of question `questionId`, or nil if the cache has none.
    public func rowRange(questionId: Int64) -> Range<Int>? { ranges[questionId] }

    /// Throws `.mismatch` naming attribute K or d unless the file holds `[·, summaryTokens, modelDim]` summaries.
    public func requireShape(summaryTokens: Int, modelDim: Int) throws {
        if header.summaryTokens != summaryTokens {
            throw FeatureCacheError(.mismatch, file: url.path, field: FeatureCacheError.attribute(FeatureCacheSchema.Attribute.summaryTokens),
                                    "is \(header.summaryTokens) but the model expects K = \(summaryTokens) summary tokens")
        }
        if header.modelDim != modelDim {
            throw FeatureCacheError(.mismatch, file: url.path, field: FeatureCacheError.attribute(FeatureCacheSchema.Attribute.modelDim),
                                    "is \(header.modelDim) but the model expects d = \(modelDim)")
        }
    }

    /// Summaries of rows `range`: `[range.count, K, d]` Float32.
    public func summaries(rows range: Range<Int>) throws -> Tensor {
        let tensor = Tensor.zeros([range.count, header.summaryTokens, header.modelDim])
        try tensor.withUnsafeMutableBufferPointer(as: Float.self) { try readSummaries(rows: range, into: $0) }
        return tensor
    }

    /// Summaries of all rows of question `questionId`: `[pages, K, d]` Float32, in row order
    /// (`pageIndices[rowRange(questionId:)]` gives each row's page).
    public func summaries(questionId: Int64) throws -> Tensor {
        guard let range = ranges[questionId] else {
            throw FeatureCacheError(.notFound, file: url.path, field: FeatureCacheError.dataset(FeatureCacheSchema.Dataset.questionIds),
                                    "has no rows for question \(questionId) (\(questions.count) questions in \(rows) committed rows)")
        }
        return try summaries(rows: range)
    }

    /// Layout version of the file (`FeatureCacheSchema.version` for files this build writes).
    public var version: Int { layout?.version ?? 0 }

    /// True when the file stores `row_digests` (version 3): its bytes can be checked.
    public var hasRowDigests: Bool { layout?.rowDigests != nil }

    /// Rows `range` of `row_digests`: `range.count · 5 · 16` bytes, row-major (see
    /// `FeatureCacheSchema`); empty when the file has none.
    public func rowDigests(rows range: Range<Int>) throws -> [UInt8] {
        lock.lock(); defer { lock.unlock() }
        guard let layout, layout.rowDigests != nil else { return [] }
        guard range.lowerBound >= 0, range.upperBound <= rows else {
            throw FeatureCacheError(.notFound, file: url.path, field: FeatureCacheError.dataset(FeatureCacheSchema.Dataset.rowDigests),
                                    "rows \(range) requested but only 0..<\(rows) are committed")
        }
        var bytes = [UInt8](repeating: 0, count: range.count * FeatureCacheRowDigest.rowBytes)
        try bytes.withUnsafeMutableBytes { try layout.readStoredRows(FeatureCacheSchema.Dataset.rowDigests, range, into: $0) }
        return bytes
    }

    /// The stored bytes of rows `range` of `dataset` into `buffer`, unconverted (version 3 files).
    func readStoredRows(_ dataset: String, _ range: Range<Int>, into buffer: UnsafeMutableRawBufferPointer) throws {
        lock.lock(); defer { lock.unlock() }
        guard let layout else { throw FeatureCacheError(.invalidArgument, file: url.path, "read after close()") }
        try layout.readStoredRows(dataset, range, into: buffer)
    }

    /// Throws `.damaged` naming the first row of `range` (in `datasets`' order) whose stored
    /// bytes do not match its digest, reading blocks of `FeatureCacheVerification.blockRows` rows.
    private static func checkDigests(_ layout: FeatureCacheLayout, of datasets: [String], rows range: Range<Int>, questionIds: [Int64]) throws {
        var digests = [UInt8](), data = [UInt8]()
        var start = range.lowerBound
        while start < range.upperBound {
            let block = start..<min(start + FeatureCacheVerification.blockRows, range.upperBound)
            digests = [UInt8](repeating: 0, count: block.count * FeatureCacheRowDigest.rowBytes)
            try digests.withUnsafeMutableBytes { try layout.readStoredRows(FeatureCacheSchema.Dataset.rowDigests, block, into: $0) }
            for name in datasets {
                let rowBytes = layout.storedRowBytes(name)
                if data.count < block.count * rowBytes { data = [UInt8](repeating: 0, count: block.count * rowBytes) }
                try data.withUnsafeMutableBytes { try layout.readStoredRows(name, block, into: $0) }
                try data.withUnsafeBytes { data in
                    try digests.withUnsafeBytes { digests in
                        try FeatureCacheVerification.requireDigests(file: layout.file.path, dataset: name, firstRow: block.lowerBound, count: block.count,
                                                                     rowBytes: rowBytes, data: data, digests: digests, questionIds: questionIds)
                    }
                }
            }
            start = block.upperBound
        }
    }

    /// True when the file stores `slot_tokens` (version 2 files written by MPVQA); false
    /// means every slot reads as −1 (no copy source).
    public var hasSlotTokens: Bool { layout?.slotTokens != nil }

    /// Reads the slot token ids of rows `range` into `buffer` (`range.count · K` Int32,
    /// row-major; −1 = the slot has no source token, and everywhere when the file has none).
    public func readSlotTokens(rows range: Range<Int>, into buffer: UnsafeMutableBufferPointer<Int32>) throws {
        lock.lock(); defer { lock.unlock() }
        let path = url.path
        let field = FeatureCacheError.dataset(FeatureCacheSchema.Dataset.slotTokens)
        guard let layout else { throw FeatureCacheError(.invalidArgument, file: path, "read after close()") }
        guard range.lowerBound >= 0, range.upperBound <= rows else {
            throw FeatureCacheError(.notFound, file: path, field: field, "rows \(range) requested but only 0..<\(rows) are committed")
        }
        guard buffer.count == range.count * header.summaryTokens else {
            throw FeatureCacheError(.invalidArgument, file: path, field: field,
                                    "buffer holds \(buffer.count) ids; rows \(range) need \(range.count * header.summaryTokens)")
        }
        try layout.readSlotTokens(range, into: buffer)
    }

    /// Slot token ids of rows `range`: `[range.count · K]` Int32 (see `readSlotTokens`).
    public func slotTokens(rows range: Range<Int>) throws -> [Int32] {
        var ids = [Int32](repeating: -1, count: range.count * header.summaryTokens)
        try ids.withUnsafeMutableBufferPointer { try readSlotTokens(rows: range, into: $0) }
        return ids
    }

    /// Reads rows `range` into `buffer` (`range.count · K · d` Floats, row-major), so a
    /// training loop can reuse one buffer across steps.
    public func readSummaries(rows range: Range<Int>, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        lock.lock(); defer { lock.unlock() }
        let path = url.path
        let field = FeatureCacheError.dataset(FeatureCacheSchema.Dataset.summaries)
        guard let layout else { throw FeatureCacheError(.invalidArgument, file: path, "read after close()") }
        guard range.lowerBound >= 0, range.upperBound <= rows else {
            throw FeatureCacheError(.notFound, file: path, field: field, "rows \(range) requested but only 0..<\(rows) are committed")
        }
        let count = range.count * header.rowElements
        guard buffer.count == count else {
            throw FeatureCacheError(.invalidArgument, file: path, field: field,
                                    "buffer holds \(buffer.count) floats; rows \(range) need \(count) (\(range.count) × \(header.summaryTokens) × \(header.modelDim))")
        }
        guard count > 0 else { return }
        try FeatureCacheLayout.guarding(path, field) {
            if case .float(_, true) = layout.summariesType {
                // Raw binary16 bits, widened here (faster than HDF5's soft conversion).
                if halfScratch.count < count { halfScratch = [UInt16](repeating: 0, count: count) }
                try halfScratch.withUnsafeMutableBufferPointer { bits in
                    try layout.summaries.readRows(start: range.lowerBound, count: range.count, memType: HDF5Types.half, into: bits.baseAddress!)
                    HalfPrecision.decode(bits.baseAddress!, into: buffer.baseAddress!, count: count)
                }
            } else {
                try layout.summaries.readRows(start: range.lowerBound, count: range.count, memType: HDF5Types.float, into: buffer.baseAddress!)
            }
        }
    }
}
