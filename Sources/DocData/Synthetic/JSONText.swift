/// Deterministic JSON text for the files `mpvqa synth` writes: fixed key order (the caller's),
/// strings escaped per RFC 8259, numbers in fixed-point with a fixed number of decimals —
/// so the same content always gives the same bytes, on every platform and locale.
struct JSONText {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    mutating func raw(_ s: String) { bytes.append(contentsOf: s.utf8) }

    /// A JSON string literal.
    mutating func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                raw("\\u00")
                bytes.append(hex[Int(b >> 4)]); bytes.append(hex[Int(b & 15)])
            default: bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func int(_ n: Int) { raw(String(n)) }

    /// `value` rounded to `decimals` digits after the point, e.g. 0.1234567 → `0.123457`.
    mutating func fixed(_ value: Double, decimals: Int) {
        raw(JSONText.fixed(value, decimals: decimals))
    }

    static func fixed(_ value: Double, decimals: Int) -> String {
        precondition(value.isFinite, "JSONText.fixed: \(value) is not finite")
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let negative = value < 0
        let units = Int64((abs(value) * scale).rounded())
        let divisor = Int64(scale)
        let whole = units / divisor, fraction = units % divisor
        var out = (negative && units != 0 ? "-" : "") + String(whole)
        if decimals > 0 {
            let digits = String(fraction)
            out += "." + String(repeating: "0", count: decimals - digits.count) + digits
        }
        return out
    }

    /// `"key": ` (the caller writes the value).
    mutating func key(_ k: String) {
        string(k)
        raw(": ")
    }

    /// Writes `items` separated by `separator` using `body` for each.
    mutating func list<T>(_ items: [T], separator: String = ", ", _ body: (inout JSONText, T) -> Void) {
        for (i, item) in items.enumerated() {
            if i > 0 { raw(separator) }
            body(&self, item)
        }
    }
}
