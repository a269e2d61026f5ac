import NeuralNet
import TensorCore

/// One question at the reference shape, as `mpvqa bench` times it: a fixed input (random
/// token ids; summary slots are ids 1…K), the `ReferenceModel`, cross-entropy on the answer
/// tokens and AdamW over every parameter.
///
/// ```swift
/// let step = ReferenceStep(shape: .spec, seed: 1)
/// step.trainStep()                // forward, backward, AdamW
/// ```
public final class ReferenceStep: BenchmarkStep {
    public let model: ReferenceModel
    public let optimizer: AdamW
    /// `[P·L]`: every page's tokens, the first K of each being its summary slots.
    public let pageTokens: [Int32]
    /// `[T]`: the answer shifted right behind start id 0 (teacher forcing), and its targets.
    public let answerInputs: [Int32]
    public let answerTargets: [Int32]

    public init(shape: ReferenceShape, seed: UInt64) {
        var rng = SeededRNG(seed: seed)
        model = ReferenceModel(shape: shape, rng: &rng)
        optimizer = AdamW(parameters: model.namedParameters, learningRate: 1e-4, weightDecay: 0.01)
        let k = shape.summaryTokens, firstWord = k + 1
        func word() -> Int32 { Int32(firstWord + rng.nextInt(below: shape.vocab - firstWord)) }
        pageTokens = (0..<shape.pages * shape.tokensPerPage).map { i in
            let position = i % shape.tokensPerPage
            return position < k ? Int32(1 + position) : word()
        }
        let answer = (0..<shape.answerTokens).map { _ in word() }
        answerInputs = [0] + answer.dropLast()
        answerTargets = answer
    }

    /// The answer loss (scalar).
    public func loss() -> Tensor {
        model(pageTokens: pageTokens, answerInputs: answerInputs).crossEntropy(targets: answerTargets)
    }

    public func forward() {
        withNoGrad { _ = model(pageTokens: pageTokens, answerInputs: answerInputs) }
    }

    public func update() {
        optimizer.update()
        optimizer.zeroGrad()
    }
}
