import ArgumentParser
import DocData
import Foundation
import Training

/// `mpvqa score --gold QUESTIONS.json --predictions SUBMISSION.json [--json]`: scores any
/// system's RRC-style submission against gold questions (README "Metrics").
struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score a submission (ANLS, accuracy, page accuracy, breakdowns) against gold questions.",
        discussion: """
        SUBMISSION.json is a list of {"questionId", "answer", "answer_page"} objects, optionally \
        with "page_scores" (then top-3 page accuracy is reported). Every gold question must be \
        answered exactly once.
        """)

    @Option(help: "Gold question file in the MP-DocVQA format (with answers).")
    var gold: String

    @Option(help: "Submission JSON.")
    var predictions: String

    @Flag(help: "Print JSON (questions, anls, accuracy, page_accuracy, top3_page_accuracy, breakdowns).")
    var json = false

    func run() throws {
        let goldURL = URL(fileURLWithPath: gold)
        let layout = DatasetLayout(root: goldURL.deletingLastPathComponent(), questionFiles: ["gold": goldURL.lastPathComponent])
        let file = QuestionFile.load(layout: layout, split: "gold")
        if let problem = DataError.first(of: file.problems) { throw problem }
        let entries = try SubmissionEntry.load(URL(fileURLWithPath: predictions))
        let report = try Scorer.score(gold: file.questions, predictions: entries,
                                      goldFile: goldURL.lastPathComponent, predictionsFile: URL(fileURLWithPath: predictions).lastPathComponent)
        if json {
            print(try ScoreText.json(report))
        } else {
            print(ScoreText.table(report))
        }
    }
}
