import Foundation
import NeuralNet
import TensorCore
import TestSupport
import XCTest

/// THE reference test (llm.c's test_gpt2): a 2-layer encoder + 2-layer decoder T5-style
/// stack loaded from Fixtures/reference_weights.safetensors must reproduce PyTorch's
/// logits, loss, every parameter gradient and a 5-step AdamW loss curve
/// (Fixtures/reference_stack.py, an independent float64 implementation).
final class ReferenceStackTests: XCTestCase {
    struct Inputs: Decodable {
        struct Config: Decodable {
            let vocab: Int, d_model: Int, heads: Int, head_dim: Int, ffn: Int
            let encoder_layers: Int, decoder_layers: Int, num_buckets: Int, max_distance: Int, eps: Double
        }
        struct Optimizer: Decodable {
            let peak_lr: Double, warmup_steps: Int, total_steps: Int, min_lr: Double, beta1: Double, beta2: Double
            let eps: Double, weight_decay: Double, max_grad_norm: Double, steps: Int
        }
        struct Buckets: Decodable {
            let relative_positions: [Int]
            let bidirectional_32_128: [Int]
            let causal_32_128: [Int]
        }
        let config: Config
        let optimizer: Optimizer
        let batch: Int, encoder_length: Int, decoder_length: Int
        let encoder_ids: [[Int32]], encoder_valid: [[Int]], decoder_ids: [[Int32]], labels: [[Int32]]
        let parameter_order: [String]
        let buckets: Buckets
    }

    /// The stack of reference_stack.py: shared embedding, encoder, decoder, output projection.
    final class ReferenceStack: Module {
        let embedding: Embedding
        let encoder: EncoderStack
        let decoder: DecoderStack
        let outputProjection: Linear

        init(_ c: Inputs.Config, dtype: DType) {
            var rng = SeededRNG(seed: 99)  // overwritten by the checkpoint
            func config(layers: Int, activation: FeedForward.Activation) -> TransformerConfiguration {
                TransformerConfiguration(modelDim: c.d_model, heads: c.heads, headDim: c.head_dim, feedForwardDim: c.ffn,
                                         layers: layers, activation: activation, relativeBuckets: c.num_buckets,
                                         relativeMaxDistance: c.max_distance, normEpsilon: c.eps)
            }
            embedding = Embedding(count: c.vocab, dimension: c.d_model, dtype: dtype, rng: &rng)
            encoder = EncoderStack(config(layers: c.encoder_layers, activation: .gatedGELU), dtype: dtype, rng: &rng)
            decoder = DecoderStack(config(layers: c.decoder_layers, activation: .relu), dtype: dtype, rng: &rng)
            outputProjection = Linear(c.d_model, c.vocab, dtype: dtype, rng: &rng)
        }

        var namedParameters: [NamedParameter] {
            embedding.namedParameters(prefix: "embedding") + encoder.namedParameters(prefix: "encoder")
                + decoder.namedParameters(prefix: "decoder") + outputProjection.namedParameters(prefix: "outputProjection")
        }

        /// Logits `[B, Ld, V]` and the mean cross-entropy over non-ignored labels.
        func run(_ inputs: Inputs, dtype: DType) -> (logits: Tensor, loss: Tensor) {
            let b = inputs.batch, le = inputs.encoder_length, ld = inputs.decoder_length
            let keyBias = AttentionMask.keyBias(valid: inputs.encoder_valid.flatMap { $0.map { $0 != 0 } },
                                                batch: b, length: le, dtype: dtype)
            let memory = encoder(embedding(inputs.encoder_ids.flatMap { $0 }, shape: [b, le]), keyBias: keyBias)
            let hidden = decoder(embedding(inputs.decoder_ids.flatMap { $0 }, shape: [b, ld]), memory: memory,
                                 memoryKeyBias: keyBias)
            let logits = outputProjection(hidden)
            let loss = logits.reshaped([b * ld, -1]).crossEntropy(targets: inputs.labels.flatMap { $0 })
            return (logits, loss)
        }
    }

    var inputs: Inputs!
    var expected: SafeTensorsFile!
    var weights: SafeTensorsFile!

    override func setUpWithError() throws {
        inputs = try JSONDecoder().decode(Inputs.self, from: Data(contentsOf: FixtureFiles.url("reference_inputs.json")))
        expected = try SafeTensorsFile(contentsOf: FixtureFiles.url("reference_expected.safetensors"))
        weights = try SafeTensorsFile(contentsOf: FixtureFiles.url("reference_weights.safetensors"))
    }

    func makeModel(_ dtype: DType) throws -> ReferenceStack {
        let model = ReferenceStack(inputs.config, dtype: dtype)
        XCTAssertEqual(model.namedParameters.map(\.name), inputs.parameter_order, "parameter names and order")
        try model.loadParameters(from: weights)   // every file tensor used, every parameter present
        return model
    }

    func checkForwardAndGradients(_ dtype: DType, rtol: Double, atol: Double) throws {
        let model = try makeModel(dtype)
        let (logits, loss) = model.run(inputs, dtype: dtype)
        assertClose(logits, try expected.tensor("logits"), rtol: rtol, atol: atol, "logits \(dtype)")
        assertClose([loss.item], [try expected.tensor("loss").item], rtol: rtol, atol: 0, "loss \(dtype)")
        loss.backward()
        for (name, parameter) in model.namedParameters {
            guard let grad = parameter.grad else { XCTFail("no gradient for \(name)"); continue }
            let reference = try expected.tensor("grad." + name)
            // atol scaled to the tensor: elements far below its typical size carry only round-off.
            let scale = reference.doubles.map(abs).max() ?? 0
            assertClose(grad, reference, rtol: rtol, atol: atol * scale, "d\(name) \(dtype)")
        }
    }

    func testLogitsLossAndEveryGradientFloat32() throws {
        try checkForwardAndGradients(.float32, rtol: 1e-4, atol: 1e-5)
    }

    func testLogitsLossAndEveryGradientFloat64() throws {
        try checkForwardAndGradients(.float64, rtol: 1e-9, atol: 1e-12)
    }

    func checkAdamWRun(_ dtype: DType, rtol: Double) throws {
        let o = inputs.optimizer
        let model = try makeModel(dtype)
        let optimizer = AdamW(parameters: model.namedParameters, learningRate: o.peak_lr, beta1: o.beta1, beta2: o.beta2,
                              epsilon: o.eps, weightDecay: o.weight_decay)
        let schedule = try LearningRateSchedule(peak: o.peak_lr, warmupSteps: o.warmup_steps, totalSteps: o.total_steps,
                                            decay: .cosine, minimum: o.min_lr)
        var losses: [Double] = [], norms: [Double] = [], rates: [Double] = []
        for step in 0..<o.steps {
            optimizer.zeroGrad()
            let loss = model.run(inputs, dtype: dtype).loss
            losses.append(loss.item)
            loss.backward()
            norms.append(clipGradientNorm(model.parameters, maxNorm: o.max_grad_norm))
            optimizer.learningRate = schedule(step)
            rates.append(optimizer.learningRate)
            optimizer.update()
        }
        losses.append(withNoGrad { model.run(inputs, dtype: dtype).loss.item })
        assertClose(rates, try expected.tensor("adamw.learningRates").doubles, rtol: 1e-12, atol: 0, "learning rates")
        assertClose(losses, try expected.tensor("adamw.losses").doubles, rtol: rtol, atol: 0, "AdamW losses \(dtype)")
        assertClose(norms, try expected.tensor("adamw.gradNorms").doubles, rtol: rtol, atol: 0, "gradient norms \(dtype)")
        for name in ["outputProjection.weight", "decoder.finalNorm.weight"] {
            let parameter = model.namedParameters.first { $0.name == name }!.tensor
            assertClose(parameter, try expected.tensor("adamw.final." + name), rtol: rtol * 10, atol: rtol,
                        "\(name) after \(o.steps) steps \(dtype)")
        }
    }

    func testFiveAdamWStepsFloat32() throws {
        try checkAdamWRun(.float32, rtol: 1e-4)
    }

    func testFiveAdamWStepsFloat64() throws {
        try checkAdamWRun(.float64, rtol: 1e-9)
    }

    /// T5's bucket function at every offset in −300…300 for the standard 32 buckets / 128.
    func testRelativePositionBucketsMatchT5() {
        let range = inputs.buckets.relative_positions
        let offsets = Array(range[0]...range[1])
        XCTAssertEqual(offsets.map { RelativePositionBias.bucket(relativePosition: $0, bidirectional: true, numBuckets: 32, maxDistance: 128) },
                       inputs.buckets.bidirectional_32_128)
        XCTAssertEqual(offsets.map { RelativePositionBias.bucket(relativePosition: $0, bidirectional: false, numBuckets: 32, maxDistance: 128) },
                       inputs.buckets.causal_32_128)
    }
}
