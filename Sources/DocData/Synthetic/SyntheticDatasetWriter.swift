import Foundation
import RunSupport

/// What `SyntheticDatasetWriter.write` produced.
public struct SyntheticDatasetSummary: Sendable, Equatable {
    /// Questions per split name.
    public var questions: [String: Int]
    public var documents: Int
    public var pages: Int
    /// Wall time of planning, rendering and writing.
    public var seconds: Double

    public var pagesPerSecond: Double { Double(pages) / max(seconds, 1e-9) }
}

/// Writes a synthetic dataset in the MP-DocVQA release layout (README "Data"):
/// `train.json`, `val.json`, `test.json` (without answers, as released), `dev.json`,
/// `images/<page_id>.jpg|png`, `ocr/<page_id>.json` (Textract form), plus `test_gold.json`
/// (the test questions with their answers, which `mpvqa eval --split test` scores against)
/// and `synth_config.json` recording the knobs. Pages are rendered and
/// written in parallel; every file is written atomically; the same config writes the same bytes.
///
/// ```swift
/// var config = SyntheticConfig()
/// config.seed = 7
/// let summary = try SyntheticDatasetWriter(config: config).write(to: URL(fileURLWithPath: "data/synth"))
/// print(summary.pages, summary.pagesPerSecond)
/// ```
public struct SyntheticDatasetWriter: Sendable {
    public let config: SyntheticConfig

    /// Throws the config's validation error.
    public init(config: SyntheticConfig) throws {
        try config.validate()
        self.config = config
    }

    /// Writes the dataset under `root` (created if missing; files of an earlier run with the
    /// same page ids are replaced, including images in the other format).
    /// - Parameters:
    ///   - threads: workers rendering and writing pages.
    ///   - showProgress: a progress bar / log lines on stderr.
    public func write(to root: URL, threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                      showProgress: Bool = true) throws -> SyntheticDatasetSummary {
        let start = Date()
        let files = DatasetLayout(root: root)
        let splits = try SyntheticSplitPlan.make(config: config, threads: threads)
        let pages = splits.flatMap { $0.documents.flatMap(\.pages) }
        for dir in [files.imagesDirectory, files.ocrDirectory] {
            try FileManager.default.createDirectory(at: files.url(dir), withIntermediateDirectories: true)
        }

        let progress = showProgress ? Progress("synth", total: pages.count, unit: "pages") : nil
        let failures = FirstError()
        let config = self.config
        _ = ParallelMap.map(pages.count, threads: threads) { i in
            guard !failures.happened else { return }
            do {
                try Self.writePage(pages[i], files: files, config: config)
                progress?.advance()
            } catch {
                failures.record(error)
            }
        }
        if let error = failures.error { throw error }

        for split in splits {
            let released = split.name == "test" ? split.questions.map(\.withoutAnswers) : split.questions
            try AtomicFile.write(Data(QuestionFileJSON.encode(released, split: split.name)),
                                 to: files.url(files.questionFile(split.name)))
            if split.name == "test" {
                try AtomicFile.write(Data(QuestionFileJSON.encode(split.questions, split: split.name)),
                                     to: files.url(DatasetLayout.goldFile(of: files.questionFile(split.name))))
            }
        }
        try AtomicFile.write(Data(Self.configJSON(config)), to: root.appendingPathComponent("synth_config.json"))
        progress?.finish()
        return SyntheticDatasetSummary(questions: Dictionary(uniqueKeysWithValues: splits.map { ($0.name, $0.questions.count) }),
                                       documents: splits.reduce(0) { $0 + $1.documents.count },
                                       pages: pages.count, seconds: Date().timeIntervalSince(start))
    }

    /// Renders, encodes and writes one page's image and OCR.
    static func writePage(_ page: SyntheticPage, files: DatasetLayout, config: SyntheticConfig) throws {
        let image = PageRenderer.image(page)
        let bytes: [UInt8]
        switch config.imageFormat {
        case .jpeg: bytes = try ImageCodec.encodeJPEG(image, quality: config.jpegQuality)
        case .png: bytes = try ImageCodec.encodePNG(image, compressionLevel: config.pngCompressionLevel)
        }
        let ext = config.imageFormat.fileExtension
        try AtomicFile.write(Data(bytes), to: files.url("\(files.imagesDirectory)/\(page.pageId).\(ext)"))
        // A stale image in another format would shadow this one (loaders try .jpg first).
        for candidate in files.imageCandidates(page.pageId) where !candidate.hasSuffix(".\(ext)") {
            try? FileManager.default.removeItem(at: files.url(candidate))
        }
        try AtomicFile.write(Data(TextractJSON.encode(page)), to: files.url(files.ocrFile(page.pageId)))
    }

    /// The knobs as JSON (`synth_config.json`), so a dataset records how it was made.
    static func configJSON(_ c: SyntheticConfig) -> [UInt8] {
        var json = JSONText()
        json.raw("{")
        json.key("generator"); json.string("mpvqa synth"); json.raw(", ")
        json.key("seed"); json.raw(String(c.seed)); json.raw(", ")
        json.key("train"); json.int(c.trainQuestions); json.raw(", ")
        json.key("val"); json.int(c.valQuestions); json.raw(", ")
        json.key("test"); json.int(c.testQuestions); json.raw(", ")
        json.key("dev"); json.int(c.devQuestions); json.raw(", ")
        json.key("min_pages"); json.int(c.minPages); json.raw(", ")
        json.key("max_pages"); json.int(c.maxPages); json.raw(", ")
        json.key("min_questions_per_document"); json.int(c.minQuestionsPerDocument); json.raw(", ")
        json.key("max_questions_per_document"); json.int(c.maxQuestionsPerDocument); json.raw(", ")
        json.key("distractor_rate"); json.fixed(c.distractorRate, decimals: 6); json.raw(", ")
        json.key("ocr_noise"); json.fixed(c.ocrNoiseRate, decimals: 6); json.raw(", ")
        json.key("image_width"); json.int(c.imageWidth); json.raw(", ")
        json.key("image_height"); json.int(c.imageHeight); json.raw(", ")
        json.key("image_format"); json.string(c.imageFormat.rawValue); json.raw(", ")
        json.key("jpeg_quality"); json.int(c.jpegQuality); json.raw(", ")
        json.key("png_compression"); json.int(c.pngCompressionLevel)
        json.raw("}\n")
        return json.bytes
    }
}

/// The first error thrown by any of several parallel workers.
final class FirstError: @unchecked Sendable {
    private let lock = NSLock()
    private var first: Error?

    var happened: Bool { lock.lock(); defer { lock.unlock() }; return first != nil }
    var error: Error? { lock.lock(); defer { lock.unlock() }; return first }

    func record(_ error: Error) {
        lock.lock()
        if first == nil { first = error }
        lock.unlock()
    }
}
