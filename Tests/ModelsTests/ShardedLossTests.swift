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

    /// Shards are contiguous and non-empty, and the largest one holds as few real pages as a
    /// contiguous split allows.
    func testShardsMinimiseTheLargestShard() {
        var rng = SeededRNG(seed: 303)
        let model = HiVT5(TinyModels.configuration(), dtype: .float64, rng: &rng)
        func ranges(_ pages: [Int], _ count: Int) -> [Range<Int>] {
            let encoded = withNoGrad { model.encode(TinyModels.randomBatch(pagesPerQuestion: pages, seed: 304)) }
            return HiVT5.shardRanges(encoded, count: count)
        }
        XCTAssertEqual(ranges([3, 1, 1, 1, 2, 2], 2), [0..<3, 3..<6], "5 and 5 pages")
        XCTAssertEqual(ranges([4, 1, 1, 2, 2, 4], 3), [0..<2, 2..<5, 5..<6], "5, 5 and 4 pages")
        XCTAssertEqual(ranges([1, 1, 1], 20), [0..<1, 1..<2, 2..<3], "at most one shard per question")
        XCTAssertEqual(ranges([2, 1, 3], 1), [0..<3])
    }
}
