import Foundation

/// What `mpvqa cache inspect` reports about a cache file: its schema (datasets with shape,
/// type, chunking, compression), counts, header and completeness.
///
/// ```swift
/// let info = try FeatureCacheInspection(url: url)
/// print(info.text)            // human-readable table
/// print(try info.json())      // stable snake_case keys
/// ```
public struct FeatureCacheInspection: Sendable, Codable, Equatable {
    /// One dataset as stored.
    public struct DatasetInfo: Sendable, Codable, Equatable {
        public let name: String
        /// Current extent (capacity; only the first `rows` rows are valid).
        public let shape: [Int]
        /// Element type, e.g. `float16`, `int64`, `string(64 bytes)`.
        public let type: String
        public let chunks: [Int]?
        /// Filter names, e.g. `["deflate"]`; empty when uncompressed.
        public let filters: [String]
    }

    public let file: String
    public let format: String
    public let version: Int
    public let complete: Bool
    /// Committed rows.
    public let rows: Int
    /// Distinct question ids among the committed rows.
    public let questions: Int
    public let summaryTokens: Int
    public let modelDim: Int
    public let dtype: String
    public let encoderHash: String
    public let promptTemplate: String
    public let split: String?
    public let cacheKey: String?
    public let tokenizerHash: String?
    /// Bytes of the file on disk.
    public let fileBytes: Int
    public let datasets: [DatasetInfo]

    enum CodingKeys: String, CodingKey {
        case file, format, version, complete, rows, questions, dtype, split, datasets
        case summaryTokens = "K", modelDim = "d", encoderHash = "encoder_hash", promptTemplate = "prompt_template"
        case cacheKey = "cache_key", fileBytes = "file_bytes", tokenizerHash = "tokenizer_hash"
    }

    /// Opens `url` read-only, validates it, and collects the report.
    public init(url: URL) throws {
        let reader = try FeatureCacheReader(url: url)
        defer { reader.close() }
        let layout = try FeatureCacheLayout.open(path: url.path, writable: false)
        defer { try? layout.file.close() }
        var datasets: [DatasetInfo] = []
        for dataset in layout.datasets {
            datasets.append(try FeatureCacheLayout.guarding(url.path, FeatureCacheError.dataset(dataset.name)) {
                DatasetInfo(name: dataset.name, shape: try dataset.extent(), type: try dataset.elementType().name,
                            chunks: try dataset.chunkShape(), filters: try dataset.filterNames())
            })
        }
        let header = reader.header
        file = url.path
        format = FeatureCacheSchema.format
        version = layout.version
        complete = reader.isComplete
        rows = reader.rows
        questions = reader.questions.count
        summaryTokens = header.summaryTokens
        modelDim = header.modelDim
        dtype = header.dtype.rawValue
        encoderHash = header.encoderHash
        promptTemplate = header.promptTemplate
        split = header.split
        cacheKey = header.cacheKey
        tokenizerHash = header.tokenizerHash
        fileBytes = ((try? FileManager.default.attributesOfItem(atPath: url.path)[.size]) as? NSNumber)?.intValue ?? 0
        self.datasets = datasets
    }

    /// JSON with sorted keys (`K`, `d`, `rows`, `questions`, `complete`, `datasets`, …).
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// A human-readable report.
    public var text: String {
        var lines = [
            "file             \(file) (\(Self.bytes(fileBytes)))",
            "format           \(format) v\(version)",
            "complete         \(complete ? "yes" : "no — resumable after \(rows) committed rows")",
            "rows             \(rows) (question, page) pairs",
            "questions        \(questions)",
            "K × d            \(summaryTokens) × \(modelDim)",
            "dtype            \(dtype)",
            "encoder_hash     \(encoderHash)",
            "prompt_template  \(Self.quoted(promptTemplate))",
        ]
        if let split { lines.append("split            \(split)") }
        if let cacheKey { lines.append("cache_key        \(cacheKey)") }
        if let tokenizerHash { lines.append("tokenizer_hash   \(tokenizerHash)") }
        lines.append("datasets")
        let width = datasets.map(\.name.count).max() ?? 0
        for d in datasets {
            let name = d.name.padding(toLength: width, withPad: " ", startingAt: 0)
            let chunks = d.chunks.map { "chunks \($0)" } ?? "contiguous"
            let filters = d.filters.isEmpty ? "uncompressed" : d.filters.joined(separator: "+")
            lines.append("  \(name)  \(d.shape)  \(d.type)  \(chunks)  \(filters)")
        }
        return lines.joined(separator: "\n")
    }

    private static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }

    private static func bytes(_ n: Int) -> String {
        n >= 1 << 20 ? String(format: "%.1f MiB", Double(n) / Double(1 << 20))
            : n >= 1 << 10 ? String(format: "%.1f KiB", Double(n) / 1024) : "\(n) B"
    }
}
