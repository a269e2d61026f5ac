/// A parsed JSON value that keeps what the dataset readers need to report problems
/// precisely: whether a number was written as an integer, and where a string held bytes
/// that are not UTF-8 (they are replaced by U+FFFD so parsing can go on).
enum JSONValue: Sendable {
    case null
    case bool(Bool)
    /// `integer` is set when the literal has no fraction or exponent and fits in `Int`.
    case number(Double, integer: Int?)
    /// `invalidUTF8Offset`: byte offset in the file of the first byte that is not UTF-8, if any.
    case string(String, invalidUTF8Offset: Int?)
    case array([JSONValue])
    /// Duplicate keys: the last one wins, as in Python's `json`.
    case object([String: JSONValue])

    /// A short description for "expected X, found Y" messages: `string "abc"`, `number 3.5`, `array`.
    var found: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let d, let integer):
            if let integer { return "integer \(integer)" }
            return "number \(d)"
        case .string(let s, _):
            let shown = s.count > 40 ? String(s.prefix(40)) + "…" : s
            return "string \"\(shown)\""
        case .array(let items): return "array of \(items.count)"
        case .object: return "object"
        }
    }
}
