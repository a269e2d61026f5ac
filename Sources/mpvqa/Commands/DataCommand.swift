import ArgumentParser
import DocData
import Foundation

/// `mpvqa data …`: dataset tools.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Dataset tools for the MP-DocVQA on-disk format.",
        subcommands: [DataValidateCommand.self])
}

/// `mpvqa data validate ROOT [--split NAME] [--json]`: checks every question and page and
/// prints a summary and every problem; exits non-zero when there are problems.
struct DataValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a dataset in the MP-DocVQA layout and report every problem.",
        discussion: """
        Checks the question files (required fields and types, 1–20 pages, answer_page_idx in \
        range, unique questionId, answers present except on test, page ids inside the root, \
        valid UTF-8) and every page they name (image present and decodable, OCR file present \
        and readable as Textract or DocVQA/Azure JSON). Prints a summary and one line per \
        problem as `file: record: field: what is wrong`, paths relative to ROOT. Exit status \
        is 1 when there are problems.
        """)

    @Argument(help: "Dataset root (holds train.json, val.json, test.json, images/, ocr/).")
    var root: String

    @Option(name: .customLong("split"), help: "Check only this split (repeatable; default: every split whose question file exists).")
    var splits: [String] = []

    @Flag(help: "Print the report as JSON (questions, documents, pages, problems, ...).")
    var json = false

    @Option(help: "Images directory, relative to ROOT.")
    var imagesDir = "images"

    @Option(help: "OCR directory, relative to ROOT.")
    var ocrDir = "ocr"

    @Option(help: "Threads checking pages (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("dataset root \(root) is not a directory")
        }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    func run() throws {
        let layout = DatasetLayout(root: URL(fileURLWithPath: root), imagesDirectory: imagesDir, ocrDirectory: ocrDir)
        let validator = DatasetValidator(layout: layout, threads: threads, showProgress: true)
        let report = validator.validate(splits: splits.isEmpty ? nil : splits)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print("dataset: \(root)")
            print(report.text)
        }
        if !report.problems.isEmpty {
            FileHandle.standardError.write(Data("\(report.problems.count) problem\(report.problems.count == 1 ? "" : "s") in \(root)\n".utf8))
            throw ExitCode(1)
        }
    }
}
