import Foundation

/// Reads a submission's top-level list one entry at a time (README "Metrics"): each entry's
/// bytes are found by a scan that tracks strings and nesting, and parsed on their own, so
/// scoring a large submission holds its bytes and the decoded entries, not a tree of objects
/// for the whole file (peak memory stays within a few times the file's size).
///
/// Anything but a clean list of well-formed entries returns nil: the caller then parses the
/// whole document, whose messages name the syntax error's byte offset.
enum SubmissionStream {
    static func entries(_ data: Data, file: String, convert: (Any, Int) throws -> SubmissionEntry) throws -> [SubmissionEntry]? {
        guard let spans = elementSpans(data) else { return nil }
        // First every entry's syntax, so a syntax error anywhere is reported as the whole-document
        // parse reports it (before any entry's field errors).
        let base = data.startIndex
        func bytes(_ span: Range<Int>) -> Data { data.subdata(in: base + span.lowerBound ..< base + span.upperBound) }
        for span in spans {
            guard (try? JSONSerialization.jsonObject(with: bytes(span), options: [.fragmentsAllowed])) != nil else { return nil }
        }
        var entries: [SubmissionEntry] = []
        entries.reserveCapacity(spans.count)
        for (i, span) in spans.enumerated() {
            let object = try JSONSerialization.jsonObject(with: bytes(span), options: [.fragmentsAllowed])
            entries.append(try convert(object, i))
        }
        return entries
    }

    /// Byte ranges of the top-level list's elements, or nil when the bytes are not
    /// `[ element, ... ]` with balanced brackets and closed strings (and nothing after).
    static func elementSpans(_ data: Data) -> [Range<Int>]? {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> [Range<Int>]? in
            let b = raw.bindMemory(to: UInt8.self)
            let n = b.count
            func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 }
            var i = 0
            while i < n && isSpace(b[i]) { i += 1 }
            guard i < n, b[i] == UInt8(ascii: "[") else { return nil }
            i += 1
            var spans: [Range<Int>] = []
            var start = -1, depth = 0
            var inString = false, escaped = false
            while i < n {
                let c = b[i]
                if inString {
                    if escaped { escaped = false } else if c == UInt8(ascii: "\\") { escaped = true } else if c == UInt8(ascii: "\"") { inString = false }
                } else if c == UInt8(ascii: "\"") {
                    inString = true
                    if start < 0 { start = i }
                } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                    depth += 1
                    if start < 0 { start = i }
                } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                    if depth == 0 {
                        guard c == UInt8(ascii: "]") else { return nil }
                        if start >= 0 { spans.append(start..<i) } else if !spans.isEmpty { return nil }  // `[1,]`
                        i += 1
                        while i < n && isSpace(b[i]) { i += 1 }
                        return i == n ? spans : nil
                    }
                    depth -= 1
                } else if c == UInt8(ascii: ","), depth == 0 {
                    guard start >= 0 else { return nil }
                    spans.append(start..<i)
                    start = -1
                } else if !isSpace(c), start < 0 {
                    start = i
                }
                i += 1
            }
            return nil
        }
    }
}
