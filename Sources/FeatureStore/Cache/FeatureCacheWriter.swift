import CHDF5
import Foundation
import RunSupport
import TensorCore

/// Appends summaries S(q, p) to a cache file (`FeatureCacheSchema`) in batches, so that a
/// killed writer can be restarted without recomputing a committed row and without any
/// reader ever seeing a half-written one.
///
/// How a batch is committed:
/// 1. its rows are written at positions `rows ..< rows + n` (beyond the committed count);
/// 2. the file is flushed (`H5Fflush`, plus `fsync` with `syncToDisk`);
/// 3. the `rows` attribute is raised to `rows + n` and the file flushed again.
/// A reader or a resuming writer trusts only `rows`, so a kill before step 3 completes
/// loses at most the batch in flight. Opening an existing incomplete file resumes after
/// `rows`: rows beyond it are treated as free space and overwritten. `finish()` trims the
/// datasets to `rows` and sets `complete = 1` last.
///
/// Why a kill cannot corrupt what is committed: HDF5 is not journaled, so the writer keeps
/// HDF5 metadata out of the batch path. Rows inside the reserved capacity
/// (`FeatureCacheWriterOptions.reserveRows`) have their chunks allocated and indexed when
/// the file is created, so a batch rewrites raw data in place (never a committed row) and
/// the commit changes only the `rows` value in the root group's header. Growing past the
/// reserve (and deflate compression) rewrites the chunk index at a flush; a kill exactly
/// during that flush can damage the file, so reserve the expected row count.
///
/// A new file is built under a temporary name in the same directory and linked into place
/// complete, so a half-created file is never visible under the cache's name.
///
/// Each batch also writes its rows of `row_digests` (`FeatureCacheRowDigest`), committed by the
/// same `rows` update, so a resumed write ends with the digests of a one-go write. A write that
/// finds the disk full throws `.diskFull` in one line: the rows committed before stay, and a
/// rerun resumes after them.
///
/// ```swift
/// let writer = try FeatureCacheWriter(url: cacheURL, header: header,
///                                     options: .init(reserveRows: pairs.count))
/// for start in stride(from: writer.rows, to: pairs.count, by: 64) {   // skips committed rows
///     let batch = pairs[start..<min(start + 64, pairs.count)]
///     let s = encode(batch)                                           // [n, K, d]
///     try writer.append(summaries: s, questionIds: batch.map(\.questionId),
///                       pageIndices: batch.map(\.pageIndex), pageIds: batch.map(\.pageId))
/// }
/// try writer.finish()
/// ```
public final class FeatureCacheWriter: @unchecked Sendable {
    public let url: URL
    public let header: FeatureCacheHeader
    /// Committed rows when the writer opened the file: 0 for a new file, more when resuming.
    public let resumedRows: Int
    private let options: FeatureCacheWriterOptions
    private var layout: FeatureCacheLayout?
    private var committed: Int
    /// Questions whose rows are all committed, and the question of the last committed row:
    /// a question's rows must stay contiguous (the reader indexes them as one range).
    private var closedQuestions: Set<Int64> = []
    private var lastQuestion: Int64?
    private let lock = NSLock()

    /// Opens `url` for appending: creates the file if absent, or resumes an incomplete one
    /// after its committed rows. Throws `.mismatch` if an existing file was made with a
    /// different header (K, d, dtype, encoder hash, prompt) and `.alreadyComplete` if it is
    /// finished.
    public init(url: URL, header: FeatureCacheHeader, options: FeatureCacheWriterOptions = .init()) throws {
        self.url = url
        self.header = header
        self.options = options
        let path = url.path
        try FeatureCacheWriter.check(header, options, path: path)
        if !FileManager.default.fileExists(atPath: path) {
            try FeatureCacheWriter.create(at: url, header: header, options: options)
        }
        let layout = try FeatureCacheLayout.open(path: path, writable: true)
        if layout.isComplete {
            try? layout.file.close()
            throw FeatureCacheError(.alreadyComplete, file: path, field: FeatureCacheError.attribute(FeatureCacheSchema.Attribute.complete),
                                    "is 1: the cache is finished (\(layout.rows) rows); open it with FeatureCacheReader")
        }
        if let problem = FeatureCacheWriter.difference(found: layout.header, wanted: header) {
            try? layout.file.close()
            throw FeatureCacheError(.mismatch, file: path, field: FeatureCacheError.attribute(problem.attribute), problem.message)
        }
        self.layout = layout
        self.committed = layout.rows
        self.resumedRows = layout.rows
        for id in try layout.readQuestionIds(0..<layout.rows) where id != lastQuestion {
            if let last = lastQuestion { closedQuestions.insert(last) }
            lastQuestion = id
        }
    }

    deinit { try? layout?.file.close() }

    /// Committed rows: everything a reader of the file sees.
    public var rows: Int {
        lock.lock(); defer { lock.unlock() }
        return committed
    }

    /// Appends and commits one batch of n rows.
    ///
    /// `summaries: [n, K, d]` (Float32 or Float64; stored in the file's dtype), and n each
    /// of `questionIds`, `pageIndices`, `pageIds`. `slotTokens: [n · K]` row-major source
    /// token ids of the summary slots (−1 = none; nil = all −1). A question's rows must be
    /// contiguous across batches. Returns after the batch is committed (see the type's comment).
    public func append(summaries: Tensor, slotTokens: [Int32]? = nil, questionIds: [Int64], pageIndices: [Int32],
                       pageIds: [String]) throws {
        lock.lock(); defer { lock.unlock() }
        let path = url.path
        guard let layout else {
            throw FeatureCacheError(.invalidArgument, file: path, "append after finish() or close()")
        }
        let n = summaries.shape.first ?? 0
        let k = header.summaryTokens, d = header.modelDim
        let summaryField = FeatureCacheError.dataset(FeatureCacheSchema.Dataset.summaries)
        guard summaries.shape == [n, k, d] else {
            throw FeatureCacheError(.invalidArgument, file: path, field: summaryField,
                                    "append got summaries of shape \(summaries.shape); expected [n, \(k), \(d)]")
        }
        guard questionIds.count == n, pageIndices.count == n, pageIds.count == n else {
            throw FeatureCacheError(.invalidArgument, file: path,
                                    "append got \(n) summary rows but \(questionIds.count) question ids, \(pageIndices.count) page indices, \(pageIds.count) page ids")
        }
        let slotField = FeatureCacheError.dataset(FeatureCacheSchema.Dataset.slotTokens)
        if let slotTokens, slotTokens.count != n * k {
            throw FeatureCacheError(.invalidArgument, file: path, field: slotField,
                                    "append got \(slotTokens.count) slot token ids for \(n) rows of K = \(k); expected \(n * k)")
        }
        if layout.slotTokens == nil, let slotTokens, slotTokens.contains(where: { $0 >= 0 }) {
            throw FeatureCacheError(.invalidArgument, file: path, field: slotField,
                                    "is absent from this version \(layout.version) file, which cannot hold slot token ids; rebuild the cache")
        }
        guard n > 0 else { return }
        try checkContiguous(questionIds)

        let start = committed, end = committed + n
        typealias D = FeatureCacheSchema.Dataset
        // `row_digests` rows of the batch, filled by each dataset's write from the bytes it stores.
        var digests = layout.rowDigests == nil ? nil : [UInt8](repeating: 0, count: n * FeatureCacheRowDigest.rowBytes)
        func digest(_ name: String, _ bytes: UnsafeRawBufferPointer) {
            guard digests != nil else { return }
            let rowBytes = layout.storedRowBytes(name)
            digests!.withUnsafeMutableBytes {
                FeatureCacheRowDigest.compute(firstRow: start, count: n, rowBytes: rowBytes, data: bytes, column: FeatureCacheRowDigest.column(name), into: $0)
            }
        }
        do {
            try ensureCapacity(layout, rows: end)
            try writeSummaries(layout, summaries, start: start, digest: { digest(D.summaries, $0) })
            try FeatureCacheWriter.writeInts(layout, D.questionIds, questionIds, start: start, memType: HDF5Types.int64)
            questionIds.withUnsafeBytes { digest(D.questionIds, $0) }
            try FeatureCacheWriter.writeInts(layout, D.pageIndices, pageIndices, start: start, memType: HDF5Types.int32)
            pageIndices.withUnsafeBytes { digest(D.pageIndices, $0) }
            try writePageIds(layout, pageIds, start: start, digest: { digest(D.pageIds, $0) })
            if let dataset = layout.slotTokens {
                let ids = slotTokens ?? [Int32](repeating: -1, count: n * k)
                try FeatureCacheLayout.guarding(path, slotField) {
                    try ids.withUnsafeBytes { try dataset.writeRows(start: start, count: n, memType: HDF5Types.int32, from: $0.baseAddress!) }
                }
                ids.withUnsafeBytes { digest(D.slotTokens, $0) }
            }
            if let dataset = layout.rowDigests, let digests {
                try FeatureCacheLayout.guarding(path, FeatureCacheError.dataset(D.rowDigests)) {
                    try digests.withUnsafeBytes { try dataset.writeRows(start: start, count: n, memType: HDF5Types.uint8, from: $0.baseAddress!) }
                }
            }

            // Commit: data first, then the row count that makes it visible.
            try FeatureCacheLayout.guarding(path, nil) { try layout.file.flush(sync: options.syncToDisk) }
            try FeatureCacheLayout.guarding(path, FeatureCacheError.attribute(FeatureCacheSchema.Attribute.rows)) {
                try layout.file.writeIntAttribute(FeatureCacheSchema.Attribute.rows, Int64(end))
                try layout.file.flush(sync: options.syncToDisk)
            }
        } catch let error as FeatureCacheError where error.kind == .diskFull {
            throw FeatureCacheError(.diskFull, file: path, "\(error.message) (writing rows \(start)…\(end - 1)); nothing earlier was lost: the \(start) rows committed so far stay, and a rerun after freeing space resumes after them")
        }
        committed = end
        for id in questionIds where id != lastQuestion {
            if let last = lastQuestion { closedQuestions.insert(last) }
            lastQuestion = id
        }
    }

    /// Trims the datasets to the committed rows, sets `complete = 1` and closes the file.
    public func finish() throws {
        lock.lock(); defer { lock.unlock() }
        let path = url.path
        guard let layout else { throw FeatureCacheError(.invalidArgument, file: path, "finish() after finish() or close()") }
        do {
            try finish(layout)
        } catch let error as FeatureCacheError where error.kind == .diskFull {
            throw FeatureCacheError(.diskFull, file: path, "\(error.message) (finishing the file); nothing was lost: its \(committed) rows stay committed, and a rerun after freeing space finishes it")
        }
        self.layout = nil
    }

    private func finish(_ layout: FeatureCacheLayout) throws {
        let path = url.path
        for dataset in layout.datasets {
            try FeatureCacheLayout.guarding(path, FeatureCacheError.dataset(dataset.name)) {
                if try dataset.extent()[0] != committed { try dataset.setRows(committed) }
            }
        }
        try FeatureCacheLayout.guarding(path, FeatureCacheError.attribute(FeatureCacheSchema.Attribute.complete)) {
            try layout.file.flush(sync: options.syncToDisk)
            try layout.file.writeIntAttribute(FeatureCacheSchema.Attribute.complete, 1)
            try layout.file.flush(sync: options.syncToDisk)
            try layout.file.close()
        }
    }

    /// Closes the file without finishing it: it stays resumable with its committed rows.
    public func close() throws {
        lock.lock(); defer { lock.unlock() }
        guard let layout else { return }
        self.layout = nil
        try FeatureCacheLayout.guarding(url.path, nil) { try layout.file.close() }
    }

    // MARK: Batch pieces

    private func checkContiguous(_ questionIds: [Int64]) throws {
        var closedInBatch = Set<Int64>()
        var previous = lastQuestion
        for (row, id) in questionIds.enumerated() where id != previous {
            if closedQuestions.contains(id) || closedInBatch.contains(id) {
                throw FeatureCacheError(.invalidArgument, file: url.path, field: FeatureCacheError.dataset(FeatureCacheSchema.Dataset.questionIds),
                                        "question \(id) (batch row \(row)) already has rows before another question's; the rows of a question must be contiguous")
            }
            if let previous { closedInBatch.insert(previous) }
            previous = id
        }
    }

    /// Extends every dataset whose extent is below `rows`, doubling the capacity, and
    /// flushes the new chunk index before any row of the batch lands in it.
    private func ensureCapacity(_ layout: FeatureCacheLayout, rows: Int) throws {
        var grew = false
        for dataset in layout.datasets {
            try FeatureCacheLayout.guarding(url.path, FeatureCacheError.dataset(dataset.name)) {
                let capacity = try dataset.extent()[0]
                if capacity < rows {
                    try dataset.setRows(max(rows, 2 * capacity, 256))
                    grew = true
                }
            }
        }
        if grew { try FeatureCacheLayout.guarding(url.path, nil) { try layout.file.flush(sync: options.syncToDisk) } }
    }

    /// Writes the rows in the file's dtype and hands `digest` the bytes stored.
    private func writeSummaries(_ layout: FeatureCacheLayout, _ summaries: Tensor, start: Int,
                                digest: (UnsafeRawBufferPointer) -> Void) throws {
        let n = summaries.shape[0], count = summaries.count
        let source = summaries.dtype == .float32 ? summaries : summaries.converted(to: .float32)
        try FeatureCacheLayout.guarding(url.path, FeatureCacheError.dataset(FeatureCacheSchema.Dataset.summaries)) {
            if case .float(2, _) = layout.summariesType {
                var bits = [UInt16](repeating: 0, count: count)
                source.withUnsafeBufferPointer(as: Float.self) { src in
                    bits.withUnsafeMutableBufferPointer { HalfPrecision.encode(src.baseAddress!, into: $0.baseAddress!, count: count) }
                }
                try bits.withUnsafeBytes {
                    try layout.summaries.writeRows(start: start, count: n, memType: HDF5Types.half, from: $0.baseAddress!)
                    digest($0)
                }
            } else {
                try source.withUnsafeBufferPointer(as: Float.self) {
                    try layout.summaries.writeRows(start: start, count: n, memType: HDF5Types.float, from: UnsafeRawPointer($0.baseAddress!))
                    digest(UnsafeRawBufferPointer($0))
                }
            }
        }
    }

    private static func writeInts<T>(_ layout: FeatureCacheLayout, _ name: String, _ values: [T], start: Int, memType: hid_t) throws {
        let dataset = name == FeatureCacheSchema.Dataset.questionIds ? layout.questionIds : layout.pageIndices
        try FeatureCacheLayout.guarding(layout.file.path, FeatureCacheError.dataset(name)) {
            try values.withUnsafeBytes { try dataset.writeRows(start: start, count: values.count, memType: memType, from: $0.baseAddress!) }
        }
    }

    /// Writes the page ids and hands `digest` the bytes stored (fixed-length strings only).
    private func writePageIds(_ layout: FeatureCacheLayout, _ pageIds: [String], start: Int,
                              digest: (UnsafeRawBufferPointer) -> Void) throws {
        let field = FeatureCacheError.dataset(FeatureCacheSchema.Dataset.pageIds)
        switch layout.pageIdsType {
        case .fixedString(let width):
            var bytes = [UInt8](repeating: 0, count: pageIds.count * width)
            for (row, id) in pageIds.enumerated() {
                let utf8 = Array(id.utf8)
                guard utf8.count <= width else {
                    throw FeatureCacheError(.invalidArgument, file: url.path, field: field,
                                            "page id '\(id)' (batch row \(row)) is \(utf8.count) bytes; this file stores at most \(width) (FeatureCacheWriterOptions.pageIdBytes at creation)")
                }
                bytes.replaceSubrange(row * width ..< row * width + utf8.count, with: utf8)
            }
            // The dataset's own string type as memory type: HDF5 converts no strings between
            // the ASCII and UTF-8 character sets (h5py's fixed-length `S` strings are ASCII).
            try FeatureCacheLayout.guarding(url.path, field) {
                let type = try layout.pageIds.fileType()
                try bytes.withUnsafeBytes { try layout.pageIds.writeRows(start: start, count: pageIds.count, memType: type.id, from: $0.baseAddress!) }
            }
            bytes.withUnsafeBytes { digest($0) }
        default:
            // Variable-length strings (files made by other writers, e.g. h5py's default).
            try FeatureCacheLayout.guarding(url.path, field) {
                let type = try layout.pageIds.fileType()
                let copies = pageIds.map { strdup($0) }
                defer { copies.forEach { free($0) } }
                try copies.withUnsafeBytes { try layout.pageIds.writeRows(start: start, count: pageIds.count, memType: type.id, from: $0.baseAddress!) }
            }
        }
    }

    // MARK: Creation

    private static func check(_ header: FeatureCacheHeader, _ options: FeatureCacheWriterOptions, path: String) throws {
        guard header.summaryTokens > 0, header.modelDim > 0 else {
            throw FeatureCacheError(.invalidArgument, file: path, "header has K = \(header.summaryTokens), d = \(header.modelDim); both must be positive")
        }
        guard options.reserveRows >= 0, (options.rowsPerChunk ?? 1) > 0, options.pageIdBytes > 0 else {
            throw FeatureCacheError(.invalidArgument, file: path,
                                    "options need reserveRows ≥ 0, rowsPerChunk > 0 and pageIdBytes > 0; got \(options)")
        }
        if let level = options.deflateLevel, !(1...9).contains(level) {
            throw FeatureCacheError(.invalidArgument, file: path, "deflateLevel \(level) is outside 1…9")
        }
    }

    /// The first header field where an existing file differs from what the caller wants.
    private static func difference(found: FeatureCacheHeader, wanted: FeatureCacheHeader) -> (attribute: String, message: String)? {
        typealias A = FeatureCacheSchema.Attribute
        func describe(_ name: String, _ have: String, _ want: String) -> (String, String) {
            (name, "is \(have) in the existing file but this writer has \(want); a cache holds the summaries of one setting — use the file named by its FeatureCacheKey")
        }
        if found.summaryTokens != wanted.summaryTokens { return describe(A.summaryTokens, "\(found.summaryTokens)", "\(wanted.summaryTokens)") }
        if found.modelDim != wanted.modelDim { return describe(A.modelDim, "\(found.modelDim)", "\(wanted.modelDim)") }
        if found.dtype != wanted.dtype { return describe(A.dtype, found.dtype.rawValue, wanted.dtype.rawValue) }
        if found.encoderHash != wanted.encoderHash { return describe(A.encoderHash, "'\(found.encoderHash)'", "'\(wanted.encoderHash)'") }
        if found.promptTemplate != wanted.promptTemplate { return describe(A.promptTemplate, "'\(found.promptTemplate)'", "'\(wanted.promptTemplate)'") }
        if let have = found.split, let want = wanted.split, have != want { return describe(A.split, "'\(have)'", "'\(want)'") }
        if let have = found.cacheKey, let want = wanted.cacheKey, have != want { return describe(A.cacheKey, have, want) }
        if let have = found.tokenizerHash, let want = wanted.tokenizerHash, have != want { return describe(A.tokenizerHash, have, want) }
        return nil
    }

    /// Builds the empty file (attributes, datasets with the reserved rows) under a
    /// temporary name and publishes it with `link`, which never replaces an existing file:
    /// if another process published first, its file is used instead.
    private static func create(at url: URL, header: FeatureCacheHeader, options: FeatureCacheWriterOptions) throws {
        let path = url.path
        let directory = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw FeatureCacheError(.io, file: path, "cannot create directory \(directory.path): \(FileSystemError.reason(of: error) ?? error.localizedDescription)")
        }
        removeStaleTemporaries(of: url)
        let temporary = directory.appendingPathComponent("\(temporaryPrefix(of: url))\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        defer { unlink(temporary) }
        do {
            try FeatureCacheLayout.guarding(path, nil) {
                let file = try HDF5File.create(path: temporary)
                try build(file, header: header, options: options)
                try file.close()
            }
        } catch let error as FeatureCacheError where error.kind == .diskFull {
            throw FeatureCacheError(.diskFull, file: path, "\(error.message) (creating the file with its reserved rows); nothing was written under this name")
        }
        let fd = open(temporary, O_RDONLY)
        if fd >= 0 { fsync(fd); _ = Glibc.close(fd) }
        if link(temporary, path) != 0 {
            let error = errno
            switch error {
            case EEXIST:
                return
            case EPERM, ENOTSUP, EOPNOTSUPP:
                // File systems without hard links: a plain rename (may replace a concurrent creator's file).
                if rename(temporary, path) != 0 {
                    throw FeatureCacheError(.io, file: path, "cannot rename \(temporary) into place: \(String(cString: strerror(errno)))")
                }
            default:
                throw FeatureCacheError(.io, file: path, "cannot link \(temporary) into place: \(String(cString: strerror(error)))")
            }
        }
    }

    private static func build(_ file: HDF5File, header: FeatureCacheHeader, options: FeatureCacheWriterOptions) throws {
        typealias A = FeatureCacheSchema.Attribute
        typealias D = FeatureCacheSchema.Dataset
        try file.writeStringAttribute(A.format, FeatureCacheSchema.format)
        try file.writeIntAttribute(A.version, Int64(FeatureCacheSchema.version))
        try file.writeIntAttribute(A.summaryTokens, Int64(header.summaryTokens))
        try file.writeIntAttribute(A.modelDim, Int64(header.modelDim))
        try file.writeStringAttribute(A.dtype, header.dtype.rawValue)
        try file.writeStringAttribute(A.encoderHash, header.encoderHash)
        try file.writeStringAttribute(A.promptTemplate, header.promptTemplate)
        if let split = header.split { try file.writeStringAttribute(A.split, split) }
        if let key = header.cacheKey { try file.writeStringAttribute(A.cacheKey, key) }
        if let hash = header.tokenizerHash { try file.writeStringAttribute(A.tokenizerHash, hash) }
        try file.writeIntAttribute(A.complete, 0)
        try file.writeIntAttribute(A.rows, 0)

        let reserve = options.reserveRows
        let k = header.summaryTokens, d = header.modelDim
        let chunkRows = options.chunkRows(rowBytes: k * d * header.dtype.byteSize)
        let listChunk = 1024
        let summaryType = header.dtype == .float32 ? HDF5Types.float32LE : HDF5Types.half
        _ = try file.createDataset(D.summaries, type: summaryType, dims: [reserve, k, d], chunk: [chunkRows, k, d],
                                   preallocate: true, deflateLevel: options.deflateLevel)
        _ = try file.createDataset(D.questionIds, type: HDF5Types.int64LE, dims: [reserve], chunk: [listChunk],
                                   preallocate: true, deflateLevel: options.deflateLevel)
        _ = try file.createDataset(D.pageIndices, type: HDF5Types.int32LE, dims: [reserve], chunk: [listChunk],
                                   preallocate: true, deflateLevel: options.deflateLevel)
        let stringType = try HDF5Types.utf8String(bytes: options.pageIdBytes)
        _ = try file.createDataset(D.pageIds, type: stringType.id, dims: [reserve], chunk: [listChunk],
                                   preallocate: true, deflateLevel: options.deflateLevel)
        _ = try file.createDataset(D.slotTokens, type: HDF5Types.int32LE, dims: [reserve, k], chunk: [max(1, listChunk / max(k, 1)) , k],
                                   preallocate: true, deflateLevel: options.deflateLevel)
        _ = try file.createDataset(D.rowDigests, type: HDF5Types.uint8LE, dims: [reserve, FeatureCacheRowDigest.datasets.count, FeatureCacheRowDigest.bytes],
                                   chunk: [listChunk, FeatureCacheRowDigest.datasets.count, FeatureCacheRowDigest.bytes],
                                   preallocate: true, deflateLevel: options.deflateLevel)
    }

    private static func temporaryPrefix(of url: URL) -> String { ".\(url.lastPathComponent).creating-" }

    /// Removes temporaries of `url` left by creators that were killed (their pid is gone).
    private static func removeStaleTemporaries(of url: URL) {
        let directory = url.deletingLastPathComponent()
        let prefix = temporaryPrefix(of: url)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
        for name in names where name.hasPrefix(prefix) {
            let pidText = name.dropFirst(prefix.count).prefix { $0 != "-" }
            guard let pid = Int32(pidText), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            unlink(directory.appendingPathComponent(name).path)
        }
    }
}
