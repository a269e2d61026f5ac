import XCTest
import Models
import NeuralNet
import TensorCore

/// The machinery learns: a tiny model memorises four hand-made questions (answer tokens
/// and answer page) in a few hundred AdamW steps.
final class OverfitTests: XCTestCase {
    // Tokens: 10…13 keys (invoice, date, total, phone), 14 "what", 20… values.
    static let what: Int32 = 14

    /// Two documents of two pages; each page has two key–value fields.
    static let documents: [[[(key: Int32, value: [Int32])]]] = [
        [[(10, [20, 21]), (11, [22])], [(12, [23, 24]), (13, [25, 26])]],
        [[(12, [27]), (10, [28, 29])], [(11, [30, 31]), (13, [32])]],
    ]
    /// (document, key): answered by the value of that key.
    static let questions: [(document: Int, key: Int32)] = [(0, 11), (0, 13), (1, 10), (1, 11)]

    func testTinyModelMemorisesFourQuestions() {
        let (batch, answers, pages) = Self.batch()
        var rng = SeededRNG(seed: 101)
        let config = HiVT5Configuration(vocabSize: 40, modelDim: 32, heads: 2, encoderLayers: 1, decoderLayers: 1, ffnDim: 64,
                                        summaryTokens: 2, layout: true, layoutBuckets: 16, maxPages: 2, pooling: .attention,
                                        pageHeadHidden: 16, padTokenId: 0, eosTokenId: 1, decoderStartTokenId: 0)
        let model = HiVT5(config, rng: &rng)
        let optimizer = AdamW(parameters: model.namedParameters, learningRate: 3e-3, weightDecay: 0)
        let weights = LossWeights(page: 1, span: 0, contains: 0.5)
        var first = 0.0, last = 0.0
        for step in 0..<300 {
            optimizer.zeroGrad()
            let loss = model.loss(batch, weights: weights)
            if step == 0 { first = loss.total.item }
            last = loss.total.item
            loss.total.backward()
            optimizer.update()
            if last < 0.02 { break }
        }
        XCTAssertLessThan(last, 0.05, "loss fell from \(first) to \(last)")
        let result = model.generate(batch, options: GenerationOptions(maxLength: 4))
        XCTAssertEqual(result.tokens, answers, "greedy answers")
        XCTAssertEqual(result.predictedPage, pages, "predicted answer pages")
        let beam = model.generate(batch, options: GenerationOptions(maxLength: 4, beams: 3))
        XCTAssertEqual(beam.tokens, answers, "beam answers")
    }

    /// The four questions as a batch (B = 4, P = 2), with the gold answers and pages.
    static func batch() -> (QuestionBatch, [[Int32]], [Int]) {
        let k = 2, length = 12, t = 4
        var tokens: [Int32] = [], boxes: [Int32] = [], segments: [Int32] = [], valid: [Bool] = []
        var decoderInput: [Int32] = [], labels: [Int32] = [], answerPage: [Int32] = []
        var answers: [[Int32]] = [], pages: [Int] = []
        for question in questions {
            for (p, page) in documents[question.document].enumerated() {
                var row: [(Int32, PageSegment)] = (0..<k).map { (Int32(2 + $0), .summary) }
                row += [(what, .question), (question.key, .question)]
                for field in page {
                    row.append((field.key, .ocr))
                    row += field.value.map { ($0, .ocr) }
                }
                for (i, (token, segment)) in row.enumerated() {
                    tokens.append(token)
                    segments.append(segment.rawValue)
                    valid.append(true)
                    boxes += segment == .ocr ? [Int32(60 * i), Int32(100 * p + 50), Int32(60 * i + 50), Int32(100 * p + 80)] : [0, 0, 0, 0]
                }
                for _ in row.count..<length {
                    tokens.append(0); segments.append(PageSegment.question.rawValue); valid.append(false); boxes += [0, 0, 0, 0]
                }
                if let field = page.first(where: { $0.key == question.key }) {
                    answers.append(field.value)
                    pages.append(p)
                }
            }
            let target = answers.last! + [1]
            for i in 0..<t {
                labels.append(i < target.count ? target[i] : AnswerTargets.ignoreIndex)
                decoderInput.append(i == 0 ? 0 : (i - 1 < target.count ? target[i - 1] : 0))
            }
            answerPage.append(Int32(pages.last!))
        }
        let b = questions.count, p = 2
        let input = PageEncoderInput(rows: b * p, length: length, summarySlots: k, tokens: tokens, boxes: boxes,
                                     segments: segments, tokenValid: valid)
        let batch = QuestionBatch(batchSize: b, pageCount: p, answerPass: input, pageValid: [Bool](repeating: true, count: b * p),
                                  targets: AnswerTargets(length: t, decoderInput: decoderInput, labels: labels, answerPage: answerPage))
        return (batch, answers, pages)
    }
}
