import Foundation
import TensorCore

/// Verified caches (README "Feature cache (HDF5)"): reads every committed row of a cache file
/// and refuses what training must not trust — stored bytes that do not match their row digest
/// (version 3 files, `FeatureCacheRowDigest`; the reader checks the per-row metadata when it
/// opens the file, this the summaries and slot tokens), a chunk whose Fletcher-32 checksum
/// does not match (files of other writers that set that filter; HDF5 checks it as each chunk
/// is read), a non-finite summary value, a slot token outside the tokenizer's range, rows whose
/// page ids are not the dataset's pages of their question. Each refusal names the file, the
/// dataset, the row and its questionId. `mpvqa cache verify FILE` runs the whole-file part;
/// cached training runs all of it when it opens its caches.
///
/// ```swift
/// let report = try FeatureCacheVerification.verify(reader, vocabularySize: tokenizer.vocabularySize)
/// print(report.text)
/// ```
public enum FeatureCacheVerification {
    /// What a verification read.
    public struct Report: Sendable, Equatable {
        public var file: String
        public var rows: Int
        public var questions: Int
        /// Layout version of the file.
        public var version: Int
        /// Datasets whose every row matched its stored digest (empty before version 3).
        public var digested: [String]
        /// Datasets stored with the Fletcher-32 filter (their chunks were checked on read).
        public var checksummed: [String]

        public var text: String {
            let checks = "\(file): ok: \(rows) rows of \(questions) questions read; summaries finite, slot tokens in range; "
            let fletcher = checksummed.isEmpty ? "" : "; Fletcher-32 checksums verified on \(checksummed.joined(separator: ", "))"
            if digested.isEmpty { return checks + Self.noDigests(version) + fletcher }
            return checks + "row digests match on \(digested.joined(separator: ", "))" + fletcher
        }

        /// For a file without row digests, the line that says its bytes went unchecked and how
        /// to get a checked file; nil when the digests were checked.
        public var note: String? { digested.isEmpty ? "\(file): \(Self.noDigests(version))" : nil }

        private static func noDigests(_ version: Int) -> String {
            "no row digests (a version \(version) file, from before caches carried them), so a flipped byte that leaves a finite value goes undetected; "
                + "rebuild it with mpvqa cache (delete it and rerun) to have its bytes checked"
        }
    }

    /// Rows read per block (bounded memory for any file size).
    static let blockRows = 4096

    /// Reads every committed row of `reader`: stored bytes must match their row digests
    /// (when the file has them), summaries must be finite, slot tokens −1 (no source) or in
    /// `0..<vocabularySize` (any non-negative id when nil), and, when `pageIds` is given
    /// (questionId → the dataset's page ids in order), each question's rows must carry exactly
    /// those page ids.
    @discardableResult
    public static func verify(_ reader: FeatureCacheReader, vocabularySize: Int? = nil,
                              pageIds: [Int64: [String]]? = nil) throws -> Report {
        let path = reader.url.path
        typealias D = FeatureCacheSchema.Dataset
        let k = reader.header.summaryTokens, elements = reader.header.rowElements
        let digested = reader.hasRowDigests
        let storedRowBytes = elements * reader.header.dtype.byteSize
        var start = 0
        var values = [Float](), stored = [UInt8]()
        while start < reader.rows {
            let count = min(blockRows, reader.rows - start)
            let block = start..<(start + count)
            if values.count != count * elements { values = [Float](repeating: 0, count: count * elements) }
            var digests = [UInt8]()
            if digested {
                // One read of the stored bytes: digested as they are, then widened for the value checks.
                digests = try reader.rowDigests(rows: block)
                if stored.count != count * storedRowBytes { stored = [UInt8](repeating: 0, count: count * storedRowBytes) }
                try stored.withUnsafeMutableBytes { try reader.readStoredRows(D.summaries, block, into: $0) }
                try stored.withUnsafeBytes { data in
                    try digests.withUnsafeBytes {
                        try requireDigests(file: path, dataset: D.summaries, firstRow: start, count: count, rowBytes: storedRowBytes,
                                           data: data, digests: $0, questionIds: reader.questionIds)
                    }
                    values.withUnsafeMutableBufferPointer { floats in
                        if reader.header.dtype == .float16 {
                            HalfPrecision.decode(data.baseAddress!.assumingMemoryBound(to: UInt16.self), into: floats.baseAddress!, count: floats.count)
                        } else {
                            UnsafeMutableRawBufferPointer(floats).copyMemory(from: data)
                        }
                    }
                }
            } else {
                try values.withUnsafeMutableBufferPointer { try reader.readSummaries(rows: block, into: $0) }
            }
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                let row = start + bad / elements, within = bad % elements
                throw FeatureCacheError(.wrongValue, file: path, field: FeatureCacheError.dataset(D.summaries),
                                        "row \(row) (questionId \(reader.questionIds[row])) holds \(values[bad]) at slot \(within / reader.header.modelDim), dimension \(within % reader.header.modelDim); expected finite numbers")
            }
            if reader.hasSlotTokens {
                let tokens = try reader.slotTokens(rows: block)
                if digested {
                    // int32 as read is the stored little-endian int32 of a version 3 file.
                    try tokens.withUnsafeBytes { data in
                        try digests.withUnsafeBytes {
                            try requireDigests(file: path, dataset: D.slotTokens, firstRow: start, count: count, rowBytes: 4 * k,
                                               data: data, digests: $0, questionIds: reader.questionIds)
                        }
                    }
                }
                let limit = vocabularySize ?? Int(Int32.max)
                if let bad = tokens.firstIndex(where: { $0 < -1 || Int($0) >= limit }) {
                    let row = start + bad / k
                    let range = vocabularySize.map { "0…\($0 - 1)" } ?? "≥ 0"
                    throw FeatureCacheError(.wrongValue, file: path, field: FeatureCacheError.dataset(D.slotTokens),
                                            "row \(row) (questionId \(reader.questionIds[row])) slot \(bad % k) holds token id \(tokens[bad]); expected −1 (no source) or an id of the tokenizer (\(range))")
                }
            }
            start += count
        }
        if let pageIds {
            for question in reader.questions {
                guard let expected = pageIds[question], let range = reader.rowRange(questionId: question) else { continue }
                let stored = Array(reader.pageIds[range])
                if stored != expected {
                    let row = range.lowerBound + (stored.indices.first { $0 >= expected.count || stored[$0] != expected[$0] } ?? stored.count)
                    throw FeatureCacheError(.wrongValue, file: path, field: FeatureCacheError.dataset(D.pageIds),
                                            "row \(row) (questionId \(question)) has page ids \(stored); the dataset's pages of this question are \(expected)")
                }
            }
        }
        let inspection = try FeatureCacheInspection(url: reader.url)
        let checked = inspection.datasets.filter { $0.filters.contains("fletcher32") }.map(\.name)
        return Report(file: path, rows: reader.rows, questions: reader.questions.count, version: reader.version,
                      digested: digested ? FeatureCacheRowDigest.datasets : [], checksummed: checked)
    }

    /// Throws `.damaged` naming the first of `count` rows (from `firstRow`) of `dataset` whose
    /// bytes in `data` (`rowBytes` each) do not match their digests in `digests` (rows of `row_digests`).
    static func requireDigests(file: String, dataset: String, firstRow: Int, count: Int, rowBytes: Int,
                               data: UnsafeRawBufferPointer, digests: UnsafeRawBufferPointer, questionIds: [Int64]) throws {
        guard let bad = FeatureCacheRowDigest.firstMismatch(firstRow: firstRow, count: count, rowBytes: rowBytes, data: data,
                                                            column: FeatureCacheRowDigest.column(dataset), digests: digests) else { return }
        let row = firstRow + bad
        let question = row < questionIds.count ? "\(questionIds[row])" : "unknown"
        throw FeatureCacheError(.damaged, file: file, field: FeatureCacheError.dataset(dataset),
                                "row \(row) (questionId \(question)): stored digest does not match its bytes; the file is damaged — rebuild it with mpvqa cache")
    }
}
