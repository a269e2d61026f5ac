import TensorCore

/// Settings of the page encoder's input (the `encoder.*` keys of a config).
public struct BatchConfig: Sendable, Equatable {
    /// K: summary slots `<page_0>`… at the start of every row (0 for the `queries` summarizer).
    public var summarySlots: Int
    /// Template with `{question}`, rendered for every page (`prompts.<encoder.prompt>`).
    public var prompt: String
    /// Prompt tokens kept (the rendered prompt is cut after this many).
    public var maxQuestionTokens: Int
    /// OCR tokens kept per page (`encoder.max_ocr_tokens`).
    public var maxOCRTokens: Int
    /// Target positions, `</s>` included (longer answers are cut before `</s>`).
    public var maxAnswerTokens: Int
    /// Pad L and T to their maxima instead of the longest row of the batch (fixed shapes).
    public var padToMaximum: Bool
    /// Encode answer targets as " " + answer, the form OCR words are encoded in
    /// (`decoder.target_leading_space`); off: the answer text as it is.
    public var answerLeadingSpace = true

    public init(summarySlots: Int = 8, prompt: String = "question: {question}", maxQuestionTokens: Int = 32,
                maxOCRTokens: Int = 128, maxAnswerTokens: Int = 32, padToMaximum: Bool = false) {
        self.summarySlots = summarySlots
        self.prompt = prompt
        self.maxQuestionTokens = maxQuestionTokens
        self.maxOCRTokens = maxOCRTokens
        self.maxAnswerTokens = maxAnswerTokens
        self.padToMaximum = padToMaximum
    }

    /// The longest row: K slots, `<question>`, prompt, `<ocr>`, OCR tokens.
    public var maximumSequenceLength: Int { summarySlots + 1 + maxQuestionTokens + 1 + maxOCRTokens }
}

/// Turns questions with their pages into a ``QuestionBatch``: tokenises prompts, OCR words
/// (each word as " word", every token carrying its word's box) and answers, pads, and masks.
///
/// ```swift
/// let builder = try BatchBuilder(tokenizer: tokenizer, config: BatchConfig(summarySlots: 8))
/// var rng = SeededRNG(seed: 7)
/// let batch = builder.build(items, rng: &rng)   // gold answer drawn per question
/// // batch.tokenIDs: [B, P, L] → encoder rows [B·P, L]
/// ```
public struct BatchBuilder: Sendable {
    public let tokenizer: any TextTokenizer
    public let config: BatchConfig

    /// Throws when the configuration asks for more summary slots than the tokenizer has, or for
    /// non-positive lengths.
    public init(tokenizer: any TextTokenizer, config: BatchConfig) throws {
        guard config.summarySlots >= 0, config.summarySlots <= tokenizer.pageSlotIDs.count else {
            throw DataError(file: "tokenizer", field: "encoder.summary_tokens",
                            "K = \(config.summarySlots) but the tokenizer has \(tokenizer.pageSlotIDs.count) summary-slot tokens "
                            + "<page_0>…; retrain it with `mpvqa tokenizer train --page-tokens \(config.summarySlots)`")
        }
        guard config.maxQuestionTokens >= 0, config.maxOCRTokens >= 0 else {
            throw DataError(file: "config", field: "encoder.max_ocr_tokens", "token limits must be ≥ 0")
        }
        guard config.maxAnswerTokens >= 1 else {
            throw DataError(file: "config", field: "maxAnswerTokens", "must be ≥ 1 (room for </s>), got \(config.maxAnswerTokens)")
        }
        guard config.prompt.contains("{question}") else {
            throw DataError(file: "config", field: "prompts", "template \"\(config.prompt)\" has no {question}")
        }
        self.tokenizer = tokenizer
        self.config = config
    }

    /// A batch whose targets are each question's first gold answer (evaluation).
    public func build(_ items: [BatchItem]) -> QuestionBatch {
        build(items, answerChoices: [Int](repeating: 0, count: items.count))
    }

    /// A batch whose target for each question is a gold answer drawn from `rng` (training).
    public func build(_ items: [BatchItem], rng: inout SeededRNG) -> QuestionBatch {
        let choices = items.map { $0.answers.isEmpty ? 0 : rng.nextInt(below: $0.answers.count) }
        return build(items, answerChoices: choices)
    }

    /// The encoder row of one page before padding.
    private struct Row {
        var tokens: [Int32] = []
        var segments: [Int32] = []
        var boxes: [Int32] = []
        var words: [Int32] = []
        var matches: [Bool] = []
        /// OCR words whose tokens all fit.
        var keptWords = 0
    }

    /// A batch whose target for question `b` is `items[b].answers[answerChoices[b]]`.
    ///
    /// `encoderRows: false` builds the targets and page masks only: every page row is empty
    /// (K positions, all padding, no answer marks), for models that read the pages' summaries
    /// from a feature cache instead of encoding them.
    public func build(_ items: [BatchItem], answerChoices: [Int], encoderRows: Bool = true) -> QuestionBatch {
        precondition(answerChoices.count == items.count, "BatchBuilder: \(answerChoices.count) answer choices for \(items.count) items")
        let B = items.count
        let K = config.summarySlots
        let slots = Array(tokenizer.pageSlotIDs.prefix(K))

        // Rows of every real page, and targets.
        var rows: [[Row]] = []
        var targets: [[Int32]] = []
        var chosen: [String] = []
        for (b, item) in items.enumerated() {
            rows.append(encoderRows ? pageRows(of: item, slots: slots) : item.pages.map { _ in Row() })
            guard !item.answers.isEmpty else {
                targets.append([])
                chosen.append("")
                continue
            }
            let answer = item.answers[answerChoices[b]]
            chosen.append(answer)
            // " " + answer: the form OCR words are encoded in, so each target token is the
            // id of the OCR token it can be copied from (a word-initial token differs
            // from the same text inside a word in byte-level BPE).
            targets.append(Array(tokenizer.encode((config.answerLeadingSpace ? " " : "") + answer).prefix(config.maxAnswerTokens - 1)) + [tokenizer.endOfSequenceID])
        }

        let P = max(1, items.map(\.pages.count).max() ?? 1)
        let longestRow = rows.joined().map(\.tokens.count).max() ?? 0
        // At least K positions: a row holds its K summary slots even when it is left empty.
        let L = config.padToMaximum ? config.maximumSequenceLength : max(1, K, longestRow)
        let T = config.padToMaximum ? config.maxAnswerTokens : max(1, targets.map(\.count).max() ?? 1)

        var batch = QuestionBatch(
            batchSize: B, pageCount: P, sequenceLength: L, targetLength: T, summarySlots: K,
            questionIds: items.map(\.questionId), targetAnswers: chosen,
            tokenIDs: [Int32](repeating: tokenizer.paddingID, count: B * P * L),
            boxes: [Int32](repeating: 0, count: B * P * L * 4),
            segmentIDs: [Int32](repeating: SegmentID.padding.rawValue, count: B * P * L),
            attentionMask: [Float](repeating: 0, count: B * P * L),
            wordIndex: [Int32](repeating: -1, count: B * P * L),
            pageMask: [Float](repeating: 0, count: B * P),
            pageCounts: items.map { Int32($0.pages.count) },
            firstPageIndex: items.map { Int32($0.firstPageIndex) },
            answerPageIndex: items.map { Int32($0.answerPageIndex ?? -1) },
            pageContainsAnswer: [Float](repeating: 0, count: B * P),
            answerSpanMask: [Float](repeating: 0, count: B * P * L),
            questionMatch: [Float](repeating: 0, count: B * P * L),
            targetIDs: [Int32](repeating: QuestionBatch.ignoreIndex, count: B * T),
            decoderInputIDs: [Int32](repeating: tokenizer.paddingID, count: B * T),
            patches: nil, patchCount: 0, patchDimension: 0, patchPositions: nil)

        for b in 0..<B {
            for (p, row) in rows[b].enumerated() {
                batch.pageMask[b * P + p] = 1
                let n = min(row.tokens.count, L)
                let base = batch.offset(b, p, 0)
                for l in 0..<n {
                    batch.tokenIDs[base + l] = row.tokens[l]
                    batch.segmentIDs[base + l] = row.segments[l]
                    batch.attentionMask[base + l] = 1
                    batch.wordIndex[base + l] = row.words[l]
                    batch.questionMatch[base + l] = row.matches[l] ? 1 : 0
                    for c in 0..<4 { batch.boxes[(base + l) * 4 + c] = row.boxes[l * 4 + c] }
                }
                // Answer occurrences among the words whose tokens were all kept.
                guard !chosen[b].isEmpty else { continue }
                let words = items[b].pages[p].words.prefix(row.keptWords).map(\.text)
                let hits = Set(AnswerSpan.wordIndices(of: chosen[b], in: words))
                if !hits.isEmpty { batch.pageContainsAnswer[b * P + p] = 1 }
                if p == items[b].answerPageIndex && !hits.isEmpty {
                    for l in 0..<n where row.words[l] >= 0 && hits.contains(Int(row.words[l])) {
                        batch.answerSpanMask[base + l] = 1
                    }
                }
            }
            let start = tokenizer.startOfSequenceID ?? tokenizer.paddingID
            for (t, id) in targets[b].prefix(T).enumerated() {
                batch.targetIDs[b * T + t] = id
                batch.decoderInputIDs[b * T + t] = t == 0 ? start : targets[b][t - 1]
            }
            if targets[b].isEmpty { batch.decoderInputIDs[b * T] = start }
        }
        if encoderRows { fillPatches(items, &batch) }
        return batch
    }

    /// The encoder rows of `item`'s pages before padding: summary slots, the rendered prompt,
    /// then as many whole OCR words as fit.
    private func pageRows(of item: BatchItem, slots: [Int32]) -> [Row] {
        let K = slots.count
        var prefix = Row()
        prefix.tokens = slots
        prefix.segments = [Int32](repeating: SegmentID.summary.rawValue, count: K)
        if let id = tokenizer.questionSeparatorID { prefix.tokens.append(id); prefix.segments.append(SegmentID.question.rawValue) }
        let rendered = config.prompt.replacingOccurrences(of: "{question}", with: item.question)
        let promptIDs = tokenizer.encode(rendered).prefix(config.maxQuestionTokens)
        prefix.tokens += promptIDs
        prefix.segments += [Int32](repeating: SegmentID.question.rawValue, count: promptIDs.count)
        if let id = tokenizer.ocrSeparatorID { prefix.tokens.append(id); prefix.segments.append(SegmentID.ocr.rawValue) }
        prefix.boxes = [Int32](repeating: 0, count: 4 * prefix.tokens.count)
        prefix.words = [Int32](repeating: -1, count: prefix.tokens.count)
        prefix.matches = [Bool](repeating: false, count: prefix.tokens.count)
        let questionWords = QuestionWordMatch(question: item.question)

        var pageRows: [Row] = []
        var wordIDs: [Int32] = []
        for page in item.pages {
            var row = prefix
            var ocrCount = 0
            for (w, word) in page.words.enumerated() {
                wordIDs.removeAll(keepingCapacity: true)
                tokenizer.encode(" " + word.text, appendingTo: &wordIDs)
                let take = min(wordIDs.count, config.maxOCRTokens - ocrCount)
                if take <= 0 { break }
                let (l, t, r, bt) = word.quantizedBox
                let matches = questionWords.matches(word.text)
                for k in 0..<take {
                    row.tokens.append(wordIDs[k])
                    row.segments.append(SegmentID.ocr.rawValue)
                    row.boxes.append(Int32(l)); row.boxes.append(Int32(t))
                    row.boxes.append(Int32(r)); row.boxes.append(Int32(bt))
                    row.words.append(Int32(w))
                    row.matches.append(matches)
                }
                ocrCount += take
                if take == wordIDs.count { row.keptWords = w + 1 } else { break }
            }
            pageRows.append(row)
        }
        return pageRows
    }

    /// Copies page patches into `[B, P, N, D]` when the pages carry them (all alike).
    private func fillPatches(_ items: [BatchItem], _ batch: inout QuestionBatch) {
        guard let first = items.lazy.flatMap(\.pages).compactMap(\.patches).first else { return }
        let N = first.rows * first.cols, D = first.dimension, P = batch.pageCount
        var values = [Float](repeating: 0, count: batch.batchSize * P * N * D)
        for (b, item) in items.enumerated() {
            for (p, page) in item.pages.enumerated() {
                guard let patches = page.patches else {
                    preconditionFailure("BatchBuilder: question \(item.questionId) page \(p) has no patches while others do")
                }
                precondition(patches.rows == first.rows && patches.cols == first.cols && patches.dimension == D,
                             "BatchBuilder: question \(item.questionId) page \(p) has \(patches.rows)×\(patches.cols)×\(patches.dimension) patches, "
                             + "others \(first.rows)×\(first.cols)×\(D)")
                let base = (b * P + p) * N * D
                for k in 0..<(N * D) { values[base + k] = patches.values[k] }
            }
        }
        var positions: [Int32] = []
        positions.reserveCapacity(2 * N)
        for r in 0..<first.rows {
            for c in 0..<first.cols { positions.append(Int32(r)); positions.append(Int32(c)) }
        }
        batch.patches = values
        batch.patchCount = N
        batch.patchDimension = D
        batch.patchPositions = positions
    }
}
