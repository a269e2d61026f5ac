/// The per-row digests of a version 3 cache file (README "Feature cache (HDF5)"): row i of
/// dataset j is summarised by the first 16 bytes of SHA-256(i as uint64 little-endian ‖ the
/// row's stored bytes), kept at `row_digests[i, j]`.
///
/// Why per row and in a dataset of its own: the writer commits rows in place into reserved
/// chunks (kill-safe, resumable), which HDF5's Fletcher-32 filter would rule out; a digest row
/// is written with the rows it covers and committed by the same `rows` update, so a resumed
/// write ends with the digests of a one-go write. The row index is hashed in so that a row
/// copied over another does not match. 16 bytes (128 bits) detect damage with certainty for
/// any practical purpose; this is no defence against someone forging a file.
///
/// ```python
/// import hashlib, h5py, numpy as np
/// with h5py.File("val.h5") as f:
///     i = 7
///     row = f["summaries"][i].tobytes()
///     assert hashlib.sha256(np.uint64(i).tobytes() + row).digest()[:16] == f["row_digests"][i, 0].tobytes()
/// ```
enum FeatureCacheRowDigest {
    /// Bytes kept of each SHA-256.
    static let bytes = 16
    /// The digested datasets, in column order.
    static let datasets = FeatureCacheSchema.Dataset.digested
    /// Bytes of one row of `row_digests`.
    static var rowBytes: Int { datasets.count * bytes }

    /// Column of `dataset` in `row_digests`.
    static func column(_ dataset: String) -> Int { datasets.firstIndex(of: dataset)! }

    /// Writes the digests of rows `firstRow ..< firstRow + count` of one dataset — `data` holds
    /// their stored bytes back to back, `rowBytes` each — into column `column` of `digests`
    /// (`count` rows of `row_digests`, row-major).
    static func compute(firstRow: Int, count: Int, rowBytes: Int, data: UnsafeRawBufferPointer,
                        column: Int, into digests: UnsafeMutableRawBufferPointer) {
        precondition(data.count >= count * rowBytes && digests.count >= count * Self.rowBytes)
        for i in 0..<count {
            let target = UnsafeMutableRawBufferPointer(rebasing: digests[(i * Self.rowBytes + column * bytes)...].prefix(bytes))
            digest(row: firstRow + i, UnsafeRawBufferPointer(rebasing: data[(i * rowBytes)...].prefix(rowBytes)), into: target)
        }
    }

    /// The first row (offset from `firstRow`) of `count` whose digest in column `column` of
    /// `digests` differs from its bytes in `data`; nil when all match.
    static func firstMismatch(firstRow: Int, count: Int, rowBytes: Int, data: UnsafeRawBufferPointer,
                              column: Int, digests: UnsafeRawBufferPointer) -> Int? {
        precondition(data.count >= count * rowBytes && digests.count >= count * Self.rowBytes)
        var computed = (UInt64(0), UInt64(0))
        return withUnsafeMutableBytes(of: &computed) { scratch in
            for i in 0..<count {
                digest(row: firstRow + i, UnsafeRawBufferPointer(rebasing: data[(i * rowBytes)...].prefix(rowBytes)), into: scratch)
                let stored = UnsafeRawBufferPointer(rebasing: digests[(i * Self.rowBytes + column * bytes)...].prefix(bytes))
                if !stored.elementsEqual(UnsafeRawBufferPointer(scratch)) { return i }
            }
            return nil
        }
    }

    private static func digest(row: Int, _ bytes: UnsafeRawBufferPointer, into target: UnsafeMutableRawBufferPointer) {
        var hasher = SHA256()
        var index = UInt64(row).littleEndian
        withUnsafeBytes(of: &index) { hasher.update($0) }
        hasher.update(bytes)
        hasher.finalize(truncatedInto: target)
    }
}
