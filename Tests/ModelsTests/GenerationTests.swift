import XCTest
import Models
import NeuralNet
import TensorCore
import TestSupport

/// Greedy and beam search: the KV-cached path agrees with re-running the decoder on the
/// whole prefix, and the reported scores are the model's own log-probabilities.
final class GenerationTests: XCTestCase {
    func testCachedAndUncachedGiveIdenticalTokens() {
        let summarizers: [HiVT5Configuration.Summarizer] = [.pageTokens, .queries, .pointer]
        for (seed, beams, copy) in [(21, 1, false), (22, 1, false), (23, 3, false), (24, 4, false), (25, 1, false), (26, 3, false),
                                    (27, 1, true), (28, 1, true), (29, 3, true), (30, 4, true), (31, 2, true), (32, 3, true)] {
            var rng = SeededRNG(seed: UInt64(seed))
            // Pointer models also check that cached steps use the decoder's absolute positions;
            // copy models that the cached copy context follows the beams.
            let model = HiVT5(TinyModels.configuration(summarizer: summarizers[seed % 3], copy: copy), rng: &rng)
            let batch = TinyModels.randomBatch(pagesPerQuestion: [3, 1, 2], seed: UInt64(seed))
            let encoded = model.encode(batch)
            let cached = model.generate(encoded, options: GenerationOptions(maxLength: 10, beams: beams, useCache: true))
            let uncached = model.generate(encoded, options: GenerationOptions(maxLength: 10, beams: beams, useCache: false))
            XCTAssertEqual(cached.tokens, uncached.tokens, "beams \(beams) seed \(seed) copy \(copy)")
            XCTAssertEqual(cached.steps, uncached.steps)
            assertClose(cached.sequenceScores, uncached.sequenceScores, rtol: 1e-4, atol: 1e-4, "sequence scores, beams \(beams)")
            assertClose(cached.decoderAttentionPageScores.flatMap { $0 }, uncached.decoderAttentionPageScores.flatMap { $0 },
                        rtol: 1e-5, atol: 1e-6, "decoder-attention page scores, beams \(beams)")
            XCTAssertEqual(cached.pageScores, uncached.pageScores)
        }
    }

    /// The score of each returned answer equals Σ log p(token | prefix) recomputed by a
    /// teacher-forced pass over [start] + answer (+ EOS when it stopped early); greedy
    /// picks the argmax at every position of that pass.
    func testScoresMatchTeacherForcedLogProbabilities() {
        var rng = SeededRNG(seed: 31)
        let config = TinyModels.configuration()
        let model = HiVT5(config, rng: &rng)
        let batch = TinyModels.randomBatch(pagesPerQuestion: [2, 3], seed: 31)
        let encoded = model.encode(batch)
        let maxLength = 6
        for beams in [1, 3] {
            let result = model.generate(encoded, options: GenerationOptions(maxLength: maxLength, beams: beams, lengthPenalty: 0))
            for q in 0..<batch.batchSize {
                var sequence = result.tokens[q]
                if sequence.count < maxLength { sequence.append(config.eosTokenId) }
                let one = Self.select(encoded, question: q)
                let t = sequence.count
                let input = [config.decoderStartTokenId] + sequence.dropLast()
                let targets = AnswerTargets(length: t, decoderInput: input, labels: sequence,
                                            answerPage: [AnswerTargets.ignoreIndex])
                let logProbs = model.forward(one, targets: targets).answerLogits.logSoftmax().doubles
                let v = config.vocabSize
                var total = 0.0
                for i in 0..<t {
                    total += logProbs[i * v + Int(sequence[i])]
                    if beams == 1 {
                        let row = logProbs[(i * v)..<((i + 1) * v)]
                        XCTAssertEqual(row.firstIndex(of: row.max()!)! - i * v, Int(sequence[i]), "greedy argmax at step \(i)")
                    }
                }
                XCTAssertEqual(result.sequenceScores[q], total, accuracy: 1e-4, "question \(q), beams \(beams)")
            }
        }
    }

    /// With as many beams as tokens and two decoding steps, beam search is exhaustive: its
    /// answer must be the most likely sequence of at most two tokens, found here by scoring
    /// every sequence with teacher-forced passes.
    func testWideBeamSearchFindsTheMostLikelyShortAnswer() {
        var rng = SeededRNG(seed: 41)
        let config = TinyModels.configuration()
        let model = HiVT5(config, rng: &rng)
        let encoded = Self.select(model.encode(TinyModels.randomBatch(pagesPerQuestion: [3], seed: 41)), question: 0)
        let v = config.vocabSize, eos = config.eosTokenId, start = config.decoderStartTokenId
        let result = model.generate(encoded, options: GenerationOptions(maxLength: 2, beams: v, lengthPenalty: 0))

        func logProbs(_ input: [Int32]) -> [Double] {
            let targets = AnswerTargets(length: input.count, decoderInput: input,
                                        labels: [Int32](repeating: AnswerTargets.ignoreIndex, count: input.count),
                                        answerPage: [AnswerTargets.ignoreIndex])
            return model.forward(encoded, targets: targets).answerLogits.logSoftmax().doubles
        }
        let first = logProbs([start])
        var best = first[Int(eos)], bestSequence: [Int32] = []
        for a in 0..<Int32(v) where a != eos {
            let second = Array(logProbs([start, a])[v..<(2 * v)])
            for b in 0..<v where first[Int(a)] + second[b] > best {
                best = first[Int(a)] + second[b]
                bestSequence = Int32(b) == eos ? [a] : [a, Int32(b)]
            }
        }
        XCTAssertEqual(result.tokens[0], bestSequence)
        XCTAssertEqual(result.sequenceScores[0], best, accuracy: 1e-4)
    }

    /// Question `q` of an encoded batch as a batch of one.
    static func select(_ encoded: EncodedQuestions, question q: Int) -> EncodedQuestions {
        let p = encoded.pageCount
        let rows = (q * p)..<((q + 1) * p)
        return EncodedQuestions(batchSize: 1, pageCount: p, summaries: encoded.summaries.rows(rows),
                                probeSummaries: encoded.probeSummaries?.rows(rows), tokenStates: encoded.tokenStates?.rows(rows),
                                pageValid: Array(encoded.pageValid[rows]))
    }
}
