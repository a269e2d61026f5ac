/// The GPT-2 / Hugging Face "byte-level" alphabet: a bijection between the 256 byte values and
/// 256 printable Unicode scalars, so that every byte string is spelled with visible characters in
/// `tokenizer.json` (a space becomes `Ġ`, a newline `Ċ`).
///
/// Bytes that are already printable Latin-1 (`!`…`~`, `¡`…`¬`, `®`…`ÿ`) map to themselves; the
/// other 68 bytes map, in byte order, to U+0100, U+0101, ….
public enum ByteLevelAlphabet {
    /// `scalarOfByte[b]` is the scalar that spells byte `b`.
    public static let scalarOfByte: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: "\0", count: 256)
        var next: UInt32 = 256
        for b in 0..<256 {
            let printable = (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b)
            if printable {
                table[b] = Unicode.Scalar(UInt32(b))!
            } else {
                table[b] = Unicode.Scalar(next)!
                next += 1
            }
        }
        return table
    }()

    /// The byte a scalar of the alphabet spells, or nil for scalars outside the alphabet.
    public static func byte(of scalar: Unicode.Scalar) -> UInt8? {
        let v = scalar.value
        if v < 256 {
            let b = Int(v)
            let printable = (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b)
            return printable ? UInt8(b) : nil
        }
        return byteOfShiftedScalar[Int(v &- 256)]
    }

    /// Bytes of the shifted scalars U+0100 + i, in order.
    private static let byteOfShiftedScalar: [Int: UInt8] = {
        var map: [Int: UInt8] = [:]
        for b in 0..<256 where scalarOfByte[b].value >= 256 { map[Int(scalarOfByte[b].value - 256)] = UInt8(b) }
        return map
    }()

    /// Spells `bytes` in the alphabet (the form tokens take in `tokenizer.json`).
    public static func spell<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(scalarOfByte[Int(b)]) }
        return String(s)
    }

    /// The bytes a spelled token stands for, or nil if it contains a scalar outside the alphabet.
    public static func bytes(ofSpelling token: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(token.unicodeScalars.count)
        for s in token.unicodeScalars {
            guard let b = byte(of: s) else { return nil }
            out.append(b)
        }
        return out
    }
}
