import Foundation
import NeuralNet
import TensorCore
import TestSupport
import XCTest

final class AdamWTests: XCTestCase {
    /// Least squares `mean((x·W + b − y)²)` over a weight [3, 4] and a bias [4].
    final class Regression: Module {
        let weight: Tensor, bias: Tensor
        init(weight: Tensor, bias: Tensor) {
            self.weight = weight.copy().requiringGrad()
            self.bias = bias.copy().requiringGrad()
        }
        var namedParameters: [NamedParameter] { [("weight", weight), ("bias", bias)] }
        func loss(_ x: Tensor, _ y: Tensor) -> Tensor {
            let r = x.matmul(weight) + bias - y
            return (r * r).sumToShape([]) / Double(r.count)
        }
    }

    func testMatchesTorchAdamWStepByStep() throws {
        let file = try SafeTensorsFile(contentsOf: FixtureFiles.url("adamw_reference.safetensors"))
        let x = try file.tensor("x"), y = try file.tensor("y")
        let model = Regression(weight: try file.tensor("initial.weight"), bias: try file.tensor("initial.bias"))
        let optimizer = AdamW(parameters: model.namedParameters, learningRate: 0, beta1: 0.8, beta2: 0.95,
                              epsilon: 1e-6, weightDecay: 0.2)
        XCTAssertEqual(optimizer.decays, [true, false], "default: decay matrices, not vectors")
        for (k, lr) in try file.tensor("learningRates").doubles.enumerated() {
            model.zeroGrad()
            model.loss(x, y).backward()
            optimizer.learningRate = lr
            optimizer.update()
            XCTAssertEqual(optimizer.stepCount, k + 1)
            assertClose(model.weight, try file.tensor("step.\(k + 1).weight"), rtol: 1e-10, atol: 1e-12, "weight after step \(k + 1)")
            assertClose(model.bias, try file.tensor("step.\(k + 1).bias"), rtol: 1e-10, atol: 1e-12, "bias after step \(k + 1)")
        }
    }

    /// A Float buffer long enough to be split over threads, with a tail that is not a multiple
    /// of the vector width, equals a plain scalar AdamW in Float bit for bit.
    func testLongFloatBufferMatchesScalarUpdateExactly() {
        let n = 100_003
        var rng = SeededRNG(seed: 3)
        let initial = (0..<n).map { _ in Float(rng.nextUniform() * 2 - 1) }
        let grads = [(0..<n).map { _ in Float(rng.nextUniform() * 2 - 1) }, (0..<n).map { _ in Float(rng.nextUniform() - 0.5) }]
        let weight = Tensor(initial, shape: [n]).requiringGrad()
        let optimizer = AdamW(parameters: [("weight", weight)], learningRate: 1e-2, beta1: 0.9, beta2: 0.99,
                              epsilon: 1e-8, weightDecay: 0.1, decayWhere: { _ in true })
        var p = initial, m = [Float](repeating: 0, count: n), v = [Float](repeating: 0, count: n)
        for (k, g) in grads.enumerated() {
            weight.zeroGrad()
            (weight * Tensor(g, shape: [n])).sumToShape([]).backward()
            optimizer.update()
            let t = Double(k + 1)
            let stepSize = Float(1e-2 / (1 - pow(0.9, t))), invSqrtC2 = Float(1 / (1 - pow(0.99, t)).squareRoot())
            let decay = Float(1 - 1e-2 * 0.1), b1 = Float(0.9), b2 = Float(0.99), eps = Float(1e-8)
            let oneMinusB1 = Float(1 - 0.9), oneMinusB2 = Float(1 - 0.99)
            for i in 0..<n {
                m[i] = b1 * m[i] + oneMinusB1 * g[i]
                v[i] = b2 * v[i] + oneMinusB2 * g[i] * g[i]
                p[i] = p[i] * decay - stepSize * m[i] / (v[i].squareRoot() * invSqrtC2 + eps)
            }
            XCTAssertEqual(weight.scalars, p, "after step \(k + 1)")
        }
    }

    func testParameterWithoutGradientIsLeftAlone() {
        let used = Tensor([1, 2], shape: [2]).requiringGrad()
        let unused = Tensor([3, 4], shape: [2]).requiringGrad()
        let optimizer = AdamW(parameters: [("used", used), ("unused", unused)], learningRate: 0.1, weightDecay: 0.5,
                              decayWhere: { _ in true })
        (used * used).sumToShape([]).backward()
        optimizer.update()
        XCTAssertEqual(unused.scalars, [3, 4])
        // First step of Adam moves every coordinate by lr (m̂/√v̂ = sign(g)) after decay.
        assertClose(used.doubles, [1 * 0.95 - 0.1, 2 * 0.95 - 0.1], rtol: 1e-6, atol: 1e-6, "first step")
    }

    /// Saving after 3 steps and resuming in a fresh model and optimiser gives exactly the
    /// parameters of an uninterrupted run.
    func testResumeFromSavedStateIsBitIdentical() throws {
        let file = try SafeTensorsFile(contentsOf: FixtureFiles.url("adamw_reference.safetensors"))
        let x = try file.tensor("x").converted(to: .float32), y = try file.tensor("y").converted(to: .float32)
        let w0 = try file.tensor("initial.weight").converted(to: .float32)
        let b0 = try file.tensor("initial.bias").converted(to: .float32)
        func run(_ model: Regression, _ optimizer: AdamW, steps: Range<Int>) {
            for step in steps {
                model.zeroGrad()
                model.loss(x, y).backward()
                optimizer.learningRate = 0.05 / Double(step + 1)
                optimizer.update()
            }
        }
        let straight = Regression(weight: w0, bias: b0)
        let straightOpt = AdamW(parameters: straight.namedParameters, learningRate: 0, weightDecay: 0.1)
        run(straight, straightOpt, steps: 0..<8)

        let first = Regression(weight: w0, bias: b0)
        let firstOpt = AdamW(parameters: first.namedParameters, learningRate: 0, weightDecay: 0.1)
        run(first, firstOpt, steps: 0..<3)
        let url = try FixtureFiles.temporaryDirectory().appendingPathComponent("ckpt.safetensors")
        try SafeTensors.write(first.namedParameters(prefix: "model") + firstOpt.stateTensors(),
                              metadata: firstOpt.stateMetadata(), to: url)

        let resumed = Regression(weight: Tensor.zeros([3, 4]), bias: Tensor.zeros([4]))
        let resumedOpt = AdamW(parameters: resumed.namedParameters, learningRate: 0, weightDecay: 0.1)
        let checkpoint = try SafeTensorsFile(contentsOf: url)
        try resumed.loadParameters(from: checkpoint, prefix: "model")
        try resumedOpt.loadState(from: checkpoint)
        XCTAssertEqual(resumedOpt.stepCount, 3)
        run(resumed, resumedOpt, steps: 3..<8)
        XCTAssertEqual(resumed.weight.scalars, straight.weight.scalars)
        XCTAssertEqual(resumed.bias.scalars, straight.bias.scalars)
    }

    func testLoadStateNamesTheMissingMoment() throws {
        let w = Tensor.zeros([2, 2]).requiringGrad()
        let optimizer = AdamW(parameters: [("w", w)], learningRate: 0.1)
        let data = SafeTensors.encode([("optimizer.firstMoment.w", Tensor.zeros([2, 2]))], metadata: ["optimizer.step": "4"])
        XCTAssertThrowsError(try optimizer.loadState(from: SafeTensorsFile(data: data, source: "opt.safetensors"))) { error in
            XCTAssertEqual("\(error)", "opt.safetensors: missing tensor 'optimizer.secondMoment.w' (model expects shape [2, 2])")
        }
    }
}
