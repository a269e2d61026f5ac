/// The `normalizer` of a SentencePiece-style `tokenizer.json`: a sequence of steps applied to
/// each stretch of text between added tokens, as Hugging Face `tokenizers` applies them.
///
/// Supported steps: `Precompiled` (``PrecompiledCharsmap``), `Strip` (Unicode `White_Space`, as
/// Rust's `char::is_whitespace`), and `Replace` with a string pattern or a regex that repeats one
/// literal character (`" {2,}"`, `"x+"`; not classes such as `\s`), which is what T5 and today's
/// SentencePiece converters write. Other normalizers are refused when loading.
public struct TextNormalizer: Sendable {
    /// One normalisation step.
    public enum Step: Sendable {
        case precompiled(PrecompiledCharsmap)
        case strip(left: Bool, right: Bool)
        /// Replace every leftmost, non-overlapping match of `pattern` by `content`.
        case replace(pattern: ReplacePattern, content: String)
    }

    /// What `Replace` looks for.
    public enum ReplacePattern: Sendable, Equatable {
        /// A literal string (`{"String": "…"}`).
        case string(String)
        /// A regex that is one character repeated: `c{min,}` (max nil), `c{min,max}`, `c{n}`, `c+`
        /// (`{"Regex": "…"}`, `source` is the regex text).
        case run(Unicode.Scalar, min: Int, max: Int?, source: String)
    }

    public var steps: [Step]

    public init(steps: [Step]) { self.steps = steps }

    /// The normalised text, and whether a left strip removed characters from its start (which
    /// moves the text's first character away from original offset 0; Metaspace's `first` scheme
    /// reads that).
    public func normalize(_ text: String) -> (text: String, startMoved: Bool) {
        var current = text
        var moved = false
        var bytes: [UInt8] = []
        for step in steps {
            switch step {
            case .precompiled(let map):
                bytes.removeAll(keepingCapacity: true)
                if map.normalize(current, into: &bytes) { current = String(decoding: bytes, as: UTF8.self) }
            case .strip(let left, let right):
                let scalars = current.unicodeScalars
                var start = scalars.startIndex, end = scalars.endIndex
                if left { while start < end && scalars[start].properties.isWhitespace { start = scalars.index(after: start) } }
                if right {
                    while end > start {
                        let before = scalars.index(before: end)
                        guard scalars[before].properties.isWhitespace else { break }
                        end = before
                    }
                }
                if start != scalars.startIndex { moved = true }
                if start != scalars.startIndex || end != scalars.endIndex { current = String(scalars[start..<end]) }
            case .replace(let pattern, let content):
                current = Self.replace(current, pattern, content)
            }
        }
        return (current, moved)
    }

    private static func replace(_ text: String, _ pattern: ReplacePattern, _ content: String) -> String {
        switch pattern {
        case .string(let literal):
            guard !literal.isEmpty else { return text }
            // Byte-level search: UTF-8 matches align to scalars, as the escaped regex does.
            let t = Array(text.utf8), p = Array(literal.utf8)
            var out: [UInt8] = []
            out.reserveCapacity(t.count)
            var i = 0
            var changed = false
            while i < t.count {
                if t[i] == p[0], i + p.count <= t.count, t[i..<(i + p.count)].elementsEqual(p) {
                    out.append(contentsOf: content.utf8)
                    i += p.count
                    changed = true
                } else {
                    out.append(t[i])
                    i += 1
                }
            }
            return changed ? String(decoding: out, as: UTF8.self) : text
        case .run(let scalar, let min, let max, _):
            var out = String.UnicodeScalarView()
            var changed = false
            var run = 0
            func flush() {
                guard run > 0 else { return }
                // Greedy leftmost matching: as many full matches of up to `max` as fit, the rest literal.
                var left = run
                if let max {
                    while left >= min {
                        let take = Swift.min(left, max)
                        out.append(contentsOf: content.unicodeScalars)
                        changed = true
                        left -= take
                    }
                } else if left >= min {
                    out.append(contentsOf: content.unicodeScalars)
                    changed = true
                    left = 0
                }
                for _ in 0..<left { out.append(scalar) }
                run = 0
            }
            for s in text.unicodeScalars {
                if s == scalar { run += 1; continue }
                flush()
                out.append(s)
            }
            flush()
            return changed ? String(out) : text
        }
    }
}
