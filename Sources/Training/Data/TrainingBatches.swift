import DocData
import Models
import TensorCore

/// Where a training step's questions come from.
public enum QuestionSource: Sendable {
    /// A fixed split held in memory, shuffled per epoch.
    case fixed(QuestionSet)
    /// Freshly generated synthetic documents for every batch (`dataset.synthetic.online`).
    case online(SyntheticConfig)
}

/// The batch of every training step as a pure function of (seed, step), so a resumed run
/// sees exactly the batches an uninterrupted one would.
///
/// Recipe switches applied here: `train.page_window` (W consecutive pages containing the
/// answer page), `train.single_page_warmup_steps` (the answer page alone), the seeded draw
/// of one gold answer per question (among the forms printed on the answer page with
/// `train.answer_draw: extractive`), span labels for the auxiliary span loss, and
/// `train.window_page_offsets` (a window's pages keep their document page indexes, so every
/// page-index embedding row the evaluator uses is trained; off: every window is renumbered 0…W−1).
public struct TrainingBatches: Sendable {
    public let source: QuestionSource
    public let builder: BatchBuilder
    /// Renders the same items with the probe prompt (2n-pass probe), or nil.
    public let probeBuilder: BatchBuilder?
    public let batchSize: Int
    public let seed: UInt64
    public let pageWindow: Int
    public let singlePageWarmupSteps: Int
    public let spanLabels: Bool
    /// Draw the target among the gold forms printed on the answer page (`train.answer_draw: extractive`).
    public let extractiveAnswers: Bool
    /// Windows keep their document page indexes (`train.window_page_offsets`).
    public let windowPageOffsets: Bool
    /// Build only what a model reads besides the encoder (targets, page masks): cached
    /// training reads summaries from feature caches, so the pages' OCR is not tokenised.
    public let targetsOnly: Bool

    public init(source: QuestionSource, builder: BatchBuilder, probeBuilder: BatchBuilder?, batchSize: Int, seed: UInt64,
                pageWindow: Int, singlePageWarmupSteps: Int, spanLabels: Bool, extractiveAnswers: Bool,
                windowPageOffsets: Bool = true, targetsOnly: Bool = false) {
        self.source = source
        self.builder = builder
        self.probeBuilder = probeBuilder
        self.batchSize = batchSize
        self.seed = seed
        self.pageWindow = pageWindow
        self.singlePageWarmupSteps = singlePageWarmupSteps
        self.spanLabels = spanLabels
        self.extractiveAnswers = extractiveAnswers
        self.windowPageOffsets = windowPageOffsets
        self.targetsOnly = targetsOnly
    }

    /// A generator for step `step` (independent streams per step and purpose).
    func rng(step: Int, purpose: UInt64) -> SeededRNG {
        SeededRNG(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(step) &* 0xD1B5_4A32_D192_ED03 &+ purpose)
    }

    /// The questions of `step` before windowing.
    func items(step: Int) -> [BatchItem] {
        switch source {
        case .fixed(let set):
            let sampler = QuestionSampler(count: set.items.count, batchSize: min(batchSize, set.items.count), seed: seed)
            return sampler.batch(step: step).map { set.items[$0] }
        case .online(let config):
            var generatorRNG = rng(step: step, purpose: 3)
            var stream = try! SyntheticDocumentStream(config: config, seed: generatorRNG.next())  // config validated up front
            var items: [BatchItem] = []
            while items.count < batchSize {
                items += stream.next().batchItems(firstQuestionId: step * batchSize + items.count)
                    .prefix(batchSize - items.count)
            }
            return items
        }
    }

    /// The model batch of `step`.
    public func batch(step: Int) -> Models.QuestionBatch {
        var windowRNG = rng(step: step, purpose: 1)
        let windowed = items(step: step).map { item -> BatchItem in
            guard let answerPage = item.answerPageIndex else { return item }
            let n = item.pages.count
            var window: BatchItem
            if step < singlePageWarmupSteps {
                window = item.window(start: answerPage, count: 1)
            } else if pageWindow > 0, n > pageWindow {
                let low = max(0, answerPage - pageWindow + 1), high = min(answerPage, n - pageWindow)
                window = item.window(start: low + windowRNG.nextInt(below: high - low + 1), count: pageWindow)
            } else {
                return item
            }
            if !windowPageOffsets { window.firstPageIndex = 0 }
            return window
        }
        var answerRNG = rng(step: step, purpose: 2)
        let choices = windowed.map { item -> Int in
            var candidates = Array(item.answers.indices)
            if extractiveAnswers, let page = item.answerPageIndex {
                // Prefer gold forms printed on the answer page: the decoder can copy those.
                let words = item.pages[page].words.map(\.text)
                let printed = candidates.filter { !AnswerSpan.wordIndices(of: item.answers[$0], in: words).isEmpty }
                if !printed.isEmpty { candidates = printed }
            }
            return candidates.isEmpty ? 0 : candidates[answerRNG.nextInt(below: candidates.count)]
        }
        let answerBatch = builder.build(windowed, answerChoices: choices, encoderRows: !targetsOnly)
        let probeBatch = targetsOnly ? nil : probeBuilder?.build(windowed, answerChoices: choices)
        return ModelBatchConversion.convert(answerBatch, probe: probeBatch, spanLabels: spanLabels)
    }
}
