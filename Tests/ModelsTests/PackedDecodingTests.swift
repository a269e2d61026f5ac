import XCTest
import Models
import NeuralNet
import TensorCore
import TestSupport

/// Training decodes each question's answer positions packed (no padding): the states and
/// the answer loss are the padded decoding's, in Double.
final class PackedDecodingTests: XCTestCase {
    /// Packed hidden states equal the padded ones at every decoded position, for sequences
    /// of every length from 1 to T (causal attention: later positions never matter).
    func testPackedHiddenStatesEqualPaddedOnes() {
        for summarizer in [HiVT5Configuration.Summarizer.pageTokens, .pointer] {
            var rng = SeededRNG(seed: 91)
            let model = HiVT5(TinyModels.configuration(summarizer: summarizer, copy: true), dtype: .float64, rng: &rng)
            let t = 6, d = model.configuration.modelDim
            let batch = TinyModels.randomBatch(pagesPerQuestion: [3, 1, 2, 2], targetLength: t, seed: 92)
            let memory = model.memory(model.encode(batch))
            var none: SeededRNG? = nil
            let padded = model.decoder.hiddenStates(batch.targets.decoderInput, length: t, memory: memory, rng: &none).hidden
            let packing = PackedSequences(lengths: [6, 1, 3, 4])
            let packed = model.decoder.packedHiddenStates(batch.targets.decoderInput, length: t, sequences: packing,
                                                          memory: memory.memory, keyBias: memory.keyBias, rng: &none)
            let expected = padded.reshaped([4 * t, d]).gatherRows(packing.packedRowIndices(paddedLength: t), shape: [packing.totalRows])
            XCTAssertEqual(packed.shape, [packing.totalRows, d])
            assertClose(packed.doubles, expected.doubles, rtol: 1e-10, atol: 1e-12, "\(summarizer)")
        }
    }

    /// The answer loss (packed) equals the pointer-generator NLL of the padded decoding over
    /// the positions with a target, for answers of different lengths.
    func testAnswerLossEqualsPaddedDecodingsLoss() {
        var rng = SeededRNG(seed: 93)
        let model = HiVT5(TinyModels.configuration(summarizer: .pointer, copy: true), dtype: .float64, rng: &rng)
        var batch = TinyModels.randomBatch(pagesPerQuestion: [2, 3, 1], targetLength: 5, seed: 94)
        // Question 1 has only its end token left; the others keep their answers.
        let t = batch.targets.length
        batch.targets.labels[t + 0] = 1
        for position in 1..<t { batch.targets.labels[t + position] = AnswerTargets.ignoreIndex }
        let loss = model.loss(batch, weights: LossWeights(page: 0, span: 0, contains: 0))

        let encoded = model.encode(batch)
        let memory = model.memory(encoded)
        var none: SeededRNG? = nil
        let hidden = model.decoder.hiddenStates(batch.targets.decoderInput, length: t, memory: memory, rng: &none).hidden
        let b = batch.batchSize, d = model.configuration.modelDim, m = memory.slotCount
        let rows = batch.targets.labels.indices.filter { batch.targets.labels[$0] >= 0 }.map { Int32($0) }
        let copyHead = try! XCTUnwrap(model.decoder.copyHead)
        let (copyLogits, gateLogits) = copyHead(hidden, context: copyHead.context(memory))
        var match = [Bool](repeating: false, count: rows.count * m)
        for (j, position) in rows.enumerated() {
            let y = batch.targets.labels[Int(position)], question = Int(position) / t
            for k in 0..<m where memory.slotTokens[question * m + k] == y { match[j * m + k] = true }
        }
        let reference = Tensor.pointerGeneratorLoss(
            vocabLogits: model.decoder.logits(hidden.reshaped([b * t, d]).gatherRows(rows, shape: [rows.count])),
            copyLogits: copyLogits.reshaped([b * t, m]).gatherRows(rows, shape: [rows.count]),
            gateLogits: gateLogits.reshaped([b * t, 1]).gatherRows(rows, shape: [rows.count]).reshaped([rows.count]),
            copyMatch: match, targets: rows.map { batch.targets.labels[Int($0)] })
        XCTAssertEqual(loss.answer, reference.item, accuracy: 1e-10)
    }
}
