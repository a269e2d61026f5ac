/// How a `FeatureCacheWriter` lays out a new file and commits batches.
///
/// Layout options (`reserveRows`, `rowsPerChunk`, `deflateLevel`, `pageIdBytes`) apply
/// when the file is created; a resumed file keeps its own layout.
public struct FeatureCacheWriterOptions: Sendable, Equatable {
    /// Rows to allocate up front: pass the number of (question, page) pairs of the split.
    /// Batches written into reserved rows change only raw data in place plus the `rows`
    /// attribute, which is what makes every commit survive a SIGKILL. Beyond the reserve
    /// the datasets grow (capacity doubles); see `FeatureCacheWriter` for what that risks.
    public var reserveRows: Int
    /// Rows per HDF5 chunk of `summaries`; nil picks about 64 KiB per chunk (1…256 rows).
    public var rowsPerChunk: Int?
    /// Deflate (gzip) level 1…9, nil for none. Off by default: summaries compress poorly,
    /// and compressed chunks are placed at write time, so reserved rows lose their
    /// in-place (crash-safe) property.
    public var deflateLevel: Int?
    /// Width of the fixed-length UTF-8 `page_ids` field (longer page ids are rejected).
    public var pageIdBytes: Int
    /// fsync after the data of a batch and again after its `rows` update, so a commit also
    /// survives a power failure, not only a killed process. Costs one disk flush per batch.
    public var syncToDisk: Bool

    public init(reserveRows: Int = 0, rowsPerChunk: Int? = nil, deflateLevel: Int? = nil, pageIdBytes: Int = 64,
                syncToDisk: Bool = true) {
        self.reserveRows = reserveRows
        self.rowsPerChunk = rowsPerChunk
        self.deflateLevel = deflateLevel
        self.pageIdBytes = pageIdBytes
        self.syncToDisk = syncToDisk
    }

    /// Rows per chunk for rows of `rowBytes` bytes.
    func chunkRows(rowBytes: Int) -> Int {
        rowsPerChunk ?? min(256, max(1, (64 << 10) / max(rowBytes, 1)))
    }
}
