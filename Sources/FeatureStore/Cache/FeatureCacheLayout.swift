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
    /// Layout version of the file (1 or 2).
    let version: Int
    /// On-disk element type of `summaries` (decides the read path).
    let summariesType: HDF5ElementType
    let pageIdsType: HDF5ElementType

    /// Runs `body`, turning an HDF5 failure into a `FeatureCacheError` naming `path` and `field`.
    static func guarding<R>(_ path: String, _ field: String?, _ kind: FeatureCacheError.Kind = .io,
                            _ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let failure as HDF5Failure {
            throw FeatureCacheError(kind, file: path, field: field, failure.description)
        }
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
        return FeatureCacheLayout(file: file, header: header, rows: rows, isComplete: complete == 1,
                                  summaries: summaries, questionIds: questionIds, pageIndices: pageIndices, pageIds: pageIds,
                                  slotTokens: slotTokens, version: version, summariesType: summaryType, pageIdsType: pageIdType)
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
    var datasets: [HDF5Dataset] { [summaries, questionIds, pageIndices, pageIds] + (slotTokens.map { [$0] } ?? []) }

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
