/// How the pre-tokenizer sees one Unicode scalar: its class in the GPT-2 split pattern and
/// whether the `Digits` pre-tokenizer isolates it.
///
/// The classes are those of Hugging Face `tokenizers` (0.2x): the pattern runs on Oniguruma with
/// Unicode 16.0 tables, where `\p{L}` is general category L*, `\p{N}` is N* and `\s` is the
/// White_Space property. Scalars assigned after Unicode 16.0 are "other" there, so they are
/// "other" here too even when Swift's newer tables know them. `Digits` uses Rust's
/// `char::is_numeric` (categories Nd, Nl, No), taken from Swift's tables.
public struct ScalarClass: Equatable, Sendable, CustomStringConvertible {
    /// The class of a scalar in the GPT-2 split pattern.
    public enum PatternClass: UInt8, Sendable {
        case other = 0, letter = 1, number = 2, whitespace = 3
    }

    /// Packed form: bits 0–1 pattern class, bit 2 numeric (Digits), bit 3 the ASCII space U+0020.
    @usableFromInline let bits: UInt8

    @usableFromInline static let patternMask: UInt8 = 0b0011
    @usableFromInline static let numericBit: UInt8 = 0b0100
    @usableFromInline static let spaceBit: UInt8 = 0b1000

    @usableFromInline init(bits: UInt8) { self.bits = bits }

    public var pattern: PatternClass { PatternClass(rawValue: bits & Self.patternMask)! }
    /// True when `Digits` splits on this scalar.
    public var isNumeric: Bool { bits & Self.numericBit != 0 }

    public var description: String {
        let name: String
        switch pattern {
        case .other: name = "other"
        case .letter: name = "letter"
        case .number: name = "number"
        case .whitespace: name = "whitespace"
        }
        return isNumeric ? "\(name)+numeric" : name
    }

    /// The class of `scalar`.
    public static func of(_ scalar: Unicode.Scalar) -> ScalarClass {
        ScalarClass(bits: bits(of: scalar.value))
    }

    /// Packed class bits of a scalar value (a table lookup below U+10000).
    @inline(__always)
    static func bits(of value: UInt32) -> UInt8 {
        value < 0x10000 ? basicPlaneTable[Int(value)] : computeBits(value)
    }

    /// Classes of the Basic Multilingual Plane, computed once on first use.
    static let basicPlaneTable: [UInt8] = (0..<0x10000).map { computeBits(UInt32($0)) }

    static func computeBits(_ value: UInt32) -> UInt8 {
        guard let scalar = Unicode.Scalar(value) else { return 0 }  // surrogate code points
        let properties = scalar.properties
        var bits: UInt8 = 0
        let numeric: Bool
        switch properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: numeric = true
        default: numeric = false
        }
        if numeric { bits |= numericBit }
        if value == 0x20 { bits |= spaceBit }
        // The pattern's tables stop at Unicode 16.0: later scalars are "other".
        guard let age = properties.age, age.major < 16 || (age.major == 16 && age.minor == 0) else { return bits }
        if properties.isWhitespace { return bits | PatternClass.whitespace.rawValue }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return bits | PatternClass.letter.rawValue
        case .decimalNumber, .letterNumber, .otherNumber:
            return bits | PatternClass.number.rawValue
        default:
            return bits
        }
    }
}
