import XCTest
import Models
import NeuralNet
import TensorCore
import TestSupport

/// After one backward pass of the full loss, every parameter the switches use has a
/// non-zero gradient, and the gradients agree with finite differences of the loss.
final class GradientFlowTests: XCTestCase {
    static let allTerms = LossWeights(page: 1, span: 0.7, contains: 0.3)

    /// The full loss; with the copy path, slot 0 of every real page additionally reads the
    /// question's first target token, so the copy branch is exercised whatever the random
    /// pointer picked.
    static func loss(_ model: HiVT5, _ batch: QuestionBatch) -> LossBreakdown {
        var none: SeededRNG? = nil
        let e = model.encode(batch, rng: &none)
        guard model.decoder.copyHead != nil, var slots = e.slotTokens else { return model.loss(e, targets: batch.targets, weights: allTerms, rng: &none) }
        let k = e.summaries.shape[1], t = batch.targets.length
        for r in 0..<(e.batchSize * e.pageCount) where e.pageValid[r] { slots[r * k] = batch.targets.labels[(r / e.pageCount) * t] }
        let forced = EncodedQuestions(batchSize: e.batchSize, pageCount: e.pageCount, summaries: e.summaries,
                                      probeSummaries: e.probeSummaries, tokenStates: e.tokenStates, pageValid: e.pageValid,
                                      slotTokens: slots, pageIndices: e.pageIndices)
        return model.loss(forced, targets: batch.targets, weights: allTerms, rng: &none)
    }

    func testEveryUsedParameterReceivesAGradient() {
        let setups: [(HiVT5Configuration.Summarizer, HiVT5Configuration.Pooling, Bool, HiVT5Configuration.Visual, Bool)] = [
            (.pageTokens, .attention, true, .patches, true),
            (.queries, .attention, true, .patches, false),
            (.queries, .max, false, .none, true),
            (.pointer, .mean, true, .none, false),
        ]
        for ((summarizer, pooling, layout, visual, probe), copy) in setups.flatMap({ s in [(s, false), (s, true)] }) {
            var rng = SeededRNG(seed: 51)
            let model = HiVT5(TinyModels.configuration(summarizer: summarizer, pooling: pooling, layout: layout, visual: visual,
                                                       copy: copy), rng: &rng)
            let batch = TinyModels.randomBatch(pagesPerQuestion: [3, 2], probe: probe, patches: visual == .patches, seed: 52)
            model.zeroGrad()
            Self.loss(model, batch).total.backward()
            for (name, parameter) in model.namedParameters {
                // The page scores go through a softmax over pages, which is shift-invariant: the
                // score's bias (shared by every page) gets Σ_p (softmax_p − onehot_p) = 0 from
                // the page loss and only the contains loss moves it.
                if name == "pageHead.scoreOutput.bias" { continue }
                guard let grad = parameter.grad else {
                    XCTFail("\(summarizer)/\(pooling)/layout \(layout)/\(visual)/probe \(probe): \(name) has no gradient")
                    continue
                }
                XCTAssertTrue(grad.doubles.contains { $0 != 0 }, "\(summarizer)/\(pooling): \(name) has an all-zero gradient")
            }
        }
    }

    /// Terms with weight 0 leave their heads without gradient (and only those).
    func testSwitchedOffTermsLeaveTheirHeadsUntouched() {
        var rng = SeededRNG(seed: 53)
        let model = HiVT5(TinyModels.configuration(), rng: &rng)
        let batch = TinyModels.randomBatch(pagesPerQuestion: [2, 2], seed: 54)
        model.zeroGrad()
        model.loss(batch, weights: LossWeights(page: 1, span: 0, contains: 0)).total.backward()
        for (name, parameter) in model.namedParameters {
            let unused = name.hasPrefix("spanHead.") || name.hasPrefix("pageHead.containsOutput.")
            XCTAssertEqual(parameter.grad == nil, unused, "\(name): gradient present = \(parameter.grad != nil)")
        }
    }

    /// d(loss)/dθ from autograd matches central differences in Float64 for entries of every
    /// parameter tensor (the largest-gradient entry and two random ones).
    func testGradientsMatchFiniteDifferences() {
        let setups = HiVT5Configuration.Summarizer.allCases.map { ($0, false) } + [(.pointer, true), (.pageTokens, true)]
        for (summarizer, copy) in setups {
            var rng = SeededRNG(seed: 61)
            var config = TinyModels.configuration(summarizer: summarizer, pooling: .attention, visual: .patches, modelDim: 8, copy: copy)
            config.pointerEndFeature = copy  // the copy setups also check the pointer's end feature
            let model = HiVT5(config, dtype: .float64, rng: &rng)
            let batch = TinyModels.randomBatch(pagesPerQuestion: [2, 1], length: 9, probe: true, patches: true, seed: 62)
            model.zeroGrad()
            Self.loss(model, batch).total.backward()
            var pick = SeededRNG(seed: 63)
            let eps = 1e-5
            for (name, parameter) in model.namedParameters {
                let grad = parameter.grad!.doubles
                var entries = [grad.indices.max { abs(grad[$0]) < abs(grad[$1]) }!]
                entries += [pick.nextInt(below: grad.count), pick.nextInt(below: grad.count)]
                for i in entries {
                    let saved = parameter.doubles[i]
                    func loss(at value: Double) -> Double {
                        parameter.withUnsafeMutableBufferPointer(as: Double.self) { $0[i] = value }
                        return withNoGrad { Self.loss(model, batch).total.item }
                    }
                    let numeric = (loss(at: saved + eps) - loss(at: saved - eps)) / (2 * eps)
                    parameter.withUnsafeMutableBufferPointer(as: Double.self) { $0[i] = saved }
                    XCTAssertEqual(grad[i], numeric, accuracy: 1e-6 + 1e-4 * abs(numeric), "\(summarizer) copy \(copy): d loss / d \(name)[\(i)]")
                }
            }
        }
    }
}
