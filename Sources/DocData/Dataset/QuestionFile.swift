import Foundation
import RunSupport

/// One split's question file (README "Data"), read strictly: every problem in it is collected
/// (not just the first) and only the records without problems become `questions`.
///
/// Checked per record: required fields and their types (`questionId` int, `question` and
/// `doc_id` strings, `page_ids` 1–20 strings that stay inside the dataset root, `data_split`
/// string when present), `answers` (non-empty list of strings) and `answer_page_idx` (in range)
/// present on splits with answers and absent on the test split, unique `questionId`, and bytes
/// that are not UTF-8. Unknown fields are ignored. Records are named `questionId N`, or
/// `data[i]` when the id cannot be read.
///
/// ```swift
/// let file = QuestionFile.load(layout: DatasetLayout(root: root), split: "val")
/// for problem in file.problems { print(problem) }   // val.json: questionId 57: answer_page_idx: ...
/// ```
public struct QuestionFile: Sendable {
    /// Most pages a question may have (MP-DocVQA caps documents at 20 pages).
    public static let maxPages = 20

    /// Path of the file as named in problems (relative to the dataset root).
    public var file: String
    /// Records without problems, in file order.
    public var questions: [Question]
    /// Number of items in `data` (good and bad).
    public var recordCount: Int
    /// Every problem found, in file order.
    public var problems: [DataError]
    /// What every record (good or bad) refers to, as far as it could be read: the validator
    /// checks the pages of bad records too, and counts their documents and page counts.
    var references: [RecordReferences] = []

    /// The document and pages one record names.
    struct RecordReferences: Sendable {
        var record: String
        var docId: String?
        /// Number of entries of a readable `page_ids` array (also when some are unusable).
        var pageCount: Int?
        /// The entries of `page_ids` that are strings naming files inside the root.
        var safePageIds: [String]
    }

    /// Whether a split's questions carry `answers` and `answer_page_idx`: every split but `test`.
    public static func expectsAnswers(split: String) -> Bool { split != "test" }

    /// Reads the question file of `split` under `layout`; a missing or unreadable file is a problem.
    public static func load(layout: DatasetLayout, split: String) -> QuestionFile {
        let file = layout.questionFile(split)
        let data: Data
        do {
            data = try Data(contentsOf: layout.url(file))
        } catch {
            let exists = FileManager.default.fileExists(atPath: layout.url(file).path)
            return QuestionFile(file: file, questions: [], recordCount: 0, problems: [
                DataError(file: file, exists ? "cannot read the question file: \(FileSystemError.reason(of: error) ?? error.localizedDescription)" : "question file not found"),
            ])
        }
        return parse(data, file: file, expectsAnswers: expectsAnswers(split: split))
    }

    /// Parses the bytes of a question file named `file` (used in problems).
    public static func parse(_ data: Data, file: String, expectsAnswers: Bool) -> QuestionFile {
        var result = QuestionFile(file: file, questions: [], recordCount: 0, problems: [])
        let document: JSONDocument
        do {
            document = try JSONParser.parse(data)
        } catch {
            result.problems.append(DataError(file: file, error.description))
            return result
        }
        guard case .object(let top) = document.root else {
            result.problems.append(DataError(file: file, "expected a top-level object with \"data\", found \(document.root.found)"))
            return result
        }
        guard let dataValue = top["data"] else {
            result.problems.append(DataError(file: file, field: "data", "missing; expected the list of questions"))
            return result
        }
        guard case .array(let items) = dataValue else {
            result.problems.append(DataError(file: file, field: "data", "expected an array of questions, found \(dataValue.found)"))
            return result
        }
        result.recordCount = items.count
        let log = ProblemLog()
        var firstIndexOfId: [Int: Int] = [:]
        for (index, item) in items.enumerated() {
            let before = log.problems.count
            guard case .object(let fields) = item else {
                log.report(DataError(file: file, record: "data[\(index)]", "expected a question object, found \(item.found)"))
                continue
            }
            var record = "data[\(index)]"
            var readableId: Int?
            if case .number(_, let id?)? = fields["questionId"] {
                record = "questionId \(id)"
                readableId = id
            }
            let reader = JSONRecordReader(fields, file: file, record: record, log: log)
            result.references.append(references(fields, record: record))
            let question = readQuestion(reader, expectsAnswers: expectsAnswers)
            if let id = readableId {
                if let first = firstIndexOfId[id] {
                    reader.report("questionId", "duplicate: data[\(first)] has the same id (this is data[\(index)])")
                } else {
                    firstIndexOfId[id] = index
                }
            }
            if let question, log.problems.count == before { result.questions.append(question) }
        }
        if items.isEmpty {
            log.report(DataError(file: file, field: "data", "empty; expected at least one question (an empty split cannot be trained or evaluated)"))
        }
        log.reportRemainingInvalidUTF8(document, file: file)
        result.problems = log.problems
        return result
    }

    /// The doc id and page ids of a record, read leniently (its problems are reported elsewhere).
    private static func references(_ fields: [String: JSONValue], record: String) -> RecordReferences {
        var refs = RecordReferences(record: record, docId: nil, pageCount: nil, safePageIds: [])
        if case .string(let docId, nil)? = fields["doc_id"] { refs.docId = docId }
        if case .array(let items)? = fields["page_ids"] {
            refs.pageCount = items.count
            for item in items {
                if case .string(let pageId, nil) = item, unsafePageIdReason(pageId) == nil { refs.safePageIds.append(pageId) }
            }
        }
        return refs
    }

    /// Reads one record, reporting every problem in it; nil when a required field is unusable.
    private static func readQuestion(_ r: JSONRecordReader, expectsAnswers: Bool) -> Question? {
        let id = r.integer("questionId")
        let text = r.string("question")
        let docId = r.string("doc_id")
        let split = r.string("data_split", required: false)
        let pageIds = readPageIds(r)
        var answers: [String]?
        var answerPage: Int?
        if expectsAnswers {
            answers = r.stringArray("answers")
            if answers?.isEmpty == true {
                r.report("answers", "empty; expected at least one answer")
                answers = nil
            } else if let given = answers, given.allSatisfy({ $0.allSatisfy(\.isWhitespace) }) {
                r.report("answers", "every answer is blank; expected at least one non-blank answer (the question is unanswerable)")
                answers = nil
            }
            answerPage = r.integer("answer_page_idx")
            if let p = answerPage, let n = pageIds?.count, !(0..<n).contains(p) {
                r.report("answer_page_idx", "\(p) is out of range for \(n) pages (expected 0…\(n - 1))")
                answerPage = nil
            } else if let p = answerPage, p < 0 {
                r.report("answer_page_idx", "\(p) is negative; expected a 0-based page index")
                answerPage = nil
            }
        } else {
            for key in ["answers", "answer_page_idx"] where r.fields[key] != nil {
                r.report(key, "present on the test split, which is released without answers")
            }
        }
        guard let id, let text, let docId, let pageIds else { return nil }
        if expectsAnswers && (answers == nil || answerPage == nil) { return nil }
        return Question(questionId: id, question: text, docId: docId, pageIds: pageIds,
                        answers: answers, answerPageIndex: answerPage, dataSplit: split)
    }

    /// `page_ids`: 1–20 strings, each naming files inside the root. Every bad entry is
    /// reported; nil when any is unusable (an empty list is reported, and also gives nil).
    private static func readPageIds(_ r: JSONRecordReader) -> [String]? {
        guard let items = r.array("page_ids") else { return nil }
        if items.isEmpty {
            r.report("page_ids", "empty; expected 1–\(maxPages) page ids")
            return nil
        }
        if items.count > maxPages {
            r.report("page_ids", "\(items.count) pages; expected at most \(maxPages)")
        }
        var ids: [String] = []
        var usable = true
        for (i, item) in items.enumerated() {
            let field = r.fieldName("page_ids[\(i)]")
            guard let pageId = r.asString(item, field: field) else { usable = false; continue }
            if let why = unsafePageIdReason(pageId) {
                r.log.report(DataError(file: r.file, record: r.record, field: field, why))
                usable = false
            }
            ids.append(pageId)
        }
        return usable ? ids : nil
    }

    /// Why `pageId` cannot name files under the dataset root, or nil when it can.
    /// Page ids become `images/<id>.jpg` and `ocr/<id>.json`: an absolute path or a `..`
    /// component would reach files outside the root.
    public static func unsafePageIdReason(_ pageId: String) -> String? {
        if pageId.isEmpty { return "empty page id" }
        if pageId.hasPrefix("/") { return "\"\(pageId)\" is an absolute path, which escapes the dataset root" }
        if pageId.split(separator: "/", omittingEmptySubsequences: false).contains("..") {
            return "\"\(pageId)\" contains a '..' component, which escapes the dataset root"
        }
        if pageId.utf8.contains(0) { return "page id contains a NUL character" }
        return nil
    }
}
