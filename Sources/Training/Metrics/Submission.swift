import DocData
import Foundation
import RunSupport

/// One answer of an RRC-style submission (README "Commands"):
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

    /// Reads a submission file (a JSON list of entries); errors name the file and the entry
    /// (by questionId where it is readable), or the byte offset of a syntax error.
    public static func load(_ url: URL) throws -> [SubmissionEntry] {
        let file = url.lastPathComponent
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw DataError(file: url.path, "cannot read the submission file: no such file")
        }
        guard !isDirectory.boolValue else { throw DataError(file: url.path, "cannot read the submission file: it is a directory") }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DataError(file: url.path, "cannot read the submission file: \(FileSystemError.reason(of: error) ?? "\(error)")")
        }
        return try parse(data, file: file)
    }

    /// Parses submission bytes (`file` names them in errors).
    public static func parse(_ data: Data, file: String) throws -> [SubmissionEntry] {
        let expected = "expected a JSON list of {\"questionId\", \"answer\", \"answer_page\"} objects"
        guard !data.isEmpty else { throw DataError(file: file, "the file is empty (0 bytes); \(expected)") }
        if let entries = try SubmissionStream.entries(data, file: file, convert: { try entry($0, index: $1, file: file) }) { return entries }
        if let syntax = JSONSyntax.firstError(in: data) { throw DataError(file: file, "\(syntax); \(expected)") }
        let parsed: Any
        do { parsed = try JSONSerialization.jsonObject(with: data) } catch {
            // Our parser accepted it, Foundation did not: the non-standard NaN/Infinity literals.
            let at = nonFiniteLiteralOffset(data).map { " (byte offset \($0))" } ?? ""
            throw DataError(file: file, "NaN or Infinity is not a finite JSON number\(at); \(expected) with finite page_scores")
        }
        guard let items = parsed as? [Any] else { throw DataError(file: file, "the top level is not a list; \(expected)") }
        return try items.enumerated().map { i, item in try entry(item, index: i, file: file) }
    }

    /// One entry of the list, every field checked; errors name the entry by questionId where readable.
    static func entry(_ item: Any, index i: Int, file: String) throws -> SubmissionEntry {
        let record = "entry \(i)"
        guard let object = item as? [String: Any] else { throw DataError(file: file, record: record, "expected an object") }
        guard let idNumber = object["questionId"] as? NSNumber, !isBool(idNumber), let id = exactInt(idNumber) else {
            throw DataError(file: file, record: record, field: "questionId", "expected an integer")
        }
        let named = "questionId \(id)"
        guard let answer = object["answer"] as? String else {
            throw DataError(file: file, record: named, field: "answer", "expected a string")
        }
        guard let pageNumber = object["answer_page"] as? NSNumber, !isBool(pageNumber), let page = exactInt(pageNumber) else {
            throw DataError(file: file, record: named, field: "answer_page", "expected an integer page index")
        }
        var scores: [Double]? = nil
        if let raw = object["page_scores"], !(raw is NSNull) {
            guard let list = raw as? [Any], let numbers = list as? [NSNumber], !numbers.contains(where: isBool) else {
                throw DataError(file: file, record: named, field: "page_scores", "expected a list of numbers")
            }
            let values = numbers.map(\.doubleValue)
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw DataError(file: file, record: named, field: "page_scores", "entry \(bad) is \(values[bad]); expected finite numbers")
            }
            scores = values
        }
        return SubmissionEntry(questionId: id, answer: answer, answerPage: page, pageScores: scores)
    }

    /// The byte offset of the first `NaN`/`Infinity` literal outside strings.
    static func nonFiniteLiteralOffset(_ data: Data) -> Int? {
        let bytes = [UInt8](data)
        var inString = false, escaped = false
        for (i, b) in bytes.enumerated() {
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
            } else if b == UInt8(ascii: "\"") {
                inString = true
            } else if b == UInt8(ascii: "N") || b == UInt8(ascii: "I") {
                return i
            } else if b == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b), i == 0 || !isNumberByte(bytes[i - 1]) {
                var end = i
                while end < bytes.count && isNumberByte(bytes[end]) { end += 1 }
                if let v = Double(String(decoding: bytes[i..<end], as: UTF8.self)), !v.isFinite { return i }  // e.g. 1e999
            }
        }
        return nil
    }

    private static func isNumberByte(_ b: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+")
            || b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
    }

    /// JSON `true`/`false` arrive as NSNumbers of type char; numbers never do.
    private static func isBool(_ n: NSNumber) -> Bool { String(cString: n.objCType) == "c" }

    /// The integer value of a JSON number, or nil for fractions and out-of-range values.
    private static func exactInt(_ n: NSNumber) -> Int? {
        let d = n.doubleValue
        guard d.isFinite, d == d.rounded(), abs(d) < 9e15 else { return nil }
        return Int(d)
    }
}
