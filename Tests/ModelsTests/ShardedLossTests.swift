import XCTest
import Models
import NeuralNet
import TensorCore
import TestSupport

/// Cached training's data-parallel step: a batch's loss and gradients computed as groups of
/// questions on separate threads equal the whole batch's, in Double.
final class ShardedLossTests: XCTestCase {
    /// Every term and every parameter gradient equal the unsharded `loss(…).total.backward()`,
    /// for 2 and 3 shards, with a question whose answer page is unknown (its shard's page
    /// term has fewer rows) and answers of different lengths.
    func testShardedLossAndGradientsEqualTheWholeBatchs() {
        var rng = SeededRNG(seed: 301)
        let model = HiVT5(TinyModels.configuration(summarizer: .pointer, copy: true), dtype: .float64, rng: &rng)
        var batch = TinyModels.randomBatch(pagesPerQuestion: [3, 1, 2, 4, 2], targetLength: 5, seed: 302)
        batch.targets.answerPage[1] = AnswerTargets.ignoreIndex
        let t = batch.targets.length
        for position in 2..<t { batch.targets.labels[2 * t + position] = AnswerTargets.ignoreIndex }
        let encoded = withNoGrad { model.encode(batch) }
        let weights = LossWeights(page: 0.7, span: 0, contains: 0.4)
        let parameters = model.namedParameters

        var none: SeededRNG? = nil
        let whole = model.loss(encoded, targets: batch.targets, weights: weights, rng: &none)
        whole.total.backward()
        let expected = parameters.map { $0.tensor.grad?.doubles }
        XCTAssertTrue(expected.contains { $0 != nil }, "the unsharded loss produced gradients")
        for p in parameters { p.tensor.zeroGrad() }

        for shards in [2, 3] {
            let sharded = model.shardedLossAndGradients(encoded, targets: batch.targets, weights: weights, shards: shards, rng: nil)
            XCTAssertEqual(sharded.shards.count, shards)
            XCTAssertEqual(sharded.total, whole.total.item, accuracy: 1e-12, "total, \(shards) shards")
            XCTAssertEqual(sharded.answer, whole.answer, accuracy: 1e-12, "answer, \(shards) shards")
            XCTAssertEqual(sharded.page, whole.page, accuracy: 1e-12, "page, \(shards) shards")
            XCTAssertEqual(sharded.contains, whole.contains, accuracy: 1e-12, "contains, \(shards) shards")
            for p in parameters { XCTAssertNil(p.tensor.grad, "\(p.name): gradients wait for addGradientsToParameters") }
            sharded.addGradientsToParameters()
            for (p, want) in zip(parameters, expected) {
                guard let want else {
                    XCTAssertNil(p.tensor.grad, "\(p.name) gets no gradient unsharded")
                    continue
                }
                assertClose(try! XCTUnwrap(p.tensor.grad, p.name).doubles, want, rtol: 1e-9, atol: 1e-12, "\(p.name), \(shards) shards")
            }
            for p in parameters { p.tensor.zeroGrad() }
        }
    }

    /// Shards are contiguous and non-empty, and the largest one costs as little as a
    /// contiguous split allows.
    func testShardsMinimiseTheLargestShard() {
        XCTAssertEqual(HiVT5.shardRanges(costs: [3, 1, 1, 1, 2, 2], count: 2), [0..<3, 3..<6], "5 and 5")
        XCTAssertEqual(HiVT5.shardRanges(costs: [4, 1, 1, 2, 2, 4], count: 3), [0..<2, 2..<5, 5..<6], "5, 5 and 4")
        XCTAssertEqual(HiVT5.shardRanges(costs: [1, 1, 1], count: 20), [0..<1, 1..<2, 2..<3], "at most one shard per question")
        XCTAssertEqual(HiVT5.shardRanges(costs: [2, 1, 3], count: 1), [0..<3])
        XCTAssertEqual(HiVT5.shardRanges(costs: [], count: 2), [])
    }

    /// A question's cost counts its answer positions and its real pages: T·(32 + P) + 4·P.
    func testShardCostsWeighAnswerPositionsAndPages() {
        var rng = SeededRNG(seed: 303)
        let model = HiVT5(TinyModels.configuration(), dtype: .float64, rng: &rng)
        let batch = TinyModels.randomBatch(pagesPerQuestion: [3, 1, 2], seed: 304)
        let encoded = withNoGrad { model.encode(batch) }
        let t = batch.targets.length
        let expected = [3, 1, 2].enumerated().map { q, pages in
            batch.targets.labels[(q * t)..<((q + 1) * t)].filter { $0 >= 0 }.count * (32 + pages) + 4 * pages
        }
        XCTAssertEqual(HiVT5.shardCosts(encoded, targets: batch.targets), expected)
        XCTAssertTrue(expected.allSatisfy { $0 > 4 * 3 }, "every question has answer positions: \(expected)")
    }
}
