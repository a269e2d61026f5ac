import XCTest
import Models
import NeuralNet
import TensorCore

/// Pages of a training window are tagged with their document page index, so the page-index
/// embedding rows the evaluator uses on long documents are the ones training updates.
final class PageIndexTests: XCTestCase {
    func testWindowPagesTrainTheirDocumentRows() {
        var rng = SeededRNG(seed: 81)
        let model = HiVT5(TinyModels.configuration(), rng: &rng)
        var batch = TinyModels.randomBatch(pagesPerQuestion: [2], seed: 82)
        batch.pageIndices = [2, 3]
        model.zeroGrad()
        model.loss(batch, weights: LossWeights(page: 1)).total.backward()
        let grad = model.pageMemory.pageEmbedding.weight.grad!.doubles, d = model.configuration.modelDim
        for row in 0..<model.configuration.maxPages {
            let moved = grad[(row * d)..<((row + 1) * d)].contains { $0 != 0 }
            XCTAssertEqual(moved, row >= 2, "page-index row \(row)")
        }
    }

    func testDefaultPageIndicesAreThePageSlots() {
        var rng = SeededRNG(seed: 83)
        let model = HiVT5(TinyModels.configuration(), rng: &rng)
        var batch = TinyModels.randomBatch(pagesPerQuestion: [3, 2], seed: 84)
        let implicit = model.loss(batch).total.item
        batch.pageIndices = [0, 1, 2, 0, 1, 2]
        XCTAssertEqual(model.loss(batch).total.item, implicit)
    }
}
