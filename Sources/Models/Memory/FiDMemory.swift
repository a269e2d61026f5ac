import NeuralNet
import TensorCore

/// The decoder memory M(q) of a batch: the K summaries of every page of a question side by
/// side, each tagged with its page index, and the key mask of padded pages.
///
/// The Fusion-in-Decoder reshape contract: encoder rows `[B·P, K, d]` → memory `[B, P·K, d]`;
/// slot `p·K + k` of question b is summary k of page p.
///
/// Shapes: `memory: [B, P·K, d]`, `keyBias: [B, P·K]` (0 real page, −1e9 padded page),
/// `slotTokens: [B, P·K]` (the source token each slot reads, −1 = none; the copy path's data).
///
/// Stored factored: `rows` holds the summaries of real pages only, and the page (and slot)
/// embeddings stay small tables added per slot, so
/// `memory[slot] = rows[rowOfSlot[slot]] + Σ table[index[slot]]` (a row index of −1 is a
/// zero row: a padded page). Decoding steps read projections of it (cross-attention keys
/// and values, once per question), and `W·(s + e) = W·s + W·e`, so `projected(by:)` projects
/// each real row once and each table row once: padded pages cost nothing, and when the
/// summaries are constants (cached features) no gradient flows back through the rows.
/// Training reads `memory` itself, assembled once per batch: its attention layers apply the
/// projections on the query side (`MultiHeadAttention.packedCrossAttention`, `CopyHead`).
public struct FiDMemory: Sendable, ProjectableMemory {
    /// A table of vectors added to the memory slots: slot i gets `table[index[i]]`.
    public struct AddedTable: Sendable {
        /// `[T, d]`.
        public let table: Tensor
        /// `[B·P·K]` rows of `table`.
        public let index: [Int32]

        public init(table: Tensor, index: [Int32]) {
            self.table = table
            self.index = index
        }
    }

    /// `[N, d]`: the summary rows the slots read (N = real pages × K, or B·P·K when dense).
    public let rows: Tensor
    /// `[B·P·K]`: each slot's row in `rows`, −1 for a zero row; nil when slot i reads row i.
    public let rowOfSlot: [Int32]?
    /// Tables added to every slot (page and slot embeddings).
    public let addedTables: [AddedTable]
    /// Each slot's row in the tables' combined table (every index tuple, the first table's
    /// index varying slowest), computed once for all projections.
    let combinedIndex: [Int32]
    /// B.
    public let batchSize: Int
    /// `[B, P·K]`.
    public let keyBias: Tensor
    /// P.
    public let pageCount: Int
    /// K.
    public let summaryTokens: Int
    /// `[B, P·K]` source token of every slot, −1 where a slot reads no single token.
    public let slotTokens: [Int32]

    /// A dense memory `[B, P·K, d]`. `slotTokens` nil: no slot has a source token.
    public init(memory: Tensor, keyBias: Tensor, pageCount: Int, summaryTokens: Int, slotTokens: [Int32]? = nil) {
        precondition(memory.rank == 3 && memory.shape[1] == pageCount * summaryTokens,
                     "FiDMemory: memory \(memory.shape) is not [B, P·K, d] with P = \(pageCount), K = \(summaryTokens)")
        self.init(rows: memory.reshaped([memory.shape[0] * memory.shape[1], memory.shape[2]]), rowOfSlot: nil, addedTables: [],
                  batchSize: memory.shape[0], keyBias: keyBias, pageCount: pageCount, summaryTokens: summaryTokens, slotTokens: slotTokens)
    }

    /// A factored memory (see the type's description).
    public init(rows: Tensor, rowOfSlot: [Int32]?, addedTables: [AddedTable], batchSize: Int, keyBias: Tensor,
                pageCount: Int, summaryTokens: Int, slotTokens: [Int32]? = nil) {
        let slots = batchSize * pageCount * summaryTokens
        precondition(rows.rank == 2, "FiDMemory: rows \(rows.shape) are not [N, d]")
        precondition(rowOfSlot.map { $0.count == slots && $0.allSatisfy { $0 >= -1 && Int($0) < rows.shape[0] } } ?? (rows.shape[0] == slots),
                     "FiDMemory: slot rows do not index \(rows.shape[0]) rows for [B, P·K] = [\(batchSize), \(pageCount * summaryTokens)]")
        for added in addedTables {
            precondition(added.table.rank == 2 && added.table.shape[1] == rows.shape[1] && added.index.count == slots
                         && added.index.allSatisfy { $0 >= 0 && Int($0) < added.table.shape[0] },
                         "FiDMemory: an added table \(added.table.shape) with \(added.index.count) indices does not fit \(slots) slots of width \(rows.shape[1])")
        }
        precondition(keyBias.shape == [batchSize, pageCount * summaryTokens],
                     "FiDMemory: key bias \(keyBias.shape) is not [B, P·K] = [\(batchSize), \(pageCount * summaryTokens)]")
        precondition(slotTokens == nil || slotTokens!.count == slots,
                     "FiDMemory: \(slotTokens!.count) slot tokens for [B, P·K] = [\(batchSize), \(pageCount * summaryTokens)]")
        self.rows = rows
        self.rowOfSlot = rowOfSlot
        self.addedTables = addedTables
        var combined = addedTables.first?.index ?? []
        for added in addedTables.dropFirst() {
            let n = Int32(added.table.shape[0])
            for i in combined.indices { combined[i] = combined[i] * n + added.index[i] }
        }
        self.combinedIndex = combined
        self.batchSize = batchSize
        self.keyBias = keyBias
        self.pageCount = pageCount
        self.summaryTokens = summaryTokens
        self.slotTokens = slotTokens ?? [Int32](repeating: -1, count: slots)
    }

    /// P·K, the memory length M.
    public var slotCount: Int { pageCount * summaryTokens }

    /// d.
    public var modelDim: Int { rows.shape[1] }

    /// `linear` at every slot, `[B, P·K, out]`: the real rows and the table rows are each
    /// projected once, then gathered per slot (padded slots: the tables' terms only).
    public func projected(by linear: Linear) -> Tensor {
        assembled(rows: linear(rows)) { $0.matmul(linear.weight, transposeB: true) }
    }

    /// The dense memory `[B, P·K, d]`.
    public var memory: Tensor { assembled(rows: rows) { $0 } }

    /// Each slot's row of `rows` plus its rows of the added tables, each table first mapped by
    /// `transform` (a projection, or none): `[B, P·K, width]`.
    private func assembled(rows: Tensor, transform: (Tensor) -> Tensor) -> Tensor {
        let slots = batchSize * slotCount, width = rows.shape[1]
        guard let first = addedTables.first else {
            let out = rowOfSlot.map { rows.gatherRows($0, shape: [slots]) } ?? rows
            return out.reshaped([batchSize, slotCount, width])
        }
        // The tables are combined into one small table of every index tuple (pages × slots
        // rows), so each slot reads one row of it and one summary row.
        var table = transform(first.table)
        for added in addedTables.dropFirst() {
            let n = added.table.shape[0]
            table = (table.reshaped([table.shape[0], 1, width]) + transform(added.table).reshaped([1, n, width]))
                .reshaped([table.shape[0] * n, width])
        }
        return Tensor.gatherRowsSum(rows, rowOfSlot, table, combinedIndex, shape: [batchSize, slotCount])
    }

    /// The memory with every slot masked but those of page `pages[b]` of question b (hard
    /// routing of the decoder to one page).
    public func keepingOnly(pages: [Int]) -> FiDMemory {
        let b = batchSize, m = slotCount
        precondition(pages.count == b, "FiDMemory.keepingOnly: \(pages.count) pages for \(b) questions")
        var extra = [Float](repeating: -1e9, count: b * m)
        for q in 0..<b {
            for k in 0..<summaryTokens { extra[q * m + pages[q] * summaryTokens + k] = 0 }
        }
        let bias = keyBias + Tensor(extra, shape: [b, m]).converted(to: keyBias.dtype)
        return FiDMemory(rows: rows, rowOfSlot: rowOfSlot, addedTables: addedTables, batchSize: b, keyBias: bias,
                         pageCount: pageCount, summaryTokens: summaryTokens, slotTokens: slotTokens)
    }

    /// The memory of a re-ordered batch: row `i` is row `indices[i]` of this one (beam
    /// search expands each question to its beams).
    public func selectingBatch(_ indices: [Int32]) -> FiDMemory {
        // Only the per-slot indices move; the stored rows and tables are shared.
        let m = slotCount
        let identity = (0..<Int32(batchSize * m)).map { $0 }
        return FiDMemory(rows: rows, rowOfSlot: selectBatchRows(rowOfSlot ?? identity, width: m, indices),
                         addedTables: addedTables.map { AddedTable(table: $0.table, index: selectBatchRows($0.index, width: m, indices)) },
                         batchSize: indices.count, keyBias: selectBatchRows(keyBias, indices),
                         pageCount: pageCount, summaryTokens: summaryTokens,
                         slotTokens: selectBatchRows(slotTokens, width: m, indices))
    }
}

/// Rows `indices` of a row-major `[B, width]` array.
func selectBatchRows(_ values: [Int32], width: Int, _ indices: [Int32]) -> [Int32] {
    var out: [Int32] = []
    out.reserveCapacity(indices.count * width)
    for i in indices { out += values[(Int(i) * width)..<((Int(i) + 1) * width)] }
    return out
}

/// Rows `indices` of `t` along axis 0 (`[B, ...]` → `[indices.count, ...]`).
func selectBatchRows(_ t: Tensor, _ indices: [Int32]) -> Tensor {
    let inner = Array(t.shape.dropFirst())
    return t.reshaped([t.shape[0], inner.reduce(1, *)])
        .gatherRows(indices, shape: [indices.count])
        .reshaped([indices.count] + inner)
}
