/// Whether digits are isolated before the GPT-2 split (a recipe switch, README "Learning from scratch").
public enum DigitSplitting: String, Sendable, CaseIterable, Codable {
    /// No `Digits` step: the GPT-2 pattern keeps runs of numbers together (` 1234` is one piece).
    case grouped
    /// A `Digits(individual_digits: true)` step first: every numeric scalar is its own piece.
    case individual
}

/// Splits text into the pieces BPE works on, exactly as Hugging Face `tokenizers` does for
/// the pre-tokenizer this project declares in `tokenizer.json`:
/// `ByteLevel(add_prefix_space: false, use_regex: true)`, optionally preceded by
/// `Digits(individual_digits: true)` (then the pattern runs on each digit-free segment alone).
///
/// The GPT-2 pattern ``'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+``
/// is matched by hand (no regex engine) with the classes of ``ScalarClass``.
///
/// ```swift
/// PreTokenizer().split("Hello  world's 42")   // ["Hello", " ", " world", "'s", " 42"]
/// PreTokenizer(digits: .individual).split("a 42")   // ["a", " ", "4", "2"]
/// ```
public struct PreTokenizer: Sendable, Equatable {
    public var digits: DigitSplitting

    public init(digits: DigitSplitting = .grouped) {
        self.digits = digits
    }

    /// The pieces of `text`, in order; their concatenation is `text`.
    public func split(_ text: String) -> [String] {
        var text = text
        return text.withUTF8 { utf8 in
            var scratch = Scratch()
            var ends: [Int] = []
            split(utf8, from: 0, to: utf8.count, appendingEndsTo: &ends, scratch: &scratch)
            var pieces: [String] = []
            var start = 0
            for end in ends {
                pieces.append(String(decoding: UnsafeBufferPointer(rebasing: utf8[start..<end]), as: UTF8.self))
                start = end
            }
            return pieces
        }
    }

    /// Reusable per-scalar buffers, so that splitting allocates only when a text is longer than any before.
    struct Scratch {
        /// Packed ``ScalarClass`` bits of each scalar.
        var classes: [UInt8] = []
        /// Byte offset of each scalar; one extra entry holds the end offset.
        var offsets: [Int] = []
    }

    /// Appends the exclusive end offsets of the pieces of `utf8[start..<end]` to `ends`.
    /// `utf8` must be valid UTF-8 and `start`/`end` scalar boundaries.
    func split(_ utf8: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int,
               appendingEndsTo ends: inout [Int], scratch: inout Scratch) {
        guard end > start else { return }
        let byteCount = end - start
        if scratch.classes.count < byteCount + 1 {
            scratch.classes = [UInt8](repeating: 0, count: byteCount + 1)
            scratch.offsets = [Int](repeating: 0, count: byteCount + 1)
        }
        let individualDigits = digits == .individual
        scratch.classes.withUnsafeMutableBufferPointer { cls in
            scratch.offsets.withUnsafeMutableBufferPointer { off in
                let n = Self.decode(utf8, from: start, to: end, classes: cls, offsets: off)
                if !individualDigits {
                    Self.matchPattern(utf8, cls, off, 0, n, &ends)
                    return
                }
                // Digits(individual_digits): each numeric scalar alone; the pattern runs on the rest.
                var segmentStart = 0
                for i in 0..<n where cls[i] & ScalarClass.numericBit != 0 {
                    Self.matchPattern(utf8, cls, off, segmentStart, i, &ends)
                    ends.append(off[i + 1])
                    segmentStart = i + 1
                }
                Self.matchPattern(utf8, cls, off, segmentStart, n, &ends)
            }
        }
    }

    /// Decodes the scalars of `utf8[start..<end]` into classes and byte offsets; returns their count.
    @inline(__always)
    private static func decode(_ utf8: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int,
                               classes: UnsafeMutableBufferPointer<UInt8>, offsets: UnsafeMutableBufferPointer<Int>) -> Int {
        var n = 0
        var p = start
        while p < end {
            let b0 = utf8[p]
            var value: UInt32
            var length: Int
            if b0 < 0x80 {
                value = UInt32(b0); length = 1
            } else if b0 < 0xE0 {
                value = UInt32(b0 & 0x1F) << 6 | UInt32(utf8[p + 1] & 0x3F); length = 2
            } else if b0 < 0xF0 {
                value = UInt32(b0 & 0x0F) << 12 | UInt32(utf8[p + 1] & 0x3F) << 6 | UInt32(utf8[p + 2] & 0x3F); length = 3
            } else {
                value = UInt32(b0 & 0x07) << 18 | UInt32(utf8[p + 1] & 0x3F) << 12
                    | UInt32(utf8[p + 2] & 0x3F) << 6 | UInt32(utf8[p + 3] & 0x3F); length = 4
            }
            classes[n] = ScalarClass.bits(of: value)
            offsets[n] = p
            n += 1
            p += length
        }
        offsets[n] = end
        return n
    }

    /// Matches the GPT-2 pattern over scalars `lo..<hi` (a whole string for the pattern: the
    /// `(?!\S)` look-ahead sees `hi` as the end), appending each match's end byte offset.
    @inline(__always)
    private static func matchPattern(_ utf8: UnsafeBufferPointer<UInt8>, _ cls: UnsafeMutableBufferPointer<UInt8>,
                                     _ off: UnsafeMutableBufferPointer<Int>, _ lo: Int, _ hi: Int, _ ends: inout [Int]) {
        let whitespace = ScalarClass.PatternClass.whitespace.rawValue
        let mask = ScalarClass.patternMask
        var i = lo
        while i < hi {
            let c = cls[i] & mask
            var j: Int
            if utf8[off[i]] == UInt8(ascii: "'"), let length = contractionLength(utf8, off, i, hi) {
                // 's|'t|'re|'ve|'m|'ll|'d
                j = i + length
            } else if c != whitespace {
                // \p{L}+ | \p{N}+ | [^\s\p{L}\p{N}]+
                j = i + 1
                while j < hi && cls[j] & mask == c { j += 1 }
            } else if cls[i] & ScalarClass.spaceBit != 0 && i + 1 < hi && cls[i + 1] & mask != whitespace {
                // " " followed by a run of one class: ` ?\p{L}+` etc. with the space.
                let next = cls[i + 1] & mask
                j = i + 2
                while j < hi && cls[j] & mask == next { j += 1 }
            } else {
                // \s+(?!\S) gives back the last whitespace scalar when text follows; \s+ takes a lone one.
                var k = i + 1
                while k < hi && cls[k] & mask == whitespace { k += 1 }
                j = (k < hi && k - i >= 2) ? k - 1 : k
            }
            ends.append(off[j])
            i = j
        }
    }

    /// Scalars matched by a contraction starting at the apostrophe `i` (2 or 3), or nil.
    @inline(__always)
    private static func contractionLength(_ utf8: UnsafeBufferPointer<UInt8>, _ off: UnsafeMutableBufferPointer<Int>,
                                          _ i: Int, _ hi: Int) -> Int? {
        guard i + 1 < hi else { return nil }
        let a = utf8[off[i + 1]]
        switch a {
        case UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "m"), UInt8(ascii: "d"):
            return 2
        case UInt8(ascii: "r"), UInt8(ascii: "v"):
            return i + 2 < hi && utf8[off[i + 2]] == UInt8(ascii: "e") ? 3 : nil
        case UInt8(ascii: "l"):
            return i + 2 < hi && utf8[off[i + 2]] == UInt8(ascii: "l") ? 3 : nil
        default:
            return nil
        }
    }
}
