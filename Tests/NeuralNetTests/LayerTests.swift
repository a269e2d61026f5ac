import Foundation
import NeuralNet
import TensorCore
import TestSupport
import XCTest

final class LayerTests: XCTestCase {
    /// The layers of Fixtures/layers_reference.py, named as in that file.
    final class Composite: Module {
        let norm = LayerNorm(8, dtype: .float64)
        let ffn: FeedForward
        let attention: MultiHeadAttention
        let projection: Linear
        let embedding: Embedding

        init() {
            var rng = SeededRNG(seed: 0)   // overwritten by the fixture
            ffn = FeedForward(modelDim: 8, hiddenDim: 16, activation: .gelu, dtype: .float64, rng: &rng)
            attention = MultiHeadAttention(modelDim: 8, heads: 2, headDim: 3, scale: 1 / 3.0.squareRoot(), dtype: .float64, rng: &rng)
            projection = Linear(8, 8, bias: true, dtype: .float64, rng: &rng)
            embedding = Embedding(count: 4, dimension: 8, dtype: .float64, rng: &rng)
        }

        var namedParameters: [NamedParameter] {
            norm.namedParameters(prefix: "norm") + ffn.namedParameters(prefix: "ffn")
                + attention.namedParameters(prefix: "attention") + projection.namedParameters(prefix: "projection")
                + embedding.namedParameters(prefix: "embedding")
        }
    }

    func testLayerNormGeluFeedForwardAttentionLinearAndEmbeddingMatchTorch() throws {
        let file = try SafeTensorsFile(contentsOf: FixtureFiles.url("layers_reference.safetensors"))
        let model = Composite()
        try model.loadParameters(from: file, allowUnused: true)
        let x = try file.tensor("x").requiringGrad()
        let keyBias = AttentionMask.keyBias(valid: [true, true, true, true, true, true, true, true, true, false],
                                            batch: 2, length: 5, dtype: .float64)
        var h = model.norm(x)
        h = h + model.ffn(h)
        let a = model.attention(h, context: try file.tensor("context"), keyBias: keyBias)
        let y = model.projection(a) + model.embedding([0, 2, -1, 1, -1, 3], shape: [2, 3])
        assertClose(y, try file.tensor("y"), rtol: 1e-10, atol: 1e-12, "y")
        (y * (try file.tensor("r"))).sumToShape([]).backward()
        assertClose(x.grad!, try file.tensor("grad.x"), rtol: 1e-10, atol: 1e-12, "dx")
        for (name, p) in model.namedParameters {
            assertClose(p.grad!, try file.tensor("grad." + name), rtol: 1e-10, atol: 1e-12, "d\(name)")
        }
    }

    func makeDecoder() -> (DecoderStack, memory: Tensor, mask: Tensor, targets: Tensor) {
        var rng = SeededRNG(seed: 21)
        let config = TransformerConfiguration(modelDim: 12, heads: 3, feedForwardDim: 20, layers: 2, activation: .gatedGELU,
                                              relativeBuckets: 8, relativeMaxDistance: 6)
        let decoder = DecoderStack(config, dtype: .float64, rng: &rng)
        let memory = Tensor.randn([2, 5, 12], dtype: .float64, rng: &rng)
        let mask = AttentionMask.keyBias(validLengths: [5, 3], length: 5, dtype: .float64)
        let targets = Tensor.randn([2, 7, 12], dtype: .float64, rng: &rng)
        return (decoder, memory, mask, targets)
    }

    /// Decoding in chunks with the KV cache reproduces the full causal forward pass,
    /// including the relative position bias of the later positions (offsets up to 6).
    func testCachedDecodingMatchesFullForward() {
        let (decoder, memory, mask, targets) = makeDecoder()
        let full = decoder(targets, memory: memory, memoryKeyBias: mask)
        var cache = decoder.makeCache(memory: memory, memoryKeyBias: mask)
        var start = 0
        for chunk in [1, 2, 1, 3] {
            let out = decoder.step(targets.slice(axis: 1, start..<start + chunk), cache: &cache)
            assertClose(out.output, full.slice(axis: 1, start..<start + chunk), rtol: 1e-10, atol: 1e-12,
                        "positions \(start)..<\(start + chunk)")
            start += chunk
            XCTAssertEqual(cache.length, start)
        }
    }

    func testCrossAttentionWeightsOfADecodingStep() {
        let (decoder, memory, mask, targets) = makeDecoder()
        var cache = decoder.makeCache(memory: memory, memoryKeyBias: mask)
        let out = decoder.step(targets.slice(axis: 1, 0..<1), cache: &cache, returnCrossAttentionWeights: true)
        XCTAssertEqual(out.crossAttentionWeights.count, 2, "one per layer")
        for w in out.crossAttentionWeights {
            XCTAssertEqual(w.shape, [2, 3, 1, 5])
            let p = w.doubles
            for row in 0..<6 {
                let r = Array(p[row * 5..<(row + 1) * 5])
                XCTAssertEqual(r.reduce(0, +), 1, accuracy: 1e-12)
                if row >= 3 { XCTAssertEqual(Array(r[3...]), [0, 0], "padded memory of example 1 gets no mass") }
            }
        }
    }

    /// Beam search re-orders the batch: a selected cache continues exactly like decoding
    /// the selected examples from the start.
    func testSelectingBatchOfTheCache() {
        let (decoder, memory, mask, targets) = makeDecoder()
        var cache = decoder.makeCache(memory: memory, memoryKeyBias: mask)
        _ = decoder.step(targets.slice(axis: 1, 0..<2), cache: &cache)
        var selected = cache.selectingBatch([1, 1, 0])
        let reordered = Tensor.concat([targets.slice(axis: 0, 1..<2), targets.slice(axis: 0, 1..<2), targets.slice(axis: 0, 0..<1)], axis: 0)
        let next = decoder.step(reordered.slice(axis: 1, 2..<3), cache: &selected).output
        let fullMemory = Tensor.concat([memory.slice(axis: 0, 1..<2), memory.slice(axis: 0, 1..<2), memory.slice(axis: 0, 0..<1)], axis: 0)
        let fullMask = AttentionMask.keyBias(validLengths: [3, 3, 5], length: 5, dtype: .float64)
        let full = decoder(reordered.slice(axis: 1, 0..<3), memory: fullMemory, memoryKeyBias: fullMask)
        assertClose(next, full.slice(axis: 1, 2..<3), rtol: 1e-10, atol: 1e-12, "third position after selection")
    }

    func testDropoutIsASwitch() {
        let x = Tensor.ones([4000])
        var inference: SeededRNG? = nil
        XCTAssertEqual(Dropout(rate: 0.25)(x, rng: &inference).scalars, x.scalars, "nil generator: identity")
        var training: SeededRNG? = SeededRNG(seed: 3)
        XCTAssertEqual(Dropout(rate: 0)(x, rng: &training).scalars, x.scalars, "rate 0: identity")
        XCTAssertEqual(training, SeededRNG(seed: 3), "rate 0 draws nothing")
        let y = Dropout(rate: 0.25)(x, rng: &training).scalars
        let zeros = y.filter { $0 == 0 }.count
        XCTAssertEqual(Double(zeros) / 4000, 0.25, accuracy: 0.03)
        XCTAssertTrue(y.allSatisfy { $0 == 0 || abs($0 - 4.0 / 3.0) < 1e-6 }, "survivors scaled by 1/(1 − rate)")
        var again: SeededRNG? = SeededRNG(seed: 3)
        XCTAssertEqual(Dropout(rate: 0.25)(x, rng: &again).scalars, y, "same seed, same mask")
    }

    func testKeyBiasBuilders() {
        XCTAssertEqual(AttentionMask.keyBias(validLengths: [2, 0], length: 3).doubles, [0, 0, -1e9, -1e9, -1e9, -1e9])
        XCTAssertEqual(AttentionMask.keyBias(valid: [true, false, true, true], batch: 2, length: 2).doubles, [0, -1e9, 0, 0])
    }

    func testStackParameterNamesAndCounts() {
        var rng = SeededRNG(seed: 1)
        let config = TransformerConfiguration(modelDim: 16, heads: 2, headDim: 4, feedForwardDim: 24, layers: 3,
                                              activation: .gatedGELU, relativeBuckets: 10)
        let encoder = EncoderStack(config, rng: &rng)
        let inner = 2 * 4
        let perLayer = 2 * 16 + 4 * 16 * inner + 3 * 16 * 24
        XCTAssertEqual(encoder.parameterCount, 10 * 2 + 3 * perLayer + 16)
        XCTAssertEqual(encoder.layers[2].namedParameters(prefix: "layers.2").map(\.name), [
            "layers.2.selfAttentionNorm.weight", "layers.2.selfAttention.query.weight", "layers.2.selfAttention.key.weight",
            "layers.2.selfAttention.value.weight", "layers.2.selfAttention.output.weight", "layers.2.feedForwardNorm.weight",
            "layers.2.feedForward.gate.weight", "layers.2.feedForward.up.weight", "layers.2.feedForward.down.weight",
        ])
        let decoder = DecoderStack(TransformerConfiguration(modelDim: 16, heads: 2, feedForwardDim: 24, layers: 1, activation: .relu), rng: &rng)
        XCTAssertEqual(decoder.parameterCount, 32 * 2 + (3 * 16 + 8 * 16 * 16 + 2 * 16 * 24) + 16)
        XCTAssertEqual(Set(decoder.namedParameters.map(\.name)).count, decoder.namedParameters.count, "names are unique")
    }
}
