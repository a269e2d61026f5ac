/// Hugging Face's `Metaspace` pre-tokenizer and decoder (SentencePiece's word boundary marker):
/// spaces become the replacement character (`▁`), one is prepended by `prependScheme`, and with
/// `split` the text is cut before every replacement character. Decoding turns replacement
/// characters back into spaces and drops those of the first token unless the scheme is `never`.
public struct Metaspace: Sendable, Equatable {
    /// When a replacement character is put in front of a piece that does not start with one.
    public enum PrependScheme: String, Sendable, Equatable {
        /// Every piece.
        case always
        /// Only the piece at the very start of the input (original offset 0).
        case first
        /// None.
        case never
    }

    public var replacement: Unicode.Scalar
    public var prependScheme: PrependScheme
    public var split: Bool

    public init(replacement: Unicode.Scalar = "\u{2581}", prependScheme: PrependScheme = .always, split: Bool = true) {
        self.replacement = replacement
        self.prependScheme = prependScheme
        self.split = split
    }

    /// Pre-tokenises one piece (`bytes[range]`, `atStart`: it begins at original offset 0),
    /// appending the resulting pieces' bytes to `out` and their end offsets in `out` to `ends`.
    func pretokenize(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, atStart: Bool,
                     into out: inout [UInt8], ends: inout [Int], starts: inout [Bool]) {
        let rep = Array(String(replacement).utf8)
        let begin = out.count
        // Spaces are replaced before the check, so a leading space counts as a replacement character.
        let startsWithReplacement = !range.isEmpty && (bytes[range.lowerBound] == 0x20
            || (range.count >= rep.count && bytes[range.lowerBound..<(range.lowerBound + rep.count)].elementsEqual(rep)))
        if !startsWithReplacement && (prependScheme == .always || (prependScheme == .first && atStart)) {
            out.append(contentsOf: rep)
        }
        for k in range {
            if bytes[k] == 0x20 { out.append(contentsOf: rep) } else { out.append(bytes[k]) }
        }
        guard split else {
            if out.count > begin { ends.append(out.count); starts.append(atStart) }
            return
        }
        // MergedWithNext: each replacement character begins a new piece.
        var pieceStart = begin
        var p = begin
        while p < out.count {
            if p > pieceStart && out[p] == rep[0] && p + rep.count <= out.count && out[p..<(p + rep.count)].elementsEqual(rep) {
                ends.append(p)
                starts.append(atStart && pieceStart == begin)
                pieceStart = p
            }
            p += 1
        }
        if out.count > pieceStart { ends.append(out.count); starts.append(atStart && pieceStart == begin) }
    }

    /// Decodes token texts (Hugging Face `decode_chain`, then concatenated).
    func decode(_ tokens: [String]) -> String {
        var out = String.UnicodeScalarView()
        for (i, token) in tokens.enumerated() {
            for s in token.unicodeScalars {
                if s == replacement {
                    if i == 0 && prependScheme != .never { continue }
                    out.append(" ")
                } else {
                    out.append(s)
                }
            }
        }
        return String(out)
    }
}

/// The `pre_tokenizer` of a SentencePiece-style `tokenizer.json`: `WhitespaceSplit` and
/// `Metaspace` steps, applied in order to every piece (a `Sequence`, or one step alone).
public struct SentencePiecePreTokenizer: Sendable, Equatable {
    public enum Step: Sendable, Equatable {
        /// Split at Unicode `White_Space` characters, dropping them.
        case whitespaceSplit
        case metaspace(Metaspace)
    }

    public var steps: [Step]

    public init(steps: [Step]) { self.steps = steps }

    /// Splits normalised UTF-8 into pieces: their bytes in `out`, their end offsets in `ends`.
    /// `atStart`: the text begins at original offset 0 (for Metaspace's `first` scheme).
    func split(_ text: [UInt8], atStart: Bool, out: inout [UInt8], ends: inout [Int]) {
        var buffer = text
        var bufferEnds = [text.count]
        var bufferStarts = [atStart]
        if text.isEmpty { bufferEnds = []; bufferStarts = [] }
        var next: [UInt8] = [], nextEnds: [Int] = [], nextStarts: [Bool] = []
        for step in steps {
            next.removeAll(keepingCapacity: true); nextEnds.removeAll(keepingCapacity: true); nextStarts.removeAll(keepingCapacity: true)
            buffer.withUnsafeBufferPointer { bytes in
                var start = 0
                for (k, end) in bufferEnds.enumerated() {
                    switch step {
                    case .whitespaceSplit:
                        Self.whitespaceSplit(bytes, start..<end, atStart: bufferStarts[k], into: &next, ends: &nextEnds, starts: &nextStarts)
                    case .metaspace(let m):
                        m.pretokenize(bytes, start..<end, atStart: bufferStarts[k], into: &next, ends: &nextEnds, starts: &nextStarts)
                    }
                    start = end
                }
            }
            swap(&buffer, &next); swap(&bufferEnds, &nextEnds); swap(&bufferStarts, &nextStarts)
        }
        let base = out.count
        out.append(contentsOf: buffer)
        for e in bufferEnds { ends.append(base + e) }
    }

    private static func whitespaceSplit(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, atStart: Bool,
                                        into out: inout [UInt8], ends: inout [Int], starts: inout [Bool]) {
        var p = range.lowerBound
        var wordStart = -1
        func close(_ at: Int) {
            if wordStart >= 0 {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[wordStart..<at]))
                ends.append(out.count)
                starts.append(atStart && wordStart == range.lowerBound)
                wordStart = -1
            }
        }
        while p < range.upperBound {
            let n = UTF8Scalars.length(leadByte: bytes[p])
            if UTF8Scalars.isWhitespace(bytes, at: p, length: n) {
                close(p)
            } else if wordStart < 0 {
                wordStart = p
            }
            p += n
        }
        close(range.upperBound)
    }
}

extension UTF8Scalars {
    /// Whether the scalar `bytes[at..<at+length]` has the Unicode `White_Space` property.
    @inline(__always)
    static func isWhitespace(_ bytes: UnsafeBufferPointer<UInt8>, at p: Int, length n: Int) -> Bool {
        let b = bytes[p]
        if n == 1 { return b == 0x20 || (b >= 0x09 && b <= 0x0D) }
        var v = UInt32(b) & (0xFF >> (n + 1))
        for k in 1..<n { v = v << 6 | UInt32(bytes[p + k] & 0x3F) }
        guard let scalar = Unicode.Scalar(v) else { return false }
        return scalar.properties.isWhitespace
    }
}
