import XCTest
import Models
import NeuralNet
import TensorCore

/// Every combination of pooling × summarizer × probe × layout × visual builds, trains one
/// step (finite loss, gradients) and generates.
final class SwitchCombinationTests: XCTestCase {
    func testEveryCombinationBuildsAndRuns() {
        var combinations = 0
        for pooling in HiVT5Configuration.Pooling.allCases {
            for summarizer in HiVT5Configuration.Summarizer.allCases {
                for probe in [false, true] {
                    for layout in [false, true] {
                        for (visual, copy) in HiVT5Configuration.Visual.allCases.flatMap({ v in [(v, false), (v, true)] }) {
                            let what = "\(pooling)/\(summarizer)/probe \(probe)/layout \(layout)/\(visual)/copy \(copy)"
                            var rng = SeededRNG(seed: 71)
                            let config = TinyModels.configuration(summarizer: summarizer, pooling: pooling, layout: layout,
                                                                  visual: visual, modelDim: 8, copy: copy)
                            let model = HiVT5(config, rng: &rng)
                            XCTAssertEqual(model.pageEncoder.layout != nil, layout, what)
                            XCTAssertEqual(model.pageEncoder.patchEmbedding != nil, visual == .patches, what)
                            XCTAssertEqual(model.pageEncoder.querySummarizer != nil, summarizer == .queries, what)
                            XCTAssertEqual(model.pageEncoder.pointerSummarizer != nil, summarizer == .pointer, what)
                            XCTAssertEqual(model.pageHead.poolingQuery != nil, pooling == .attention, what)

                            let batch = TinyModels.randomBatch(pagesPerQuestion: [2, 1], length: 9, probe: probe,
                                                               patches: visual == .patches, seed: 72)
                            let loss = model.loss(batch, weights: LossWeights(page: 1, span: 0.5, contains: 0.5))
                            XCTAssertTrue(loss.total.item.isFinite, "\(what): loss \(loss.total.item)")
                            model.zeroGrad()
                            loss.total.backward()
                            XCTAssertNotNil(model.tokenEmbedding.weight.grad, what)
                            let result = model.generate(batch, options: GenerationOptions(maxLength: 3, beams: 2))
                            XCTAssertEqual(result.tokens.count, 2, what)
                            XCTAssertEqual(result.pageScores.map(\.count), [2, 2], what)
                            combinations += 1
                        }
                    }
                }
            }
        }
        XCTAssertEqual(combinations, 192)  // 4 poolings × 3 summarizers × probe × layout × visual × copy
    }
}
