import Foundation
import DocData

/// One answer of an RRC-style submission (SPEC §7):
/// `{"questionId": 57, "answer": "...", "answer_page": 2, "page_scores": [...]}`.
public struct SubmissionEntry: Codable, Equatable, Sendable {
    public var questionId: Int
    public var answer: String
    /// 0-based predicted page index.
    public var answerPage: Int
    /// Optional score per page (higher = more likely), used for top-3 page accuracy.
    public var pageScores: [Double]?

    public init(questionId: Int, answer: String, answerPage: Int, pageScores: [Double]? = nil) {
        self.questionId = questionId
        self.answer = answer
        self.answerPage = answerPage
        self.pageScores = pageScores
    }

    enum CodingKeys: String, CodingKey {
        case questionId, answer
        case answerPage = "answer_page"
        case pageScores = "page_scores"
    }

    /// Reads a submission file (a JSON list of entries); errors name the file and the entry.
    public static func load(_ url: URL) throws -> [SubmissionEntry] {
        let file = url.lastPathComponent
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DataError(file: url.path, "cannot read the submission file: \(error.localizedDescription)")
        }
        guard let items = try? JSONSerialization.jsonObject(with: data) as? [Any] else {
            throw DataError(file: file, "expected a JSON list of {\"questionId\", \"answer\", \"answer_page\"} objects")
        }
        return try items.enumerated().map { i, item in
            let record = "entry \(i)"
            guard let object = item as? [String: Any] else { throw DataError(file: file, record: record, "expected an object") }
            guard let id = object["questionId"] as? Int else {
                throw DataError(file: file, record: record, field: "questionId", "expected an integer")
            }
            let named = "questionId \(id)"
            guard let answer = object["answer"] as? String else {
                throw DataError(file: file, record: named, field: "answer", "expected a string")
            }
            guard let page = object["answer_page"] as? Int else {
                throw DataError(file: file, record: named, field: "answer_page", "expected an integer page index")
            }
            var scores: [Double]? = nil
            if let raw = object["page_scores"], !(raw is NSNull) {
                guard let list = raw as? [NSNumber] else {
                    throw DataError(file: file, record: named, field: "page_scores", "expected a list of numbers")
                }
                scores = list.map(\.doubleValue)
            }
            return SubmissionEntry(questionId: id, answer: answer, answerPage: page, pageScores: scores)
        }
    }
}
