import Models
import NeuralNet
import TensorCore

/// Tiny configurations and seeded random batches shared by the Models tests.
///
/// Token ids: 0 padding / decoder start, 1 EOS, 2…(2+K−1) summary slots, 10… content.
enum TinyModels {
    static let vocab = 48
    static let summarySlots = 2
    static let patchGrid = (rows: 2, cols: 2)
    static let patchPixels = 6

    static func configuration(summarizer: HiVT5Configuration.Summarizer = .pageTokens,
                              pooling: HiVT5Configuration.Pooling = .attention, layout: Bool = true,
                              visual: HiVT5Configuration.Visual = .none, modelDim: Int = 16,
                              copy: Bool = false) -> HiVT5Configuration {
        var config = HiVT5Configuration(vocabSize: vocab, modelDim: modelDim, heads: 2, encoderLayers: 1, decoderLayers: 2,
                           ffnDim: 2 * modelDim, activation: .gelu, dropout: 0, relativeBuckets: 8, relativeMaxDistance: 16,
                           summaryTokens: summarySlots, summarizer: summarizer, layout: layout, layoutBuckets: 8,
                           visual: visual, patchPixels: patchPixels, patchGridSide: 3, maxPages: 4,
                           pooling: pooling, pageHeadHidden: 8, padTokenId: 0, eosTokenId: 1, decoderStartTokenId: 0)
        config.copy = copy
        return config
    }

    /// One page row's content: question tokens then OCR tokens with boxes.
    struct Page {
        var question: [Int32]
        var ocr: [Int32]
        var boxes: [[Int32]]
    }

    /// Encoder input for `pages` laid out as B questions × P page slots (nil = padded slot).
    static func encoderInput(_ pages: [Page?], length: Int, patches: Bool, rng: inout SeededRNG) -> PageEncoderInput {
        let rows = pages.count, k = summarySlots
        var tokens = [Int32](repeating: 0, count: rows * length)
        var boxes = [Int32](repeating: 0, count: rows * length * 4)
        var segments = [Int32](repeating: PageSegment.question.rawValue, count: rows * length)
        var valid = [Bool](repeating: false, count: rows * length)
        for (r, page) in pages.enumerated() {
            guard let page else { continue }
            precondition(k + page.question.count + page.ocr.count <= length, "page does not fit L = \(length)")
            var l = r * length
            for s in 0..<k {
                tokens[l] = Int32(2 + s); segments[l] = PageSegment.summary.rawValue; valid[l] = true; l += 1
            }
            for t in page.question {
                tokens[l] = t; segments[l] = PageSegment.question.rawValue; valid[l] = true; l += 1
            }
            for (t, box) in zip(page.ocr, page.boxes) {
                tokens[l] = t; segments[l] = PageSegment.ocr.rawValue; valid[l] = true
                for c in 0..<4 { boxes[4 * l + c] = box[c] }
                l += 1
            }
        }
        var patchInput: PatchInput? = nil
        if patches {
            let n = patchGrid.rows * patchGrid.cols
            let values = (0..<(rows * n * patchPixels)).map { _ in Float(rng.nextNormal()) }
            var positions: [Int32] = []
            for r in 0..<patchGrid.rows { for c in 0..<patchGrid.cols { positions += [Int32(r), Int32(c)] } }
            patchInput = PatchInput(count: n, pixels: patchPixels, values: values, positions: positions)
        }
        return PageEncoderInput(rows: rows, length: length, summarySlots: k, tokens: tokens, boxes: boxes,
                                segments: segments, tokenValid: valid, patches: patchInput)
    }

    static func randomPage(questionLength: Int, ocrLength: Int, question: [Int32]? = nil, rng: inout SeededRNG) -> Page {
        let q = question ?? (0..<questionLength).map { _ in Int32(10 + rng.nextInt(below: vocab - 10)) }
        let ocr = (0..<ocrLength).map { _ in Int32(10 + rng.nextInt(below: vocab - 10)) }
        let boxes = (0..<ocrLength).map { _ -> [Int32] in
            let x0 = rng.nextInt(below: 900), y0 = rng.nextInt(below: 900)
            return [Int32(x0), Int32(y0), Int32(x0 + 1 + rng.nextInt(below: 100)), Int32(y0 + 1 + rng.nextInt(below: 100))]
        }
        return Page(question: q, ocr: ocr, boxes: boxes)
    }

    /// A random batch: question b has `pagesPerQuestion[b]` real pages in P = max page slots;
    /// its answer is `answerLength` OCR tokens of a random answer page (so span labels exist).
    static func randomBatch(pagesPerQuestion: [Int], length: Int = 12, answerLength: Int = 2, targetLength: Int = 4,
                            probe: Bool = false, patches: Bool = false, seed: UInt64 = 1) -> QuestionBatch {
        var rng = SeededRNG(seed: seed)
        let b = pagesPerQuestion.count, p = pagesPerQuestion.max()!
        let questionLength = 3, ocrLength = length - summarySlots - questionLength
        var pages: [Page?] = [], probePages: [Page?] = []
        var decoderInput: [Int32] = [], labels: [Int32] = [], answerPage: [Int32] = []
        var span = [Int32](repeating: AnswerTargets.ignoreIndex, count: b * p * length)
        for q in 0..<b {
            let question = (0..<questionLength).map { _ in Int32(10 + rng.nextInt(below: vocab - 10)) }
            let answerAt = rng.nextInt(below: pagesPerQuestion[q])
            var answer: [Int32] = []
            for slot in 0..<p {
                guard slot < pagesPerQuestion[q] else { pages.append(nil); probePages.append(nil); continue }
                let page = randomPage(questionLength: questionLength, ocrLength: ocrLength, question: question, rng: &rng)
                let ocrStart = summarySlots + questionLength
                for i in 0..<ocrLength { span[(q * p + slot) * length + ocrStart + i] = 0 }
                if slot == answerAt {
                    answer = Array(page.ocr[1..<(1 + answerLength)])
                    for i in 1..<(1 + answerLength) { span[(q * p + slot) * length + ocrStart + i] = 1 }
                }
                pages.append(page)
                var probePage = page
                probePage.question = [Int32(11)] + question.dropFirst()
                probePages.append(probePage)
            }
            let target = answer + [1]
            for t in 0..<targetLength {
                labels.append(t < target.count ? target[t] : AnswerTargets.ignoreIndex)
                decoderInput.append(t == 0 ? 0 : (t - 1 < target.count ? target[t - 1] : 0))
            }
            answerPage.append(Int32(answerAt))
        }
        let answerPass = encoderInput(pages, length: length, patches: patches, rng: &rng)
        let probePass = probe ? encoderInput(probePages, length: length, patches: patches, rng: &rng) : nil
        let pageValid = (0..<(b * p)).map { pages[$0] != nil }
        return QuestionBatch(batchSize: b, pageCount: p, answerPass: answerPass, probePass: probePass, pageValid: pageValid,
                             targets: AnswerTargets(length: targetLength, decoderInput: decoderInput, labels: labels,
                                                    answerPage: answerPage, spanLabels: span))
    }
}
