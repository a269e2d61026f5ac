import Foundation
import Models
import TensorCore

/// Per-token decoding cost at the reference shape with and without the KV cache (README "Commands"
/// `decode` keys): with the cache each step attends over the cached keys/values, so its cost
/// stays flat as the answer grows; without it every step re-runs the decoder on the whole
/// prefix, so the per-token cost grows with the answer length.
public struct DecodeTimings: Codable, Sendable, Equatable {
    public var answerLengths: [Int]
    /// Milliseconds per generated token (cache set-up included, amortised over the answer).
    public var cachedMsPerToken: [Double]
    public var uncachedMsPerToken: [Double]

    enum CodingKeys: String, CodingKey {
        case answerLengths = "answer_lengths", cachedMsPerToken = "cached_ms_per_token", uncachedMsPerToken = "uncached_ms_per_token"
    }
}

public enum DecodeBenchmark {
    /// Decodes one question of 8 pages × 160 tokens (a model with the reference sizes of README "Performance") to each
    /// of `lengths` tokens; the median of `repeats` runs per length.
    public static func run(lengths: [Int] = [4, 8, 16, 32], repeats: Int = 3) -> DecodeTimings {
        var rng = SeededRNG(seed: 1)
        let config = HiVT5Configuration(vocabSize: 4096)
        let model = HiVT5(config, rng: &rng)
        let pages = 8, length = 160, k = config.summaryTokens
        var tokens = [Int32](), segments = [Int32]()
        for _ in 0..<pages {
            for l in 0..<length {
                tokens.append(l < k ? Int32(3 + l) : Int32(100 + rng.nextInt(below: 3900)))
                segments.append(l < k ? PageSegment.summary.rawValue : PageSegment.ocr.rawValue)
            }
        }
        let input = PageEncoderInput(rows: pages, length: length, summarySlots: k, tokens: tokens,
                                     boxes: [Int32](repeating: 0, count: pages * length * 4), segments: segments,
                                     tokenValid: [Bool](repeating: true, count: pages * length))
        let batch = QuestionBatch(batchSize: 1, pageCount: pages, answerPass: input, pageValid: [Bool](repeating: true, count: pages),
                                  targets: AnswerTargets(length: 1, decoderInput: [0], labels: [-100], answerPage: [0]))
        var result = DecodeTimings(answerLengths: lengths, cachedMsPerToken: [], uncachedMsPerToken: [])
        withNoGrad {
            let memory = model.memory(model.encode(batch))
            var none: SeededRNG? = nil
            for n in lengths {
                let cached = BenchTiming.samples(warmup: 1, repeats: repeats) {
                    var cache = model.decoder.makeCache(memory)
                    for _ in 0..<n { _ = model.decoder.nextTokenScores(hidden: model.decoder.step([5], cache: &cache).hidden, copy: nil) }
                }
                let uncached = BenchTiming.samples(warmup: 1, repeats: repeats) {
                    for t in 1...n { _ = model.decoder.forward([Int32](repeating: 5, count: t), length: t, memory: memory, rng: &none) }
                }
                result.cachedMsPerToken.append(BenchTiming.median(cached) * 1e3 / Double(n))
                result.uncachedMsPerToken.append(BenchTiming.median(uncached) * 1e3 / Double(n))
            }
        }
        return result
    }
}
