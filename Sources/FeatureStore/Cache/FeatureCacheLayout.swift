import Foundation

/// An open cache file checked against `FeatureCacheSchema`: the header, the committed row
/// count and the four datasets. Shared by the reader, the writer (on resume) and inspect,
/// so all three reject a malformed file with the same message.
struct FeatureCacheLayout {
    let file: HDF5File
    let header: FeatureCacheHeader
    /// Committed rows (`rows` attribute).
    let rows: Int
    let isComplete: Bool
    let summaries: HDF5Dataset
    let questionIds: HDF5Dataset
    let pageIndices: HDF5Dataset
    let pageIds: HDF5Dataset
    /// `[N, K]` source token id of each summary slot; nil when the file has none (all −1).
    let slotTokens: HDF5Dataset?
    /// `[N, 5, 16]` row digests (`FeatureCacheRowDigest`); nil before version 3.
    let rowDigests: HDF5Dataset?
    /// Layout version of the file (1…3).
    let version: Int
    /// On-disk element type of `summaries` (decides the read path).
    let summariesType: HDF5ElementType
    let pageIdsType: HDF5ElementType

    /// Runs `body`, turning an HDF5 failure into a `FeatureCacheError` naming `path` and `field`
    /// (`.diskFull`, with the system's words and no HDF5 detail, when a write found no space).
    static func guarding<R>(_ path: String, _ field: String?, _ kind: FeatureCacheError.Kind = .io,
                            _ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let failure as HDF5Failure {
            if let reason = noSpaceReason(failure.detail) {
                throw FeatureCacheError(.diskFull, file: path, field: field, "no space to write: \(reason)")
            }
            throw FeatureCacheError(kind, file: path, field: field, failure.description)
        }
    }

    /// The system's reason when an HDF5 message reports a write refused for lack of space
    /// (HDF5's file driver quotes `errno = N`): ENOSPC, EFBIG (the file size limit) or EDQUOT.
    static func noSpaceReason(_ detail: String) -> String? {
        guard let range = detail.range(of: "errno = ") else { return nil }
        let digits = detail[range.upperBound...].prefix { $0.isNumber }
        guard let code = Int32(digits), [ENOSPC, EFBIG, EDQUOT].contains(code) else { return nil }
        return String(cString: strerror(code))
    }

    /// Opens `path` with HDF5 (for writing when `writable`) and validates it.
    static func open(path: String, writable: Bool) throws -> FeatureCacheLayout {
        guard FileManager.default.fileExists(atPath: path) else {
            throw FeatureCacheError(.io, file: path, "no such file")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw FeatureCacheError(.io, file: path, "is a directory; expected a feature cache file (.h5)")
        }
        let file = try guarding(path, nil) {
            do {
                return try HDF5File.open(path: path, writable: writable)
            } catch let failure as HDF5Failure where writable && failure.detail.contains("lock") {
                throw HDF5Failure(operation: "another process is writing this cache (HDF5 file lock is held)", detail: failure.detail)
            }
        }
        return try validate(file)
    }

    /// Checks every attribute and dataset of an open file.
    static func validate(_ file: HDF5File) throws -> FeatureCacheLayout {
        let path = file.path
        typealias A = FeatureCacheSchema.Attribute
        typealias D = FeatureCacheSchema.Dataset

        func attributeType(_ name: String, required: Bool = true) throws -> HDF5ElementType? {
            let field = FeatureCacheError.attribute(name)
            let exists = try guarding(path, field) { try file.hasAttribute(name) }
            guard exists else {
                if required { throw FeatureCacheError(.missingAttribute, file: path, field: field, "missing; expected by the mpvqa-features schema") }
                return nil
            }
            return try guarding(path, field) { try file.attributeType(name) }
        }
        func string(_ name: String, required: Bool = true) throws -> String? {
            guard let type = try attributeType(name, required: required) else { return nil }
            let field = FeatureCacheError.attribute(name)
            guard type.isString else { throw FeatureCacheError(.wrongType, file: path, field: field, "is \(type.name); expected a string") }
            return try guarding(path, field, .wrongType) { try file.readStringAttribute(name) }
        }
        func integer(_ name: String, range: ClosedRange<Int64>, expected: String) throws -> Int {
            let type = try attributeType(name)!
            let field = FeatureCacheError.attribute(name)
            guard type.isInteger else { throw FeatureCacheError(.wrongType, file: path, field: field, "is \(type.name); expected an integer") }
            let value = try guarding(path, field, .wrongType) { try file.readIntAttribute(name) }
            guard range.contains(value) else { throw FeatureCacheError(.wrongValue, file: path, field: field, "is \(value); expected \(expected)") }
            return Int(value)
        }

        let format = try string(A.format)!
        guard format == FeatureCacheSchema.format else {
            throw FeatureCacheError(.wrongValue, file: path, field: FeatureCacheError.attribute(A.format),
                                    "is '\(format)'; expected '\(FeatureCacheSchema.format)'")
        }
        let version = try integer(A.version, range: 1...Int64.max, expected: "a positive version")
        guard FeatureCacheSchema.readableVersions.contains(version) else {
            let v = FeatureCacheSchema.readableVersions
            throw FeatureCacheError(.wrongValue, file: path, field: FeatureCacheError.attribute(A.version),
                                    "is \(version); this build reads versions \(v.lowerBound)…\(v.upperBound)")
        }
        let k = try integer(A.summaryTokens, range: 1...Int64(Int32.max), expected: "a positive number of summary tokens")
        let d = try integer(A.modelDim, range: 1...Int64(Int32.max), expected: "a positive width")
        let dtypeName = try string(A.dtype)!
        guard let dtype = FeatureDType(rawValue: dtypeName) else {
            throw FeatureCacheError(.wrongValue, file: path, field: FeatureCacheError.attribute(A.dtype),
                                    "is '\(dtypeName)'; expected 'float32' or 'float16'")
        }
        let header = FeatureCacheHeader(summaryTokens: k, modelDim: d, dtype: dtype,
                                        encoderHash: try string(A.encoderHash)!, promptTemplate: try string(A.promptTemplate)!,
                                        split: try string(A.split, required: false), cacheKey: try string(A.cacheKey, required: false),
                                        tokenizerHash: try string(A.tokenizerHash, required: false))
        let complete = try integer(A.complete, range: 0...1, expected: "0 (being written) or 1 (complete)")
        let rows = try integer(A.rows, range: 0...Int64.max, expected: "a row count ≥ 0")

        func dataset(_ name: String, rank: Int, axes: String) throws -> (HDF5Dataset, [Int], HDF5ElementType) {
            let field = FeatureCacheError.dataset(name)
            guard try guarding(path, field, .io, { try file.hasDataset(name) }) else {
                throw FeatureCacheError(.missingDataset, file: path, field: field, "missing; expected \(axes)")
            }
            let dataset = try guarding(path, field) { try file.openDataset(name) }
            let extent = try guarding(path, field) { try dataset.extent() }
            guard extent.count == rank else {
                throw FeatureCacheError(.wrongRank, file: path, field: field, "has \(extent.count) axes, shape \(extent); expected \(rank): \(axes)")
            }
            guard extent[0] >= rows else {
                throw FeatureCacheError(.wrongShape, file: path, field: field, "has \(extent[0]) rows but attribute 'rows' is \(rows)")
            }
            return (dataset, extent, try guarding(path, field) { try dataset.elementType() })
        }

        let (summaries, summaryExtent, summaryType) = try dataset(D.summaries, rank: 3, axes: "[N, K, d]")
        let summaryField = FeatureCacheError.dataset(D.summaries)
        guard summaryExtent[1] == k, summaryExtent[2] == d else {
            let which = summaryExtent[1] != k ? "K is \(k)" : "d is \(d)"
            throw FeatureCacheError(.wrongShape, file: path, field: summaryField,
                                    "has shape \(summaryExtent) but attribute \(which); expected [N, \(k), \(d)]")
        }
        guard case .float(let bytes, _) = summaryType, bytes == dtype.byteSize else {
            throw FeatureCacheError(.wrongType, file: path, field: summaryField,
                                    "stores \(summaryType.name) but attribute 'dtype' is '\(dtype.rawValue)'")
        }
        let (questionIds, _, questionType) = try dataset(D.questionIds, rank: 1, axes: "[N] integer question ids")
        guard questionType.isInteger else {
            throw FeatureCacheError(.wrongType, file: path, field: FeatureCacheError.dataset(D.questionIds), "stores \(questionType.name); expected integers")
        }
        let (pageIndices, _, indexType) = try dataset(D.pageIndices, rank: 1, axes: "[N] integer page indices")
        guard indexType.isInteger else {
            throw FeatureCacheError(.wrongType, file: path, field: FeatureCacheError.dataset(D.pageIndices), "stores \(indexType.name); expected integers")
        }
        let (pageIds, _, pageIdType) = try dataset(D.pageIds, rank: 1, axes: "[N] UTF-8 page ids")
        guard pageIdType.isString else {
            throw FeatureCacheError(.wrongType, file: path, field: FeatureCacheError.dataset(D.pageIds), "stores \(pageIdType.name); expected strings")
        }
        var slotTokens: HDF5Dataset? = nil
        if try guarding(path, FeatureCacheError.dataset(D.slotTokens), .io, { try file.hasDataset(D.slotTokens) }) {
            let (slots, slotExtent, slotType) = try dataset(D.slotTokens, rank: 2, axes: "[N, K] integer slot token ids")
            let field = FeatureCacheError.dataset(D.slotTokens)
            guard slotType.isInteger else { throw FeatureCacheError(.wrongType, file: path, field: field, "stores \(slotType.name); expected integers") }
            guard slotExtent[1] == k else {
                throw FeatureCacheError(.wrongShape, file: path, field: field, "has shape \(slotExtent) but attribute K is \(k); expected [N, \(k)]")
            }
            slotTokens = slots
        }
        var rowDigests: HDF5Dataset? = nil
        if version >= FeatureCacheSchema.firstDigestVersion {
            // Digests are defined over the stored bytes of the types this version fixes.
            func require(_ name: String, _ type: HDF5ElementType, _ ok: Bool, _ expected: String) throws {
                if !ok { throw FeatureCacheError(.wrongType, file: path, field: FeatureCacheError.dataset(name), "stores \(type.name); a version \(version) file stores \(expected)") }
            }
            try require(D.questionIds, questionType, questionType == .integer(bytes: 8, signed: true), "int64")
            try require(D.pageIndices, indexType, indexType == .integer(bytes: 4, signed: true), "int32")
            var pageIdsFixed = false
            if case .fixedString = pageIdType { pageIdsFixed = true }
            try require(D.pageIds, pageIdType, pageIdsFixed, "fixed-length strings")
            guard let slots = slotTokens else {
                throw FeatureCacheError(.missingDataset, file: path, field: FeatureCacheError.dataset(D.slotTokens),
                                        "missing; a version \(version) file has [N, K] int32 slot token ids")
            }
            let slotType = try guarding(path, FeatureCacheError.dataset(D.slotTokens)) { try slots.elementType() }
            try require(D.slotTokens, slotType, slotType == .integer(bytes: 4, signed: true), "int32")
            let field = FeatureCacheError.dataset(D.rowDigests)
            let (digests, digestExtent, digestType) = try dataset(D.rowDigests, rank: 3,
                                                                  axes: "[N, \(FeatureCacheRowDigest.datasets.count), \(FeatureCacheRowDigest.bytes)] uint8 row digests")
            guard digestExtent[1] == FeatureCacheRowDigest.datasets.count, digestExtent[2] == FeatureCacheRowDigest.bytes else {
                throw FeatureCacheError(.wrongShape, file: path, field: field,
                                        "has shape \(digestExtent); expected [N, \(FeatureCacheRowDigest.datasets.count), \(FeatureCacheRowDigest.bytes)]")
            }
            try require(D.rowDigests, digestType, digestType == .integer(bytes: 1, signed: false), "uint8")
            rowDigests = digests
        }
        return FeatureCacheLayout(file: file, header: header, rows: rows, isComplete: complete == 1,
                                  summaries: summaries, questionIds: questionIds, pageIndices: pageIndices, pageIds: pageIds,
                                  slotTokens: slotTokens, rowDigests: rowDigests, version: version, summariesType: summaryType, pageIdsType: pageIdType)
    }

    // MARK: Reading the per-row metadata

    func readQuestionIds(_ range: Range<Int>) throws -> [Int64] {
        var values = [Int64](repeating: 0, count: range.count)
        try FeatureCacheLayout.guarding(file.path, FeatureCacheError.dataset(FeatureCacheSchema.Dataset.questionIds)) {
            try values.withUnsafeMutableBytes { buffer in
                guard let base = buffer.baseAddress else { return }
                try questionIds.readRows(start: range.lowerBound, count: range.count, memType: HDF5Types.int64, into: base)
            }
        }
        return values
    }

    func readPageIndices(_ range: Range<Int>) throws -> [Int32] {
        var values = [Int32](repeating: 0, count: range.count)
        try FeatureCacheLayout.guarding(file.path, FeatureCacheError.dataset(FeatureCacheSchema.Dataset.pageIndices)) {
            try values.withUnsafeMutableBytes { buffer in
                guard let base = buffer.baseAddress else { return }
                try pageIndices.readRows(start: range.lowerBound, count: range.count, memType: HDF5Types.int32, into: base)
            }
        }
        return values
    }

    /// `[range.count · K]` slot token ids, −1 throughout when the file has no `slot_tokens`.
    func readSlotTokens(_ range: Range<Int>, into buffer: UnsafeMutableBufferPointer<Int32>) throws {
        guard let slotTokens else {
            buffer.update(repeating: -1)
            return
        }
        guard range.count > 0 else { return }
        try FeatureCacheLayout.guarding(file.path, FeatureCacheError.dataset(FeatureCacheSchema.Dataset.slotTokens)) {
            try slotTokens.readRows(start: range.lowerBound, count: range.count, memType: HDF5Types.int32, into: buffer.baseAddress!)
        }
    }

    /// Every dataset present, the optional ones last.
    var datasets: [HDF5Dataset] {
        [summaries, questionIds, pageIndices, pageIds] + (slotTokens.map { [$0] } ?? []) + (rowDigests.map { [$0] } ?? [])
    }

    /// Bytes of one stored row of a digested dataset (version 3 files only).
    func storedRowBytes(_ name: String) -> Int {
        typealias D = FeatureCacheSchema.Dataset
        switch name {
        case D.summaries: return header.rowElements * header.dtype.byteSize
        case D.questionIds: return 8
        case D.pageIndices: return 4
        case D.pageIds: if case .fixedString(let width) = pageIdsType { return width } else { return 0 }
        case D.slotTokens: return 4 * header.summaryTokens
        default: return FeatureCacheRowDigest.rowBytes
        }
    }

    /// Reads rows `range` of dataset `name` (a digested one, or `row_digests`) as stored, with
    /// no conversion, into `buffer` (`range.count · storedRowBytes(name)` bytes).
    func readStoredRows(_ name: String, _ range: Range<Int>, into buffer: UnsafeMutableRawBufferPointer) throws {
        typealias D = FeatureCacheSchema.Dataset
        let dataset: HDF5Dataset?
        switch name {
        case D.summaries: dataset = summaries
        case D.questionIds: dataset = questionIds
        case D.pageIndices: dataset = pageIndices
        case D.pageIds: dataset = pageIds
        case D.slotTokens: dataset = slotTokens
        default: dataset = rowDigests
        }
        guard let dataset, range.count > 0 else { return }
        precondition(buffer.count >= range.count * storedRowBytes(name))
        try FeatureCacheLayout.guarding(file.path, FeatureCacheError.dataset(name)) {
            let type = try dataset.fileType()
            try dataset.readRows(start: range.lowerBound, count: range.count, memType: type.id, into: buffer.baseAddress!)
        }
    }

    func readPageIds(_ range: Range<Int>) throws -> [String] {
        try FeatureCacheLayout.guarding(file.path, FeatureCacheError.dataset(FeatureCacheSchema.Dataset.pageIds)) {
            switch pageIdsType {
            case .variableString:
                return try pageIds.readVariableStrings(start: range.lowerBound, count: range.count)
            case .fixedString(let width):
                let type = try pageIds.fileType()
                var bytes = [UInt8](repeating: 0, count: max(range.count * width, 1))
                try bytes.withUnsafeMutableBytes { buffer in
                    try pageIds.readRows(start: range.lowerBound, count: range.count, memType: type.id, into: buffer.baseAddress!)
                }
                return (0..<range.count).map { FixedStrings.decode(bytes[$0 * width ..< ($0 + 1) * width]) }
            default:
                return []
            }
        }
    }
}
