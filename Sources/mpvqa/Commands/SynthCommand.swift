import ArgumentParser
import DocData
import Foundation
import RunSupport

/// `mpvqa synth`: writes the built-in synthetic MP-DocVQA dataset (README "Data").
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write the built-in synthetic MP-DocVQA dataset (question JSONs, page images, Textract OCR).",
        discussion: "Business-document pages (header, key-value fields, a small table, filler text) in "
            + "documents of 1-20 pages; every question is answerable from exactly one page, the other pages "
            + "carry distractors. The same seed writes byte-identical files. The defaults take about a "
            + "minute on 2 cores.")

    @Option(help: "Output directory (the dataset root).")
    var out: String

    @Option(help: "Questions in the train split.")
    var train = SyntheticConfig().trainQuestions
    @Option(help: "Questions in the val split.")
    var val = SyntheticConfig().valQuestions
    @Option(help: "Questions in the test split (written without answers).")
    var test = SyntheticConfig().testQuestions
    @Option(help: "Master seed.")
    var seed: UInt64 = SyntheticConfig().seed
    @Option(help: "Fewest pages per document (1-20).")
    var minPages = SyntheticConfig().minPages
    @Option(help: "Most pages per document (1-20).")
    var maxPages = SyntheticConfig().maxPages
    @Option(help: "Fewest questions per document.")
    var minQuestionsPerDocument = SyntheticConfig().minQuestionsPerDocument
    @Option(help: "Most questions per document.")
    var maxQuestionsPerDocument = SyntheticConfig().maxQuestionsPerDocument
    @Option(help: "Page image format: png or jpeg.")
    var imageFormat: String = SyntheticConfig().imageFormat.rawValue
    @Option(help: "Page width in pixels.")
    var imageWidth = SyntheticConfig().imageWidth
    @Option(help: "Page height in pixels.")
    var imageHeight = SyntheticConfig().imageHeight
    @Option(help: "JPEG quality (1-100).")
    var jpegQuality = SyntheticConfig().jpegQuality
    @Option(help: "PNG zlib compression level (0-9).")
    var pngCompression = SyntheticConfig().pngCompressionLevel
    @Option(help: "Probability (0-1) that another page carries a field of the asked kind under a different key.")
    var distractorRate = SyntheticConfig().distractorRate
    @Option(help: "Per-character OCR corruption probability (0-0.5); images stay clean.")
    var ocrNoise = SyntheticConfig().ocrNoiseRate
    @Option(help: "Worker threads.")
    var threads = ProcessInfo.processInfo.activeProcessorCount
    @Flag(help: "Write into --out even if it is a non-empty directory mpvqa did not create.")
    var force = false

    func config() throws -> SyntheticConfig {
        var c = SyntheticConfig()
        c.trainQuestions = train; c.valQuestions = val; c.testQuestions = test
        c.seed = seed
        c.minPages = minPages; c.maxPages = maxPages
        c.minQuestionsPerDocument = minQuestionsPerDocument; c.maxQuestionsPerDocument = maxQuestionsPerDocument
        guard let format = SyntheticImageFormat(rawValue: imageFormat.lowercased() == "jpg" ? "jpeg" : imageFormat.lowercased()) else {
            throw ValidationError("--image-format must be jpeg or png, got '\(imageFormat)'")
        }
        c.imageFormat = format
        c.imageWidth = imageWidth; c.imageHeight = imageHeight
        c.jpegQuality = jpegQuality; c.pngCompressionLevel = pngCompression
        c.distractorRate = distractorRate; c.ocrNoiseRate = ocrNoise
        return c
    }

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be ≥ 1, got \(threads)") }
        do { try config().validate() } catch let error as DataError {
            throw ValidationError("--\(error.field.replacingOccurrences(of: "_", with: "-")): \(error.message)")
        }
    }

    func run() throws {
        let root = URL(fileURLWithPath: out)
        // An earlier version's generated set carries `.complete` (the shared data directory's sets).
        try OwnershipMarker.claim(root, what: "dataset directory", option: "--out", force: force) {
            FileManager.default.fileExists(atPath: $0.appendingPathComponent(".complete").path)
        }
        let summary = try SyntheticDatasetWriter(config: config()).write(to: root, threads: threads)
        let splits = SyntheticConfig.splits.map { "\($0) \(summary.questions[$0] ?? 0)" }.joined(separator: ", ")
        print("wrote \(root.path): questions \(splits); \(summary.documents) documents, \(summary.pages) pages "
              + "in \(String(format: "%.1f", summary.seconds)) s (\(String(format: "%.1f", summary.pagesPerSecond)) pages/s)")
    }
}
