import Foundation
import RunSupport

/// Checks a dataset in the MP-DocVQA release format (README "Data") and reports every problem,
/// not just the first: question files (see `QuestionFile`), and for every page any question
/// names — image present (`.jpg`, `.png` or `.jpeg`) and decodable, OCR file present and
/// readable in either form. Pages are checked in parallel; each page is checked once however
/// many questions use it, and its decoded image is dropped right away.
///
/// ```swift
/// let report = DatasetValidator(layout: DatasetLayout(root: root), showProgress: true).validate()
/// print(report.text)      // summary, then `file: record: field: message` per problem
/// ```
public struct DatasetValidator: Sendable {
    public var layout: DatasetLayout
    /// Threads checking pages.
    public var threads: Int
    /// Show a progress bar (terminal) or progress lines (log) on stderr.
    public var showProgress: Bool

    /// The splits checked when none are named, when their question files exist.
    public static let releaseSplits = ["train", "val", "test"]

    public init(layout: DatasetLayout, threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                showProgress: Bool = false) {
        self.layout = layout
        self.threads = max(1, threads)
        self.showProgress = showProgress
    }

    /// Validates `splits`, or (nil) every split of `releaseSplits` and of the layout's
    /// configured question files whose file exists. A named split without a file is a problem.
    public func validate(splits requested: [String]? = nil) -> ValidationReport {
        let layout = self.layout
        var problems: [DataError] = []
        let splits = requested ?? presentSplits()
        if splits.isEmpty {
            let expected = Self.releaseSplits.map { layout.questionFile($0) }.joined(separator: ", ")
            problems.append(DataError(file: ".", "no question file found (expected \(expected))"))
        }

        // Question files, and which pages they name (first user of each page kept for messages).
        var questions = 0
        var documents = Set<String>()
        var histogram = [Int](repeating: 0, count: QuestionFile.maxPages)
        var pageIds: [String] = []
        var firstUser: [String: String] = [:]
        for split in splits {
            let file = QuestionFile.load(layout: layout, split: split)
            problems += file.problems
            problems += QuestionConsistency.problems(file.questions, split: split, file: file.file)
            questions += file.recordCount
            for refs in file.references {
                if let docId = refs.docId { documents.insert(docId) }
                if let n = refs.pageCount, (1...QuestionFile.maxPages).contains(n) { histogram[n - 1] += 1 }
                for pageId in refs.safePageIds where firstUser[pageId] == nil {
                    firstUser[pageId] = "\(file.file) \(refs.record)"
                    pageIds.append(pageId)
                }
            }
        }

        // Pages, in parallel; results come back in page order so the report is deterministic.
        let progress = showProgress ? Progress("validate", total: pageIds.count, unit: "pages") : nil
        let firstUsers = firstUser, pages = pageIds
        let checks = ParallelMap.map(pages.count, threads: threads) { i in
            let check = Self.checkPage(pages[i], usedBy: firstUsers[pages[i]] ?? "", layout: layout)
            progress?.advance()
            return check
        }
        progress?.finish()
        var tokenCounts: [Int] = []
        for check in checks {
            problems += check.problems
            if let n = check.ocrWords { tokenCounts.append(n) }
        }
        return ValidationReport(splits: splits, questions: questions, documents: documents.count, pages: pageIds.count,
                                pageCountHistogram: histogram, ocrTokensPerPage: .init(counts: tokenCounts),
                                problems: problems)
    }

    /// Splits whose question file exists, release splits first, then `mpvqa synth`'s dev split.
    private func presentSplits() -> [String] {
        let candidates = MPDocVQADataset.distinct(Self.releaseSplits + ["dev"] + layout.questionFiles.keys.sorted())
        return candidates.filter { FileManager.default.fileExists(atPath: layout.url(layout.questionFile($0)).path) }
    }

    /// What checking one page found: its problems, and its OCR word count when the OCR was read cleanly.
    struct PageCheck: Sendable {
        var problems: [DataError] = []
        var ocrWords: Int?
    }

    static func checkPage(_ pageId: String, usedBy: String, layout: DatasetLayout) -> PageCheck {
        var check = PageCheck()
        if layout.existingImageFile(pageId: pageId) == nil {
            check.problems.append(layout.missingImageError(pageId: pageId, context: "page of \(usedBy)"))
        } else {
            do {
                _ = try layout.loadImage(pageId: pageId)  // decoded to check it, then dropped
            } catch let error as DataError {
                check.problems.append(error)
            } catch {
                check.problems.append(DataError(file: layout.existingImageFile(pageId: pageId) ?? pageId, "cannot decode the image: \(error)"))
            }
        }
        let ocrFile = layout.ocrFile(pageId)
        let data: Data
        do {
            data = try Data(contentsOf: try layout.containedURL(ocrFile))
        } catch let error as DataError {
            check.problems.append(error)
            return check
        } catch {
            let exists = FileManager.default.fileExists(atPath: layout.url(ocrFile).path)
            check.problems.append(DataError(file: ocrFile, exists
                ? "cannot read the OCR file: \(FileSystemError.reason(of: error) ?? error.localizedDescription)"
                : "OCR file not found (page of \(usedBy))"))
            return check
        }
        let ocr = OCRReader.parse(data, file: ocrFile)
        check.problems += ocr.problems
        if ocr.problems.isEmpty { check.ocrWords = ocr.words.count }
        return check
    }
}
