import Foundation

/// What `DatasetValidator` found: counts, distributions and every problem.
/// Encodes to the JSON of `mpvqa data validate --json` (README "Commands"): `questions`, `documents`,
/// `pages`, `problems` (each `file`, `record`, `field`, `message`), plus `splits`,
/// `page_count_histogram` and `ocr_tokens_per_page`.
public struct ValidationReport: Sendable, Codable, Equatable {
    /// Splits whose question files were checked.
    public var splits: [String]
    /// Question records over those files (good and bad).
    public var questions: Int
    /// Distinct `doc_id`s.
    public var documents: Int
    /// Distinct page ids (those naming files inside the root).
    public var pages: Int
    /// `pageCountHistogram[n - 1]` = questions with `n` pages, `n` = 1…20.
    public var pageCountHistogram: [Int]
    /// OCR words per page, over pages whose OCR file was read without problems.
    public var ocrTokensPerPage: TokenStatistics
    /// Every problem, question files first (in split and file order), then pages (in order of
    /// first use); file paths are relative to the dataset root.
    public var problems: [DataError]

    /// Word counts of pages: how many pages were counted, and the mean, min and max per page.
    public struct TokenStatistics: Sendable, Codable, Equatable {
        public var pages: Int
        public var mean: Double
        public var min: Int
        public var max: Int

        public init(counts: [Int]) {
            pages = counts.count
            mean = counts.isEmpty ? 0 : Double(counts.reduce(0, +)) / Double(counts.count)
            min = counts.min() ?? 0
            max = counts.max() ?? 0
        }
    }

    enum CodingKeys: String, CodingKey {
        case splits, questions, documents, pages
        case pageCountHistogram = "page_count_histogram"
        case ocrTokensPerPage = "ocr_tokens_per_page"
        case problems
    }

    /// The report as text: the summary, then one `file: record: field: message` line per problem.
    public var text: String {
        var lines = [
            "splits: \(splits.joined(separator: ", "))",
            "questions: \(questions)   documents: \(documents)   pages: \(pages)",
        ]
        let counted = pageCountHistogram.reduce(0, +)
        let meanPages = counted == 0 ? 0 : Double(pageCountHistogram.enumerated().map { ($0.offset + 1) * $0.element }.reduce(0, +)) / Double(counted)
        lines.append("pages per question (mean \(String(format: "%.2f", meanPages))):")
        let widest = max(pageCountHistogram.max() ?? 0, 1)
        for (i, n) in pageCountHistogram.enumerated() {
            let bar = String(repeating: "#", count: (n * 40 + widest - 1) / widest)
            lines.append(String(format: "  %2d  %6d  ", i + 1, n) + bar)
        }
        lines.append("OCR tokens per page: mean \(String(format: "%.1f", ocrTokensPerPage.mean))  min \(ocrTokensPerPage.min)  max \(ocrTokensPerPage.max)  (\(ocrTokensPerPage.pages) pages)")
        lines.append(problems.isEmpty ? "no problems" : "\(problems.count) problem\(problems.count == 1 ? "" : "s"):")
        lines += problems.map { "  \($0)" }
        return lines.joined(separator: "\n")
    }
}
