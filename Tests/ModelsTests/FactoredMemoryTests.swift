import XCTest
import Models
import NeuralNet
import TensorCore
import TestSupport

/// `FiDMemory` keeps real summary rows and small added tables; `projected(by:)` must equal
/// the projection of the dense memory, with the same gradients.
final class FactoredMemoryTests: XCTestCase {
    /// 3 questions of up to 3 pages (K = 2, d = 4); question 1 has one real page.
    let pageValid = [true, true, true, true, false, false, true, true, false]
    let b = 3, p = 3, k = 2, d = 4

    /// Each slot's row among the real pages' rows, −1 on padded pages.
    var rowOfSlot: [Int32] {
        var index: [Int32] = [], next: Int32 = 0
        for page in 0..<(b * p) {
            for _ in 0..<k {
                if pageValid[page] { index.append(next); next += 1 } else { index.append(-1) }
            }
        }
        return index
    }

    func factored(rows: Tensor, pageTable: Tensor, slotTable: Tensor) -> FiDMemory {
        let slots = b * p * k
        let pages = (0..<slots).map { Int32(($0 % (p * k)) / k) }, slotIndex = (0..<slots).map { Int32($0 % k) }
        let valid = (0..<slots).map { pageValid[$0 / k] }
        return FiDMemory(rows: rows, rowOfSlot: rowOfSlot,
                         addedTables: [.init(table: pageTable, index: pages), .init(table: slotTable, index: slotIndex)],
                         batchSize: b, keyBias: AttentionMask.keyBias(valid: valid, batch: b, length: p * k, dtype: rows.dtype),
                         pageCount: p, summaryTokens: k)
    }

    func testProjectionEqualsTheDenseMemorysOnRealSlots() {
        var rng = SeededRNG(seed: 5)
        let real = pageValid.filter { $0 }.count * k
        let memory = factored(rows: Tensor.randn([real, d], dtype: .float64, rng: &rng),
                              pageTable: Tensor.randn([5, d], dtype: .float64, rng: &rng), slotTable: Tensor.randn([k, d], dtype: .float64, rng: &rng))
        let linear = Linear(weight: Tensor.randn([3, d], dtype: .float64, rng: &rng), bias: Tensor.randn([3], dtype: .float64, rng: &rng))
        let projected = memory.projected(by: linear).doubles, dense = linear(memory.memory).doubles
        for slot in 0..<(b * p * k) where pageValid[slot / k] {
            assertClose(Array(projected[(slot * 3)..<(slot * 3 + 3)]), Array(dense[(slot * 3)..<(slot * 3 + 3)]), rtol: 1e-12, atol: 1e-12, "slot \(slot)")
        }
        // Beam search re-orders questions: only the indices move.
        let order: [Int32] = [2, 0, 0, 1]
        let selected = memory.selectingBatch(order)
        assertClose(selected.memory, FiDMemory(memory: memory.memory, keyBias: memory.keyBias, pageCount: p, summaryTokens: k).selectingBatch(order).memory,
                    rtol: 1e-12, atol: 1e-12, "selected memory")
        let selectedProjected = selected.projected(by: linear).doubles, selectedDense = linear(selected.memory).doubles
        for slot in 0..<(order.count * p * k) where pageValid[Int(order[slot / (p * k)]) * p + (slot % (p * k)) / k] {
            assertClose(Array(selectedProjected[(slot * 3)..<(slot * 3 + 3)]), Array(selectedDense[(slot * 3)..<(slot * 3 + 3)]),
                        rtol: 1e-12, atol: 1e-12, "selected slot \(slot)")
        }
    }

    /// Gradients of the rows, both tables and the projection weight, by finite differences.
    func testProjectionGradients() {
        var rng = SeededRNG(seed: 6)
        let real = pageValid.filter { $0 }.count * k
        let inputs = [Tensor.randn([real, d], dtype: .float64, rng: &rng), Tensor.randn([4, d], dtype: .float64, rng: &rng),
                      Tensor.randn([k, d], dtype: .float64, rng: &rng), Tensor.randn([3, d], dtype: .float64, rng: &rng)]
        checkGradients(inputs, "factored memory projection") { xs in
            self.factored(rows: xs[0], pageTable: xs[1], slotTable: xs[2]).projected(by: Linear(weight: xs[3]))
        }
    }
}
