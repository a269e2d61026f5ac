/// A feature cache file that cannot be created, opened, read or extended, naming the file,
/// the dataset or attribute involved, and what was expected.
///
/// ```
/// /runs/cache/val-3f2a….h5: dataset 'summaries': has shape [120, 4, 256] but attribute K is 8
/// ```
public struct FeatureCacheError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The file cannot be opened, created, flushed or renamed (I/O, locking, not HDF5).
        case io
        /// A required dataset is absent.
        case missingDataset
        /// A required root attribute is absent.
        case missingAttribute
        /// A dataset has the wrong number of axes.
        case wrongRank
        /// Extents disagree with each other or with the attributes (e.g. K mismatch).
        case wrongShape
        /// A dataset or attribute has the wrong element type.
        case wrongType
        /// An attribute has a value outside what the schema allows (format, version, dtype…).
        case wrongValue
        /// The file was made with other settings than the caller's (K, d, encoder, prompt…).
        case mismatch
        /// A writer was asked to extend a file already marked complete.
        case alreadyComplete
        /// A question id or row range that the file does not contain.
        case notFound
        /// Arguments that do not fit the file (shapes, counts, over-long page ids).
        case invalidArgument
        /// Stored bytes that do not match their row digest: the file was damaged after writing.
        case damaged
        /// The disk (or the file size limit) filled during a write; what was committed stays.
        case diskFull
    }

    public let kind: Kind
    /// Path of the cache file.
    public let file: String
    /// The dataset or attribute concerned, as `dataset 'summaries'` or `attribute 'K'`; nil for the whole file.
    public let field: String?
    /// What went wrong and what was expected.
    public let message: String

    public init(_ kind: Kind, file: String, field: String? = nil, _ message: String) {
        self.kind = kind
        self.file = file
        self.field = field
        self.message = message
    }

    public var description: String {
        field.map { "\(file): \($0): \(message)" } ?? "\(file): \(message)"
    }

    public static func dataset(_ name: String) -> String { "dataset '\(name)'" }
    public static func attribute(_ name: String) -> String { "attribute '\(name)'" }
}
