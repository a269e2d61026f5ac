/// The on-disk layout of a feature cache file, version 3 (the README copies this text).
/// Version 2 files (no `row_digests`) are still read, their bytes unchecked; version 1 files
/// (also no `slot_tokens`, no `tokenizer_hash`) are read as all slots −1.
///
/// One HDF5 file holds the summary tokens S(q, p) — `K` vectors of width `d` — of the
/// (question, page) pairs of one split, computed by one encoder (weights) with one prompt
/// template. Any program that writes this layout (a Python script with h5py, say) produces
/// a cache MPVQA can train from; `mpvqa cache inspect FILE` checks it.
///
/// Root attributes (scalars; integers of any width; strings variable- or fixed-length,
/// UTF-8 or ASCII; MPVQA writes int64 and variable-length UTF-8):
///
/// | attribute         | type   | value                                                            |
/// |-------------------|--------|------------------------------------------------------------------|
/// | `format`          | string | `"mpvqa-features"`                                               |
/// | `version`         | int    | `3` (`1` and `2` are still read)                                 |
/// | `K`               | int    | summary tokens per page                                          |
/// | `d`               | int    | width of one summary token                                       |
/// | `dtype`           | string | `"float32"` or `"float16"`: element type of `summaries`          |
/// | `encoder_hash`    | string | identifies the encoder weights (hex digest)                      |
/// | `prompt_template` | string | the question template, e.g. `"question: {question}"`             |
/// | `complete`        | int    | `1` once every row is written, `0` while writing                 |
/// | `rows`            | int    | R, the number of valid rows                                      |
/// | `split`           | string | optional: the dataset split                                      |
/// | `cache_key`       | string | optional: SHA-256 (hex) of the cache key, see `FeatureCacheKey`  |
/// | `tokenizer_hash`  | string | optional: SHA-256 (hex) of the tokenizer.json whose ids `slot_tokens` holds |
///
/// Datasets (axis 0 is the row; extent N ≥ R; chunked, extendable along axis 0):
///
/// | dataset        | shape       | type                                        | row i holds                       |
/// |----------------|-------------|---------------------------------------------|-----------------------------------|
/// | `summaries`    | `[N, K, d]` | float32, or float16 (IEEE binary16)         | S(q, p) of pair i                 |
/// | `question_ids` | `[N]`       | integer (written as int64)                  | `questionId` of q                 |
/// | `page_indices` | `[N]`       | integer (written as int32)                  | 0-based page index of p in q      |
/// | `page_ids`     | `[N]`       | string (UTF-8 or ASCII), fixed or variable  | the page id of p                  |
/// | `slot_tokens`  | `[N, K]`    | integer (written as int32); optional        | token id each summary slot reads (−1: none) |
/// | `row_digests`  | `[N, 5, 16]`| uint8; version 3 only                       | digest of row i of each dataset above |
///
/// Rules:
/// - The rows of one question are contiguous (readers index question id → row range).
/// - Only rows `0 ..< rows` are meaningful. Rows beyond are reserved capacity or the remains
///   of a batch a killed writer never committed; a resuming writer overwrites them and
///   `finish` trims the datasets to `rows`.
/// - `slot_tokens` feeds the decoder's copy path: the source token id of each memory slot.
///   A file without it (version 1, or another program's) reads as all −1 (nothing to copy).
///   Token ids mean something only with the tokenizer that made them, so a reader whose
///   tokenizer hash differs from `tokenizer_hash` refuses the file.
/// - A writer raises `rows` only after the rows it counts are flushed to the file, and sets
///   `complete = 1` last.
/// - Version 3: `row_digests[i, j]` is the first 16 bytes of SHA-256(i as uint64 little-endian ‖
///   the stored bytes of row i of dataset j), j in the order `summaries`, `question_ids`,
///   `page_indices`, `page_ids`, `slot_tokens` (`FeatureCacheRowDigest`). The stored bytes are
///   those of a version 3 file's element types: summaries float32 or float16, question ids
///   int64, page indices and slot tokens int32 (all little-endian), page ids fixed-width UTF-8,
///   NUL-padded. A version 3 file has all five datasets.
///
/// A compatible file from Python (rows of a question together, pages in order):
/// ```python
/// import h5py, numpy as np
/// with h5py.File("val-0123456789abcdef.h5", "w") as f:
///     f.attrs.update(format="mpvqa-features", version=2, K=8, d=256, dtype="float16",
///                    encoder_hash="my-vlm-v1", prompt_template="question: {question}",
///                    complete=1, rows=len(qids))
///     f.create_dataset("summaries", data=S.astype(np.float16), maxshape=(None, 8, 256), chunks=(16, 8, 256))
///     f.create_dataset("question_ids", data=np.asarray(qids, np.int64), maxshape=(None,))
///     f.create_dataset("page_indices", data=np.asarray(pidx, np.int32), maxshape=(None,))
///     f.create_dataset("page_ids", data=np.asarray(pids, dtype=h5py.string_dtype()), maxshape=(None,))
/// ```
public enum FeatureCacheSchema {
    /// Value of the `format` attribute.
    public static let format = "mpvqa-features"
    /// The layout version this library writes.
    public static let version = 3
    /// The layout versions this library reads.
    public static let readableVersions: ClosedRange<Int> = 1...3
    /// The first version whose files carry `row_digests`.
    public static let firstDigestVersion = 3

    enum Attribute {
        static let format = "format", version = "version", summaryTokens = "K", modelDim = "d"
        static let dtype = "dtype", encoderHash = "encoder_hash", promptTemplate = "prompt_template"
        static let complete = "complete", rows = "rows", split = "split", cacheKey = "cache_key"
        static let tokenizerHash = "tokenizer_hash"
    }

    enum Dataset {
        static let summaries = "summaries", questionIds = "question_ids"
        static let pageIndices = "page_indices", pageIds = "page_ids", slotTokens = "slot_tokens"
        static let rowDigests = "row_digests"
        static let all = [summaries, questionIds, pageIndices, pageIds]
        /// Optional datasets (absent from version 1 files and from other programs' files).
        static let optional = [slotTokens]
        /// The datasets `row_digests` covers, in its column order.
        static let digested = [summaries, questionIds, pageIndices, pageIds, slotTokens]
    }
}

/// Element type of the stored summaries. Readers always return Float32 tensors.
public enum FeatureDType: String, Sendable, Codable, CaseIterable {
    case float32
    /// IEEE binary16: half the disk space and I/O, about 3 significant decimal digits.
    case float16

    /// Bytes per stored element.
    public var byteSize: Int { self == .float32 ? 4 : 2 }
}
