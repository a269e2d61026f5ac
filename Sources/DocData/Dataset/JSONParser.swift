import Foundation

/// A JSON syntax error at a byte offset of the input (line and column are 1-based).
struct JSONSyntaxError: Error, Sendable {
    var offset: Int
    var line: Int
    var column: Int
    var message: String

    var description: String { "invalid JSON at byte offset \(offset) (line \(line), column \(column)): \(message)" }
}

/// A parsed file: its value and where strings held bytes that are not UTF-8.
struct JSONDocument: Sendable {
    var root: JSONValue
    /// Offset of the first bad byte of each string (keys included) that is not UTF-8, in file order.
    var invalidUTF8Offsets: [Int]
}

/// A strict JSON parser (RFC 8259, plus Python's `NaN`/`Infinity` literals, which Python's
/// `json.dump` writes) for the dataset's question and OCR files.
///
/// Unlike Foundation's parser it does not give up on bytes that are not UTF-8 inside strings:
/// it replaces them with U+FFFD and records the offset in the string value, so a reader can
/// report *which* record and field holds them and still check the rest of the file.
/// A UTF-8 byte order mark at the start is skipped.
struct JSONParser {
    /// Nesting deeper than this is refused (the parser recurses once per level).
    static let maxDepth = 512

    /// Parses a whole document; trailing non-space bytes are an error.
    static func parse(_ data: Data) throws(JSONSyntaxError) -> JSONDocument {
        let result: Result<JSONDocument, JSONSyntaxError> = data.withUnsafeBytes { raw in
            var parser = JSONParser(bytes: raw.bindMemory(to: UInt8.self))
            do throws(JSONSyntaxError) {
                if parser.bytes.count >= 3, parser.bytes[0] == 0xEF, parser.bytes[1] == 0xBB, parser.bytes[2] == 0xBF {
                    parser.position = 3
                }
                parser.skipWhitespace()
                let value = try parser.parseValue(depth: 0)
                parser.skipWhitespace()
                if parser.position < parser.bytes.count {
                    throw parser.error("unexpected \(parser.describeByte(at: parser.position)) after the top-level value")
                }
                return .success(JSONDocument(root: value, invalidUTF8Offsets: parser.invalidUTF8Offsets))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0
    /// Reused buffer for strings with escapes or non-ASCII bytes.
    private var scratch: [UInt8] = []
    /// First offending byte of every string (key or value) that is not UTF-8.
    private var invalidUTF8Offsets: [Int] = []

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        scratch.reserveCapacity(256)
    }

    // MARK: - Values

    private mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard position < bytes.count else { throw error("unexpected end of file, expected a value") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""):
            let (s, bad) = try parseString()
            return .string(s, invalidUTF8Offset: bad)
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "N"): try expectLiteral("NaN"); return .number(.nan, integer: nil)
        case UInt8(ascii: "I"): try expectLiteral("Infinity"); return .number(.infinity, integer: nil)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected \(describeByte(at: position)), expected a value")
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        if depth > Self.maxDepth { throw error("nesting deeper than \(Self.maxDepth) levels") }
        position += 1  // {
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if peek() == UInt8(ascii: "}") { position += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw error("expected a string key, found \(describeByte(at: position))") }
            let (key, _) = try parseString()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw error("expected ':' after key \"\(key)\", found \(describeByte(at: position))") }
            position += 1
            skipWhitespace()
            members[key] = try parseValue(depth: depth)
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return .object(members)
            default: throw error("expected ',' or '}' in object, found \(describeByte(at: position))")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        if depth > Self.maxDepth { throw error("nesting deeper than \(Self.maxDepth) levels") }
        position += 1  // [
        var items: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") { position += 1; return .array(items) }
        while true {
            skipWhitespace()
            items.append(try parseValue(depth: depth))
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return .array(items)
            default: throw error("expected ',' or ']' in array, found \(describeByte(at: position))")
            }
        }
    }

    // MARK: - Strings

    /// Parses a string starting at its opening quote. Returns the text and the offset of
    /// the first byte that is not UTF-8 (replaced by U+FFFD), if any.
    private mutating func parseString() throws(JSONSyntaxError) -> (String, Int?) {
        let start = position
        position += 1  // opening quote
        // Fast path: plain ASCII without escapes needs no copy into the scratch buffer.
        var i = position
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[position..<i]), as: UTF8.self)
                position = i + 1
                return (s, nil)
            }
            if b == UInt8(ascii: "\\") || b < 0x20 || b >= 0x80 { break }
            i += 1
        }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[position..<i]))
        position = i
        var invalidOffset: Int?
        while true {
            guard position < bytes.count else {
                position = start
                throw error("string is not terminated")
            }
            let b = bytes[position]
            if b == UInt8(ascii: "\"") {
                position += 1
                if let invalidOffset { invalidUTF8Offsets.append(invalidOffset) }
                return (String(decoding: scratch, as: UTF8.self), invalidOffset)
            } else if b == UInt8(ascii: "\\") {
                try parseEscape()
            } else if b < 0x20 {
                throw error("control character \(describeByte(at: position)) inside a string (must be escaped)")
            } else if b < 0x80 {
                scratch.append(b)
                position += 1
            } else {
                let length = validUTF8SequenceLength(at: position)
                if length > 0 {
                    scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[position..<position + length]))
                    position += length
                } else {
                    if invalidOffset == nil { invalidOffset = position }
                    scratch.append(contentsOf: [0xEF, 0xBF, 0xBD])  // U+FFFD
                    position += 1
                }
            }
        }
    }

    /// Length (2–4) of the well-formed UTF-8 sequence starting at `p` (RFC 3629, table 3-7
    /// of Unicode), or 0 when the bytes there are not one.
    private func validUTF8SequenceLength(at p: Int) -> Int {
        let b0 = bytes[p]
        func continuation(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
            p + k < bytes.count && bytes[p + k] >= lo && bytes[p + k] <= hi
        }
        switch b0 {
        case 0xC2...0xDF: return continuation(1) ? 2 : 0
        case 0xE0: return continuation(1, 0xA0) && continuation(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF: return continuation(1) && continuation(2) ? 3 : 0
        case 0xED: return continuation(1, 0x80, 0x9F) && continuation(2) ? 3 : 0
        case 0xF0: return continuation(1, 0x90) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF1...0xF3: return continuation(1) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF4: return continuation(1, 0x80, 0x8F) && continuation(2) && continuation(3) ? 4 : 0
        default: return 0
        }
    }

    private mutating func parseEscape() throws(JSONSyntaxError) {
        guard position + 1 < bytes.count else { throw error("unterminated escape sequence") }
        let c = bytes[position + 1]
        position += 2
        switch c {
        case UInt8(ascii: "\""): scratch.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): scratch.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "/"): scratch.append(UInt8(ascii: "/"))
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try parseHex4()
            if (0xD800...0xDBFF).contains(scalar), position + 1 < bytes.count,
               bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") {
                let save = position
                position += 2
                let low = try parseHex4()
                if (0xDC00...0xDFFF).contains(low) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    position = save  // not a pair: the high surrogate stands alone
                }
            }
            // Lone surrogates (which Python accepts) cannot be held in a String: U+FFFD.
            let u = Unicode.Scalar(scalar) ?? "\u{FFFD}"
            scratch.append(contentsOf: Array(String(u).utf8))
        default:
            position -= 1
            throw error("invalid escape '\\\(describeByte(at: position))'")
        }
    }

    private mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("\\u escape needs 4 hex digits") }
        var v: UInt32 = 0
        for k in 0..<4 {
            let b = bytes[position + k]
            let d: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(b - UInt8(ascii: "A") + 10)
            default:
                position += k
                throw error("\\u escape needs 4 hex digits, found \(describeByte(at: position))")
            }
            v = v << 4 | d
        }
        position += 4
        return v
    }

    // MARK: - Numbers

    private mutating func parseNumber() throws(JSONSyntaxError) -> JSONValue {
        let start = position
        var negative = false
        if bytes[position] == UInt8(ascii: "-") {
            negative = true
            position += 1
            if peek() == UInt8(ascii: "I") { try expectLiteral("Infinity"); return .number(-.infinity, integer: nil) }
        }
        guard let first = peek(), isDigit(first) else { throw error("expected a digit in number") }
        // Integer part, accumulated as a negative value so that Int.min fits.
        var accumulator = 0
        var overflow = false
        if first == UInt8(ascii: "0") {
            position += 1
            if let next = peek(), isDigit(next) { throw error("leading zeros are not allowed in numbers") }
        } else {
            while let b = peek(), isDigit(b) {
                let (m, o1) = accumulator.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.subtractingReportingOverflow(Int(b - UInt8(ascii: "0")))
                overflow = overflow || o1 || o2
                accumulator = s
                position += 1
            }
        }
        var isInteger = true
        if peek() == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard let b = peek(), isDigit(b) else { throw error("expected a digit after '.' in number") }
            while let b = peek(), isDigit(b) { position += 1 }
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if let s = peek(), s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { position += 1 }
            guard let b = peek(), isDigit(b) else { throw error("expected a digit in number exponent") }
            while let b = peek(), isDigit(b) { position += 1 }
        }
        if isInteger && !overflow {
            if negative { return .number(Double(accumulator), integer: accumulator) }
            if accumulator != Int.min { return .number(Double(-accumulator), integer: -accumulator) }
        }
        return .number(strtodSlice(start..<position), integer: nil)
    }

    /// Converts the number literal in `range` with `strtod`, via a stack buffer.
    private func strtodSlice(_ range: Range<Int>) -> Double {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: range.count + 1) { buffer in
            for (k, p) in range.enumerated() { buffer[k] = CChar(bitPattern: bytes[p]) }
            buffer[range.count] = 0
            return strtod(buffer.baseAddress!, nil)
        }
    }

    // MARK: - Helpers

    @inline(__always) private func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }
    @inline(__always) private func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let n = literal.utf8CodeUnitCount
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: n)
        guard position + n <= bytes.count, zip(expected, bytes[position..<position + n]).allSatisfy({ $0 == $1 }) else {
            throw error("unexpected \(describeByte(at: position)), expected a value")
        }
        position += n
    }

    private func describeByte(at p: Int) -> String {
        guard p < bytes.count else { return "end of file" }
        let b = bytes[p]
        if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        return String(format: "byte 0x%02X", b)
    }

    private func error(_ message: String) -> JSONSyntaxError {
        let offset = min(position, bytes.count)
        var line = 1
        var lineStart = 0
        for p in 0..<offset where bytes[p] == 0x0A {
            line += 1
            lineStart = p + 1
        }
        return JSONSyntaxError(offset: offset, line: line, column: offset - lineStart + 1, message: message)
    }
}

/// Syntax checks of JSON for readers outside this module (e.g. `mpvqa score`'s submission
/// reader), with the byte offset, line and column of the first error.
public enum JSONSyntax {
    /// Nil when `data` is one well-formed JSON value, else e.g.
    /// `invalid JSON at byte offset 812 (line 1, column 813): unexpected end of input`.
    public static func firstError(in data: Data) -> String? {
        do { _ = try JSONParser.parse(data); return nil } catch { return error.description }
    }
}
