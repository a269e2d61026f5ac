import NeuralNet
import TensorCore

/// Builds the FiD decoder memory from page summaries: reshapes `[B·P, K, d]` to
/// `[B, P·K, d]`, adds a learned page-index embedding (page p to each of its K slots) and,
/// with slot embeddings (the `pointer` summarizer, whose slot k holds the k-th answer token),
/// a learned slot-index embedding; masks the slots of padded pages.
///
/// Parameter names: `pageEmbedding.weight` (`[maxPages, d]`), `slotEmbedding.weight` (`[K, d]`).
///
/// ```swift
/// let m = builder(summaries: encoding.summaries, batchSize: B, pageCount: P, pageValid: valid)
/// m.memory      // [B, P·K, d]
/// ```
public final class PageMemoryBuilder: Module, Sendable {
    public let pageEmbedding: Embedding
    public let slotEmbedding: Embedding?

    /// Page (and slot) embeddings ~ Normal(0, 0.5²): visible next to the unit-RMS summaries
    /// without swamping them. `slots`: K for slot embeddings, nil for none.
    public init(maxPages: Int, dimension: Int, slots: Int? = nil, dtype: DType = .float32, rng: inout SeededRNG) {
        pageEmbedding = Embedding(count: maxPages, dimension: dimension, std: 0.5, dtype: dtype, rng: &rng)
        slotEmbedding = slots.map { Embedding(count: $0, dimension: dimension, std: 0.5, dtype: dtype, rng: &rng) }
    }

    public var maxPages: Int { pageEmbedding.count }

    /// `summaries: [B·P, K, d]`, `pageValid: [B, P]` → memory `[B, P·K, d]` and key bias `[B, P·K]`.
    /// `pageIndices: [B, P]`: the document page index of every page slot (default p: the
    /// pages are the document's from its first page; a training window passes its real
    /// offsets so that every page-index row is trained). `slotTokens: [B·P, K]` (−1 = none)
    /// passes through to the memory for the copy path.
    public func callAsFunction(summaries: Tensor, batchSize: Int, pageCount: Int, pageValid: [Bool],
                               pageIndices: [Int32]? = nil, slotTokens: [Int32]? = nil) -> FiDMemory {
        precondition(summaries.rank == 3 && summaries.shape[0] == batchSize * pageCount,
                     "PageMemoryBuilder: summaries \(summaries.shape) are not [B·P, K, d] with B = \(batchSize), P = \(pageCount)")
        precondition(pageCount <= maxPages, "PageMemoryBuilder: \(pageCount) pages exceed maxPages = \(maxPages)")
        precondition(pageValid.count == batchSize * pageCount,
                     "PageMemoryBuilder: \(pageValid.count) page flags for [B, P] = [\(batchSize), \(pageCount)]")
        let k = summaries.shape[1], d = summaries.shape[2], slots = pageCount * k
        // Real pages only: their summary rows, and each slot's row among them (−1: padded).
        let realPages = pageValid.indices.filter { pageValid[$0] }
        let allReal = realPages.count == pageValid.count
        let rows = allReal ? summaries.reshaped([batchSize * slots, d])
            : summaries.reshaped([batchSize * pageCount, k * d]).gatherRows(realPages.map { Int32($0) }, shape: [realPages.count])
                .reshaped([realPages.count * k, d])
        var rowOfSlot: [Int32]? = nil
        if !allReal {
            var compact = [Int32](repeating: -1, count: pageValid.count)
            for (j, page) in realPages.enumerated() { compact[page] = Int32(j) }
            var index = [Int32](repeating: -1, count: batchSize * slots)
            for i in 0..<(batchSize * slots) {
                let j = compact[(i / slots) * pageCount + (i % slots) / k]
                if j >= 0 { index[i] = j * Int32(k) + Int32(i % k) }
            }
            rowOfSlot = index
        }
        var pageOfSlot = [Int32](repeating: 0, count: batchSize * slots)
        if let pageIndices {
            precondition(pageIndices.count == batchSize * pageCount,
                         "PageMemoryBuilder: \(pageIndices.count) page indices for [B, P] = [\(batchSize), \(pageCount)]")
            for i in 0..<(batchSize * slots) {
                let page = pageIndices[(i / slots) * pageCount + (i % slots) / k]
                precondition(page >= 0 && Int(page) < maxPages, "PageMemoryBuilder: page index \(page) outside 0..<\(maxPages)")
                pageOfSlot[i] = page
            }
        } else {
            for i in 0..<(batchSize * slots) { pageOfSlot[i] = Int32((i % slots) / k) }
        }
        var tables = [FiDMemory.AddedTable(table: pageEmbedding.weight, index: pageOfSlot)]
        if let slotEmbedding {
            precondition(k == slotEmbedding.count, "PageMemoryBuilder: \(k) summaries per page, \(slotEmbedding.count) slot embeddings")
            tables.append(FiDMemory.AddedTable(table: slotEmbedding.weight, index: (0..<(batchSize * slots)).map { Int32($0 % k) }))
        }
        var slotValid = [Bool](repeating: false, count: batchSize * slots)
        for b in 0..<batchSize {
            for s in 0..<slots { slotValid[b * slots + s] = pageValid[b * pageCount + s / k] }
        }
        let keyBias = AttentionMask.keyBias(valid: slotValid, batch: batchSize, length: slots, dtype: summaries.dtype)
        return FiDMemory(rows: rows, rowOfSlot: rowOfSlot, addedTables: tables, batchSize: batchSize, keyBias: keyBias,
                         pageCount: pageCount, summaryTokens: k, slotTokens: slotTokens)
    }

    public var namedParameters: [NamedParameter] {
        pageEmbedding.namedParameters(prefix: "pageEmbedding") + (slotEmbedding?.namedParameters(prefix: "slotEmbedding") ?? [])
    }
}
