import ArgumentParser
import DocData
import Foundation
import Training

/// `mpvqa generate --run DIR --question Q (--pages OCR.json… | --context TEXT) [--beams N] [--max-tokens N] [--json]`
/// (README "`mpvqa generate`").
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Answer one question over given pages with a run's model (greedy or beam search).",
        discussion: """
        Each page is encoded with the question independently and the K summaries of all pages are the \
        decoder's memory, as in evaluation; the page head names the page. --pages takes MP-DocVQA OCR \
        files (Textract or DocVQA/Azure JSON) in document order; --context TEXT is one page of that text. \
        Beam search ranks finished beams by summed log-probability / length (README "`mpvqa generate`").
        """)

    @Option(name: .customLong("run"), help: "Run directory (mpvqa train or mpvqa import-hf).")
    var runPath: String

    @Option(help: "The question.")
    var question: String

    @Option(parsing: .upToNextOption, help: "OCR files of the pages, in document order.")
    var pages: [String] = []

    @Option(help: "Text of a single page (instead of --pages).")
    var context: String?

    @Option(help: "Beam width (1 = greedy).")
    var beams = 1

    @Option(help: "Most answer tokens generated, EOS included (default: the run's eval.max_answer_tokens).")
    var maxTokens: Int?

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        // Thrown from run (not validate) so each message is one line, without the usage text.
        guard (1...64).contains(beams) else { throw ConfigError(source: "--beams", key: "", "\(beams): expected an integer in 1…64 (as eval.beams)") }
        if let maxTokens, !(1...512).contains(maxTokens) {
            throw ConfigError(source: "--max-tokens", key: "", "\(maxTokens): expected an integer in 1…512")
        }
        guard pages.isEmpty != (context == nil) else {
            throw ConfigError(source: "--pages", key: "", pages.isEmpty ? "give the pages as --pages OCR.json… or one page as --context TEXT"
                                                                        : "give either --pages or --context, not both")
        }
        guard !question.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ConfigError(source: "--question", key: "", "the question is empty")
        }
        let inputs = try context.map { [RunGenerator.contextPage($0)] }
            ?? pages.map { PageInput(words: try OCRReader.read(contentsOf: URL(fileURLWithPath: $0), file: $0)) }
        let generator = try RunGenerator(run: RunDirectory(URL(fileURLWithPath: runPath)))
        let result = try generator.answer(question: question, pages: inputs, options: generator.options(beams: beams, maxTokens: maxTokens))
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
            return
        }
        let names = context != nil ? ["context"] : pages
        print("answer: \(result.answer)")
        print("page: \(result.page) (\(names[result.page])) by the page head; decoder attention: page \(result.attentionPage)")
        for (p, score) in result.pageScores.enumerated() {
            print(String(format: "  page %d  head score %8.4f  attention %.4f  %@", p, score, result.attentionScores[p], names[p]))
        }
        print("tokens: \(result.tokens.map(String.init).joined(separator: " "))"
              + (result.endedWithEOS ? " </s>" : " (stopped at the token limit)")
              + String(format: "; log-probability %.4f; %@", result.sequenceScore, beams == 1 ? "greedy" : "\(beams) beams"))
    }
}
