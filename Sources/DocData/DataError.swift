/// A problem with input data, located precisely enough to fix it:
/// `file: record: field: message`, e.g.
/// `val.json: questionId 57: answer_page_idx: 7 is out of range for 3 pages`.
public struct DataError: Error, CustomStringConvertible, Equatable, Sendable, Codable {
    /// The file the problem is in (as given, usually relative to the dataset root).
    public var file: String
    /// The record inside the file (`questionId 57`, `block 12`, `page 3`), or "" for the whole file.
    public var record: String
    /// The field (`answer_page_idx`, `Geometry.BoundingBox.Left`), or "" when not field-specific.
    public var field: String
    /// What is wrong and what was expected.
    public var message: String

    public init(file: String, record: String = "", field: String = "", _ message: String) {
        self.file = file
        self.record = record
        self.field = field
        self.message = message
    }

    public var description: String {
        [file, record, field, message].filter { !$0.isEmpty }.joined(separator: ": ")
    }
}
