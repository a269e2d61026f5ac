import XCTest
import Models
import NeuralNet
import TensorCore
import TestSupport

/// The Fusion-in-Decoder reshape contract: `[B, P, L]` pages → encoder rows `[B·P, L]` →
/// summaries `[B·P, K, d]` → decoder memory `[B, P·K, d]`, with padded pages masked.
final class FiDShapeContractTests: XCTestCase {
    func testShapesFromPagesToMemory() {
        for summarizer in HiVT5Configuration.Summarizer.allCases {
            var rng = SeededRNG(seed: 3)
            let config = TinyModels.configuration(summarizer: summarizer)
            let model = HiVT5(config, rng: &rng)
            let batch = TinyModels.randomBatch(pagesPerQuestion: [3, 1], length: 12)
            let (b, p, l, k, d) = (2, 3, 12, config.summaryTokens, config.modelDim)
            XCTAssertEqual(batch.answerPass.rows, b * p, "encoder rows are B·P")

            let encoded = model.encode(batch)
            XCTAssertEqual(encoded.summaries.shape, [b * p, k, d], "\(summarizer) summaries")
            XCTAssertEqual(encoded.tokenStates?.shape, [b * p, l, d], "\(summarizer) token states")

            let memory = model.memory(encoded)
            XCTAssertEqual(memory.memory.shape, [b, p * k, d], "\(summarizer) memory")
            XCTAssertEqual(memory.keyBias.shape, [b, p * k])

            // Slot p·K + k of question b is summary k of row b·P + p plus page embedding p
            // (plus slot embedding k for the pointer summarizer).
            let s = encoded.summaries.doubles, m = memory.memory.doubles
            let pageTable = model.pageMemory.pageEmbedding.weight.doubles
            let slotTable = model.pageMemory.slotEmbedding?.weight.doubles
            XCTAssertEqual(slotTable != nil, summarizer == .pointer)
            var expected = [Double](repeating: 0, count: b * p * k * d)
            for q in 0..<b { for page in 0..<p { for slot in 0..<k { for j in 0..<d {
                expected[((q * p + page) * k + slot) * d + j] = s[((q * p + page) * k + slot) * d + j] + pageTable[page * d + j]
                    + (slotTable?[slot * d + j] ?? 0)
            } } } }
            assertClose(m, expected, shape: [b, p * k, d], rtol: 1e-6, atol: 1e-6, "\(summarizer) memory layout")

            // Key bias: 0 on the slots of real pages, −1e9 on padded pages (question 1 has 1 page).
            let bias = memory.keyBias.doubles
            for q in 0..<b { for slot in 0..<(p * k) {
                let real = batch.pageValid[q * p + slot / k]
                XCTAssertEqual(bias[q * p * k + slot], real ? 0 : -1e9, "key bias of question \(q) slot \(slot)")
            } }

            let logits = model.forward(encoded, targets: batch.targets).answerLogits
            XCTAssertEqual(logits.shape, [b, batch.targets.length, config.vocabSize])
        }
    }

    /// With `pageTokens`, S(q, p) is the encoder output at the K leading slot positions.
    func testPageTokenSummariesAreTheSlotOutputs() {
        var rng = SeededRNG(seed: 4)
        let model = HiVT5(TinyModels.configuration(), rng: &rng)
        let batch = TinyModels.randomBatch(pagesPerQuestion: [2, 2])
        let encoded = model.encode(batch)
        let states = encoded.tokenStates!
        assertClose(encoded.summaries, states.slice(axis: 1, 0..<TinyModels.summarySlots), rtol: 0, atol: 0, "slot outputs")
    }

    /// With the copy path, `pageTokens` slots get source tokens — slot k reads the OCR token k
    /// positions after the span head's most likely start — while the summaries stay the slot
    /// outputs; without it they get none.
    func testPageTokenSlotsGetTheSpanHeadsSourceTokensWithTheCopyPath() {
        let batch = TinyModels.randomBatch(pagesPerQuestion: [2, 2])
        var rng = SeededRNG(seed: 4)
        let plain = HiVT5(TinyModels.configuration(), rng: &rng).encode(batch)
        XCTAssertTrue(plain.slotTokens.map { $0.allSatisfy { $0 == -1 } } ?? true, "no copy path, no source tokens")

        rng = SeededRNG(seed: 4)
        let model = HiVT5(TinyModels.configuration(copy: true), rng: &rng)
        let encoded = model.encode(batch)
        let states = encoded.tokenStates!
        assertClose(encoded.summaries, states.slice(axis: 1, 0..<TinyModels.summarySlots), rtol: 0, atol: 0, "slot outputs")
        let input = batch.answerPass, length = input.length, k = TinyModels.summarySlots
        let candidate = input.ocrPositions, start = model.spanHead(states).start.scalars
        let slotTokens = encoded.slotTokens!
        var read = 0
        for r in 0..<input.rows {
            let positions = (0..<length).filter { candidate[r * length + $0] }
            guard let best = positions.max(by: { start[r * length + $0] < start[r * length + $1] }) else { continue }
            for slot in 0..<k {
                let l = best + slot
                let expected: Int32 = l < length && candidate[r * length + l] ? input.tokens[r * length + l] : -1
                XCTAssertEqual(slotTokens[r * k + slot], expected, "row \(r) slot \(slot)")
                if expected >= 0 { read += 1 }
            }
        }
        XCTAssertGreaterThan(read, 0, "no slot read an OCR token")
    }

    /// Encoding all B·P rows in one pass equals encoding each page alone: pages never see
    /// each other in the encoder (FiD), only in the decoder.
    func testRowsAreEncodedIndependently() {
        for visual in HiVT5Configuration.Visual.allCases {
            var rng = SeededRNG(seed: 5)
            let model = HiVT5(TinyModels.configuration(summarizer: .queries, visual: visual), rng: &rng)
            let batch = TinyModels.randomBatch(pagesPerQuestion: [3, 2], patches: visual == .patches)
            var none: SeededRNG? = nil
            let all = model.pageEncoder(batch.answerPass, rng: &none)
            let input = batch.answerPass
            for row in 0..<input.rows where batch.pageValid[row] {
                let span = (row * input.length)..<((row + 1) * input.length)
                let patches = input.patches.map { p -> PatchInput in
                    let per = p.count * p.pixels
                    return PatchInput(count: p.count, pixels: p.pixels, values: Array(p.values[(row * per)..<((row + 1) * per)]),
                                      positions: p.positions)
                }
                let single = PageEncoderInput(rows: 1, length: input.length, summarySlots: input.summarySlots,
                                              tokens: Array(input.tokens[span]),
                                              boxes: Array(input.boxes[(4 * span.lowerBound)..<(4 * span.upperBound)]),
                                              segments: Array(input.segments[span]), tokenValid: Array(input.tokenValid[span]),
                                              patches: patches)
                let alone = model.pageEncoder(single, rng: &none)
                assertClose(alone.summaries, all.summaries.rows(row..<(row + 1)), rtol: 1e-5, atol: 1e-5,
                            "\(visual) row \(row) summaries")
            }
        }
    }
}
