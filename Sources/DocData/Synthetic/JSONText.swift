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
    /// Written digit by digit (no String), as OCR files hold thousands of these.
    mutating func fixed(_ value: Double, decimals: Int) {
        precondition(value.isFinite && decimals <= 15, "JSONText.fixed: \(value) with \(decimals) decimals")
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let units = Int64((abs(value) * Double(scale)).rounded())
        if value < 0 && units != 0 { bytes.append(UInt8(ascii: "-")) }
        appendDigits(units / scale, minimumCount: 1)
        if decimals > 0 {
            bytes.append(UInt8(ascii: "."))
            appendDigits(units % scale, minimumCount: decimals)
        }
    }

    /// Decimal digits of `n` ≥ 0, left-padded with zeros to `minimumCount`.
    private mutating func appendDigits(_ n: Int64, minimumCount: Int) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0, rest = n
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0
            while count < minimumCount { d[count] = UInt8(ascii: "0"); count += 1 }
            for i in stride(from: count - 1, through: 0, by: -1) { bytes.append(d[i]) }
        }
    }

    static func fixed(_ value: Double, decimals: Int) -> String {
        var json = JSONText()
        json.fixed(value, decimals: decimals)
        return String(decoding: json.bytes, as: UTF8.self)
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
