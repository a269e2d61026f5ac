import DocData
import Foundation
import Models
import TensorCore

/// One generated answer of ``RunGenerator``.
public struct GeneratedAnswer: Sendable, Equatable, Encodable {
    /// The decoded answer (special tokens skipped, outer spaces trimmed, as evaluation submits it).
    public var answer: String
    /// The generated token ids, without the decoder's start token and without EOS.
    public var tokens: [Int32]
    /// Whether decoding ended with EOS (false: stopped at the token limit).
    public var endedWithEOS: Bool
    /// Summed log-probability of `tokens` (and of EOS when it ended with one).
    public var sequenceScore: Double
    /// The page the page head ranks first (0-based) and its scores of every page.
    public var page: Int
    public var pageScores: [Double]
    /// The zero-parameter decoder-attention scorer's page and scores.
    public var attentionPage: Int
    public var attentionScores: [Double]

    enum CodingKeys: String, CodingKey {
        case answer, tokens, page
        case endedWithEOS = "ended_with_eos", sequenceScore = "sequence_score", pageScores = "page_scores"
        case attentionPage = "attention_page", attentionScores = "attention_page_scores"
    }
}

/// `mpvqa generate`: a run's model answers one question over given pages (README "`mpvqa
/// generate`"), exactly as evaluation answers a dataset question — each page encoded with the
/// question independently, the K summaries of every page concatenated as the decoder's
/// memory, KV-cached greedy or beam search decoding, the page head naming the page.
///
/// ```swift
/// let generator = try RunGenerator(run: RunDirectory(URL(fileURLWithPath: "runs/demo")))
/// let pages = try ["p1.json", "p2.json"].map { PageInput(words: try OCRReader.read(contentsOf: URL(fileURLWithPath: $0))) }
/// let result = try generator.answer(question: "What is the total?", pages: pages, options: generator.options(beams: 3))
/// print(result.answer, result.page)
/// ```
public struct RunGenerator {
    public let run: RunDirectory
    public let settings: RunSettings
    public let tokenizer: any TextTokenizer
    public let model: HiVT5
    /// The checkpoint read: best, else latest (an import has latest only).
    public let checkpoint: URL
    let builders: (answer: BatchBuilder, probe: BatchBuilder?)

    /// Loads the run's config, tokenizer and checkpoint (best, else latest). Reads only: a run
    /// still training may be asked. Throws one line naming the directory or file that is missing.
    public init(run: RunDirectory) throws {
        guard FileManager.default.fileExists(atPath: run.config.path) else {
            throw ConfigError(source: run.url.path, key: "--run", "no config.yaml; expected a run directory written by `mpvqa train` or `mpvqa import-hf`")
        }
        let yaml = try String(contentsOf: run.config, encoding: .utf8)
        let settings = try RunSettings(ConfigDocument.parse(yaml, source: run.config.path).base)
        guard let checkpoint = [run.bestCheckpoint, run.latestCheckpoint].first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
            throw ConfigError(source: run.url.path, key: "--run", "no checkpoint in \(run.checkpoints.path); train first")
        }
        guard settings.encoder.visual == .none else {
            throw ConfigError(source: run.config.path, key: "encoder.visual",
                              "\(settings.encoder.visual.rawValue): the model reads page images, and mpvqa generate reads OCR only")
        }
        guard FileManager.default.fileExists(atPath: run.tokenizer.path) else {
            throw ConfigError(source: run.url.path, key: "--run", "no tokenizer.json; the run cannot encode text without it")
        }
        let preparation = RunPreparation(settings: settings, dataDirectory: run.url)
        tokenizer = try RunTokenizer.load(run.tokenizer, settings: settings)
        var rng = SeededRNG(seed: 0)
        model = HiVT5(try preparation.modelConfiguration(tokenizer: tokenizer), rng: &rng)
        try TrainingCheckpoint.load(into: model, optimizer: nil, from: checkpoint)
        builders = try preparation.batchBuilders(tokenizer: tokenizer)
        self.run = run
        self.settings = settings
        self.checkpoint = checkpoint
    }

    /// Generation options of this run (`eval.memory_pages`; `eval.max_answer_tokens` unless
    /// `maxTokens` is given).
    public func options(beams: Int = 1, maxTokens: Int? = nil) -> GenerationOptions {
        GenerationOptions(maxLength: maxTokens ?? settings.eval.maxAnswerTokens, beams: beams, memoryPages: settings.eval.memoryPages)
    }

    /// Answers `question` over `pages` (in document order). Throws when there are no pages, more
    /// than the model has page-index rows for, or more beams than tokens.
    public func answer(question: String, pages: [PageInput], options: GenerationOptions) throws -> GeneratedAnswer {
        let maxPages = model.configuration.maxPages
        guard !pages.isEmpty, pages.count <= maxPages else {
            throw ConfigError(source: "--pages", key: "", "\(pages.count) pages: expected 1…\(maxPages) (the model's page-index rows)")
        }
        guard options.beams <= model.configuration.vocabSize else {
            throw ConfigError(source: "--beams", key: "", "\(options.beams): more beams than the \(model.configuration.vocabSize) tokens of the vocabulary")
        }
        let item = BatchItem(questionId: 0, question: question, answers: [], answerPageIndex: nil, pages: pages)
        let tokens = builders.answer.build([item])
        let batch = ModelBatchConversion.convert(tokens, probe: builders.probe?.build([item]), spanLabels: false)
        let result = model.generate(batch, options: options)
        let ids = result.tokens[0], n = pages.count
        return GeneratedAnswer(answer: tokenizer.decode(ids, skipSpecialTokens: true).trimmingCharacters(in: .whitespaces),
                               tokens: ids, endedWithEOS: ids.count < result.steps,
                               sequenceScore: result.sequenceScores[0],
                               page: result.predictedPage[0], pageScores: Array(result.pageScores[0].prefix(n)),
                               attentionPage: result.predictedPageByAttention[0],
                               attentionScores: Array(result.decoderAttentionPageScores[0].prefix(n)))
    }

    /// The encoder rows `answer` builds for `pages`: token ids `[P][L]` without padding (tests
    /// compare them with an independent encoding).
    public func encoderTokens(question: String, pages: [PageInput]) -> [[Int32]] {
        let item = BatchItem(questionId: 0, question: question, answers: [], answerPageIndex: nil, pages: pages)
        let batch = builders.answer.build([item])
        return (0..<pages.count).map { p in
            let base = batch.offset(0, p, 0)
            return (0..<batch.sequenceLength).compactMap { l in batch.attentionMask[base + l] > 0 ? batch.tokenIDs[base + l] : nil }
        }
    }

    /// Words per line of ``contextPage(_:)``.
    public static let contextWordsPerLine = 12
    /// Lines per page of ``contextPage(_:)``; later lines share the last row's box.
    public static let contextLines = 50

    /// A page made of `text`: its whitespace-separated words in reading order, laid out on a
    /// grid of ``contextWordsPerLine`` words per line and ``contextLines`` lines (each word the
    /// cell it falls in, boxes in 0…1), so layout embeddings see a plausible left-to-right,
    /// top-to-bottom page.
    public static func contextPage(_ text: String) -> PageInput {
        let words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        let width = 1 / Float(contextWordsPerLine), height = 1 / Float(contextLines)
        return PageInput(words: words.enumerated().map { i, word in
            let column = i % contextWordsPerLine, line = min(i / contextWordsPerLine, contextLines - 1)
            return OCRWord(text: word, left: Float(column) * width, top: Float(line) * height,
                           right: Float(column + 1) * width, bottom: Float(line + 1) * height)
        })
    }
}
