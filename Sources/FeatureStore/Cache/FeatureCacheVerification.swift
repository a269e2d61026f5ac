import Foundation

/// Verified caches (README "Feature cache (HDF5)"): reads every committed row of a cache file
/// and refuses what training must not trust — a chunk whose Fletcher-32 checksum does not match
/// (HDF5 checks it as each chunk is read), a non-finite summary value, a slot token outside the
/// tokenizer's range, rows whose page ids are not the dataset's pages of their question. Each
/// refusal names the file, the dataset, the row and its questionId. `mpvqa cache verify FILE`
/// runs the whole-file part; cached training runs all of it when it opens its caches.
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
        /// Datasets stored with the Fletcher-32 filter (their chunks were checked on read).
        public var checksummed: [String]
        /// Datasets without it (their bytes cannot be checked).
        public var unchecksummed: [String]

        public var text: String {
            "\(file): ok: \(rows) rows of \(questions) questions read; summaries finite, slot tokens in range; "
                + (unchecksummed.isEmpty ? "Fletcher-32 checksums verified on every dataset (\(checksummed.joined(separator: ", ")))"
                    : "no checksum on \(unchecksummed.joined(separator: ", ")) (written without the Fletcher-32 filter)"
                    + (checksummed.isEmpty ? "" : "; checksums verified on \(checksummed.joined(separator: ", "))"))
        }
    }

    /// Rows read per block (bounded memory for any file size).
    static let blockRows = 4096

    /// Reads every committed row of `reader`: summaries must be finite, slot tokens −1 (no
    /// source) or in `0..<vocabularySize` (any non-negative id when nil), and, when
    /// `pageIds` is given (questionId → the dataset's page ids in order), each question's rows
    /// must carry exactly those page ids.
    @discardableResult
    public static func verify(_ reader: FeatureCacheReader, vocabularySize: Int? = nil,
                              pageIds: [Int64: [String]]? = nil) throws -> Report {
        let path = reader.url.path
        typealias D = FeatureCacheSchema.Dataset
        let k = reader.header.summaryTokens, elements = reader.header.rowElements
        var start = 0
        var values = [Float]()
        while start < reader.rows {
            let count = min(blockRows, reader.rows - start)
            if values.count != count * elements { values = [Float](repeating: 0, count: count * elements) }
            try values.withUnsafeMutableBufferPointer { try reader.readSummaries(rows: start..<(start + count), into: $0) }
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                let row = start + bad / elements, within = bad % elements
                throw FeatureCacheError(.wrongValue, file: path, field: FeatureCacheError.dataset(D.summaries),
                                        "row \(row) (questionId \(reader.questionIds[row])) holds \(values[bad]) at slot \(within / reader.header.modelDim), dimension \(within % reader.header.modelDim); expected finite numbers")
            }
            if reader.hasSlotTokens {
                let tokens = try reader.slotTokens(rows: start..<(start + count))
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
        let unchecked = inspection.datasets.filter { !$0.filters.contains("fletcher32") }.map(\.name)
        return Report(file: path, rows: reader.rows, questions: reader.questions.count, checksummed: checked, unchecksummed: unchecked)
    }
}
