import DocData
import TensorCore
import XCTest

/// Question-level batches on small hand-made inputs. The tokenizer has no merges, so every
/// token is one byte and the expected ids are worked out by hand: specials `<pad>` 0, `</s>` 1,
/// `<s>` 2, `<question>` 3, `<ocr>` 4, `<image>` 5, `<page_0>` 6, `<page_1>` 7, byte b → 8 + b.
final class BatchTests: XCTestCase {
    let tokenizer: BPETokenizer = try! BPETrainer(vocabularySize: 8 + 256, specialTokens: SpecialTokens(pageSlotCount: 2)).train()

    func byte(_ c: Character) -> Int32 { 8 + Int32(c.asciiValue!) }
    let space: Int32 = 8 + 32

    func word(_ text: String, _ l: Float, _ t: Float, _ r: Float, _ b: Float) -> OCRWord {
        OCRWord(text: text, left: l, top: t, right: r, bottom: b)
    }

    /// q0: 2 pages, answer on page 1; q1: 3 pages (one empty), OCR truncated (5 tokens) inside a word.
    func items() -> [BatchItem] {
        [
            BatchItem(questionId: 10, question: "q?", answers: ["de"], answerPageIndex: 1, pages: [
                PageInput(words: [word("ab", 0.125, 0.25, 0.5, 0.75)]),
                PageInput(words: [word("c", 0, 0, 0.25, 0.25), word("de", 0.5, 0.5, 1, 1)]),
            ]),
            BatchItem(questionId: 11, question: "x", answers: ["gh", "z"], answerPageIndex: 2, pages: [
                PageInput(words: []),
                PageInput(words: [word("f", 0.1, 0.1, 0.2, 0.2)]),
                PageInput(words: [word("gh", 0.25, 0.5, 0.75, 1), word("ij", 0, 0, 1, 1)]),
            ]),
        ]
    }

    func builder(padToMaximum: Bool = false) throws -> BatchBuilder {
        try BatchBuilder(tokenizer: tokenizer, config: BatchConfig(
            summarySlots: 2, prompt: "{question}", maxQuestionTokens: 8, maxOCRTokens: 5, maxAnswerTokens: 5,
            padToMaximum: padToMaximum))
    }

    func testShapesTokensMasksAndPadding() throws {
        // q1 draws its second answer "z"; targets are " de</s>" and " z</s>" (T = 4).
        let batch = try builder().build(items(), answerChoices: [0, 1])
        let (B, P, L, T) = (2, 3, 11, 4)
        XCTAssertEqual(batch.tokenShape, [B, P, L])
        XCTAssertEqual(batch.boxShape, [B, P, L, 4])
        XCTAssertEqual(batch.targetShape, [B, T])
        XCTAssertEqual(batch.tokenIDs.count, B * P * L)
        XCTAssertEqual(batch.boxes.count, B * P * L * 4)
        XCTAssertEqual(batch.questionIds, [10, 11])
        XCTAssertEqual(batch.targetAnswers, ["de", "z"])

        func row(_ b: Int, _ p: Int) -> [Int32] { Array(batch.tokenIDs[batch.offset(b, p, 0)..<batch.offset(b, p, L)]) }
        func segments(_ b: Int, _ p: Int) -> [Int32] { Array(batch.segmentIDs[batch.offset(b, p, 0)..<batch.offset(b, p, L)]) }
        func mask(_ b: Int, _ p: Int) -> [Float] { Array(batch.attentionMask[batch.offset(b, p, 0)..<batch.offset(b, p, L)]) }
        func pad(_ ids: [Int32]) -> [Int32] { ids + [Int32](repeating: 0, count: L - ids.count) }

        let q0 = [6, 7, 3, byte("q"), byte("?"), 4]
        XCTAssertEqual(row(0, 0), pad(q0 + [space, byte("a"), byte("b")]))
        XCTAssertEqual(row(0, 1), q0 + [space, byte("c"), space, byte("d"), byte("e")])
        XCTAssertEqual(row(0, 2), pad([]), "padded page holds padding only")
        let q1 = [6, 7, 3, byte("x"), 4]
        XCTAssertEqual(row(1, 0), pad(q1), "a page without OCR words")
        XCTAssertEqual(row(1, 1), pad(q1 + [space, byte("f")]))
        XCTAssertEqual(row(1, 2), pad(q1 + [space, byte("g"), byte("h"), space, byte("i")]), "5 OCR tokens kept: \" ij\" is cut")

        let (S, Q, O, X) = (SegmentID.summary.rawValue, SegmentID.question.rawValue, SegmentID.ocr.rawValue, SegmentID.padding.rawValue)
        XCTAssertEqual(segments(0, 1), [S, S, Q, Q, Q, O, O, O, O, O, O])
        XCTAssertEqual(segments(0, 0), [S, S, Q, Q, Q, O, O, O, O, X, X])
        XCTAssertEqual(segments(0, 2), [Int32](repeating: X, count: L))
        XCTAssertEqual(mask(0, 0), [1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0])
        XCTAssertEqual(mask(0, 2), [Float](repeating: 0, count: L))
        XCTAssertEqual(mask(1, 2), [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0])

        XCTAssertEqual(batch.pageMask, [1, 1, 0, 1, 1, 1])
        XCTAssertEqual(batch.pageCounts, [2, 3])
        XCTAssertEqual(batch.answerPageIndex, [1, 2])

        // Boxes: 0 outside OCR tokens; every token of a word carries the word's box ×1000.
        func box(_ b: Int, _ p: Int, _ l: Int) -> [Int32] { Array(batch.boxes[batch.offset(b, p, l) * 4..<batch.offset(b, p, l) * 4 + 4]) }
        XCTAssertEqual(box(0, 0, 0), [0, 0, 0, 0])
        XCTAssertEqual(box(0, 0, 5), [0, 0, 0, 0], "<ocr> has no box")
        for l in 6...8 { XCTAssertEqual(box(0, 0, l), [125, 250, 500, 750]) }
        XCTAssertEqual(box(0, 0, 9), [0, 0, 0, 0], "padding has no box")
        for l in 8...10 { XCTAssertEqual(box(0, 1, l), [500, 500, 1000, 1000]) }
        XCTAssertEqual(Array(batch.wordIndex[batch.offset(0, 1, 0)..<batch.offset(0, 1, L)]), [-1, -1, -1, -1, -1, -1, 0, 0, 1, 1, 1])

        // Answer "de" is word 1 of q0's answer page; "z" occurs nowhere.
        XCTAssertEqual(batch.pageContainsAnswer, [0, 1, 0, 0, 0, 0])
        XCTAssertEqual(Array(batch.answerSpanMask[batch.offset(0, 1, 0)..<batch.offset(0, 1, L)]), [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1])
        XCTAssertEqual(batch.answerSpanMask.reduce(0, +), 3)

        // Targets: " " + answer bytes (the form OCR words are encoded in) + </s>, -100 after;
        // decoder inputs start with <s>, padding after.
        XCTAssertEqual(batch.targetIDs, [space, byte("d"), byte("e"), 1, space, byte("z"), 1, -100])
        XCTAssertEqual(batch.decoderInputIDs, [2, space, byte("d"), byte("e"), 2, space, byte("z"), 0])
        XCTAssertNil(batch.patches)
    }

    func testFixedShapesAndAnswerTruncation() throws {
        var items = items()
        items[0].answers = ["abcdefgh"]
        let batch = try builder(padToMaximum: true).build(items)
        XCTAssertEqual(batch.sequenceLength, 2 + 1 + 8 + 1 + 5)
        XCTAssertEqual(batch.targetLength, 5)
        XCTAssertEqual(Array(batch.targetIDs[0..<5]), [space, byte("a"), byte("b"), byte("c"), 1], "cut to 4 tokens + </s>")
        XCTAssertEqual(Array(batch.targetIDs[5..<10]), [space, byte("g"), byte("h"), 1, -100], "first gold answer")
        XCTAssertEqual(batch.attentionMask.count, 2 * 3 * 17)
    }

    /// Cached training reads summaries from a cache: its batches carry targets and page masks
    /// only, the same as a full build's, with empty page rows.
    func testTargetsOnlyBatchKeepsTargetsAndPagesWithEmptyRows() throws {
        let builder = try builder()
        let full = builder.build(items(), answerChoices: [0, 1])
        let bare = builder.build(items(), answerChoices: [0, 1], encoderRows: false)
        XCTAssertEqual(bare.targetIDs, full.targetIDs)
        XCTAssertEqual(bare.decoderInputIDs, full.decoderInputIDs)
        XCTAssertEqual(bare.targetAnswers, ["de", "z"])
        XCTAssertEqual(bare.targetLength, full.targetLength)
        XCTAssertEqual(bare.pageMask, full.pageMask)
        XCTAssertEqual(bare.pageCounts, [2, 3])
        XCTAssertEqual(bare.answerPageIndex, [1, 2])
        XCTAssertEqual(bare.questionIds, [10, 11])
        XCTAssertEqual(bare.sequenceLength, 2, "K summary slots, nothing else")
        XCTAssertEqual(bare.attentionMask, [Float](repeating: 0, count: 2 * 3 * 2))
        XCTAssertEqual(bare.pageContainsAnswer, [Float](repeating: 0, count: 2 * 3))
    }

    func testUnknownAnswersAndTestSplitItems() throws {
        var items = items()
        items[1].answers = []
        items[1].answerPageIndex = nil
        let batch = try builder().build(items)
        XCTAssertEqual(batch.answerPageIndex, [1, -1])
        XCTAssertEqual(Array(batch.targetIDs[4..<8]), [-100, -100, -100, -100])
        XCTAssertEqual(Array(batch.decoderInputIDs[4..<8]), [2, 0, 0, 0])
        XCTAssertEqual(batch.targetAnswers, ["de", ""])
    }

    func testAnswerSpanCountsOnlyWordsThatFit() throws {
        var items = items()
        items[1].answers = ["GH"]
        var batch = try builder().build(items)
        XCTAssertEqual(Array(batch.pageContainsAnswer[3..<6]), [0, 0, 1], "case-insensitive match on page 2")
        XCTAssertEqual(Array(batch.answerSpanMask[batch.offset(1, 2, 0)..<batch.offset(1, 2, 11)]), [0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0])
        items[1].answers = ["ij"]
        batch = try builder().build(items)
        XCTAssertEqual(Array(batch.pageContainsAnswer[3..<6]), [0, 0, 0], "\"ij\" was cut by max_ocr_tokens")
        XCTAssertEqual(batch.answerSpanMask[batch.offset(1, 0, 0)...].reduce(0, +), 0)
    }

    func testImagePatches() throws {
        var items = items()
        for b in items.indices {
            for p in items[b].pages.indices {
                let base = Float(100 * b + 10 * p)
                items[b].pages[p].patches = PagePatches(rows: 1, cols: 2, dimension: 3, values: (0..<6).map { base + Float($0) })
            }
        }
        let batch = try builder().build(items)
        XCTAssertEqual(batch.patchShape, [2, 3, 2, 3])
        XCTAssertEqual(batch.patchPositions, [0, 0, 0, 1])
        let patches = try XCTUnwrap(batch.patches)
        XCTAssertEqual(Array(patches[6..<12]), [10, 11, 12, 13, 14, 15], "q0 page 1")
        XCTAssertEqual(Array(patches[12..<18]), [Float](repeating: 0, count: 6), "q0 padded page 2")
        XCTAssertEqual(Array(patches[30..<36]), [120, 121, 122, 123, 124, 125], "q1 page 2")
    }

    /// A 4×2 RGB image in 2-pixel patches: 1 row × 2 columns of [C, 2, 2] vectors (std 1, mean 0:
    /// values are samples / 255). Pixel (x, y) has samples (10x + y, 100 + 10x + y, 200 + 10x + y).
    func testPatchesFromAnImage() {
        var pixels: [UInt8] = []
        for y in 0..<2 { for x in 0..<4 { pixels += [UInt8(10 * x + y), UInt8(100 + 10 * x + y), UInt8(200 + 10 * x + y)] } }
        let patches = PagePatches(image: Image(width: 4, height: 2, channels: 3, pixels: pixels), patchSize: 2, mean: [0], std: [1])
        XCTAssertEqual(patches.rows, 1)
        XCTAssertEqual(patches.cols, 2)
        XCTAssertEqual(patches.dimension, 12)
        // Patch (0, 1) covers x = 2, 3: channel 0 → (20, 30, 21, 31), channel 1 → +100, channel 2 → +200.
        let expected: [Float] = [20, 30, 21, 31, 120, 130, 121, 131, 220, 230, 221, 231].map { Float(Double($0) / 255) }
        XCTAssertEqual(Array(patches.values[12..<24]), expected)
        XCTAssertEqual(patches.values[0], 0)
        XCTAssertEqual(patches.values[1], Float(10.0 / 255), "x = 1, y = 0")
        XCTAssertEqual(patches.values[2], Float(1.0 / 255), "x = 0, y = 1")
    }

    func testAnswerDrawIsSeeded() throws {
        var items = items()
        items[1].answers = ["a", "b", "c", "d", "e", "f", "g", "h"]
        let builder = try builder()
        func draws(_ seed: UInt64) -> [String] {
            var rng = SeededRNG(seed: seed)
            return (0..<12).map { _ in builder.build(items, rng: &rng).targetAnswers[1] }
        }
        XCTAssertEqual(draws(3), draws(3))
        XCTAssertNotEqual(draws(3), draws(4))
        XCTAssertGreaterThan(Set(draws(3)).count, 2, "several gold answers get drawn")
    }

    func testWindowShiftsAnswerPage() {
        let item = items()[1]
        XCTAssertEqual(item.window(start: 1, count: 2).answerPageIndex, 1)
        XCTAssertEqual(item.window(start: 1, count: 2).pages, Array(item.pages[1...2]))
        XCTAssertNil(item.window(start: 0, count: 2).answerPageIndex, "answer page outside the window")
        XCTAssertEqual(item.window(start: 2, count: 9).pages.count, 1, "clamped to the document")
    }

    func testAnswerSpanMatching() {
        XCTAssertEqual(AnswerSpan.wordIndices(of: "1,234.00 USD", in: ["Total", "1,234.00", "usd", "x", "1,234.00", "USD"]), [1, 2, 4, 5])
        XCTAssertEqual(AnswerSpan.wordIndices(of: "a a", in: ["a", "a", "a"]), [0, 1, 2])
        XCTAssertEqual(AnswerSpan.wordIndices(of: "", in: ["a"]), [])
        XCTAssertEqual(AnswerSpan.wordIndices(of: "b c", in: ["b"]), [])
    }

    func testRejectsMoreSummarySlotsThanTheTokenizerHas() {
        XCTAssertThrowsError(try BatchBuilder(tokenizer: tokenizer, config: BatchConfig(summarySlots: 3))) { error in
            XCTAssertTrue("\(error)".contains("encoder.summary_tokens"), "\(error)")
        }
    }

    func testSamplerIsASeededPermutationPerEpoch() {
        let sampler = QuestionSampler(count: 10, batchSize: 3, seed: 42)
        XCTAssertEqual(sampler.batchesPerEpoch, 3, "last partial batch dropped")
        for epoch in 0..<3 {
            XCTAssertEqual(sampler.order(epoch: epoch).sorted(), Array(0..<10))
            let batches = sampler.batches(epoch: epoch)
            XCTAssertEqual(batches.map(\.count), [3, 3, 3])
            for k in 0..<3 { XCTAssertEqual(sampler.batch(step: epoch * 3 + k), batches[k]) }
        }
        XCTAssertNotEqual(sampler.order(epoch: 0), sampler.order(epoch: 1))
        XCTAssertEqual(sampler.order(epoch: 5), QuestionSampler(count: 10, batchSize: 3, seed: 42).order(epoch: 5))
        XCTAssertNotEqual(sampler.order(epoch: 0), QuestionSampler(count: 10, batchSize: 3, seed: 43).order(epoch: 0))
        let eval = QuestionSampler(count: 10, batchSize: 3, seed: 0, shuffle: false, dropLast: false)
        XCTAssertEqual(eval.batches(epoch: 0), [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]])
    }
}
