/// Answer metrics exactly as the official DocVQA / RRC evaluation script computes them (README "Metrics").
///
/// - normalisation: lower-case, strip, collapse inner whitespace (Python's `" ".join(s.strip().lower().split())`,
///   with Python's set of whitespace characters);
/// - distance: Levenshtein over Unicode scalars of the normalised strings;
/// - length: the larger Unicode-scalar count of the **raw** strings (the official script's quirk);
/// - question score: `1 − min NL` over the golds, 0 when below the threshold 0.5 (0.5 itself is kept).
///
/// ```swift
/// AnswerMetrics.anls(prediction: "coca  colx", golds: ["coca cola"])   // 0.9
/// ```
public enum AnswerMetrics {
    /// Scores below this are set to 0.
    public static let threshold = 0.5

    /// ANLS of one question; 0 when there are no golds.
    public static func anls(prediction: String, golds: [String]) -> Double {
        let p = normalize(prediction)
        let pLength = prediction.unicodeScalars.count
        var best = 0.0
        for gold in golds {
            let length = max(gold.unicodeScalars.count, pLength)
            let nl = length == 0 ? 0 : Double(levenshtein(normalize(gold), p)) / Double(length)
            best = max(best, 1 - nl)
        }
        return best < threshold ? 0 : best
    }

    /// 1 when the normalised prediction equals a normalised gold, else 0.
    public static func exactMatch(prediction: String, golds: [String]) -> Double {
        let p = normalize(prediction)
        return golds.contains { normalize($0) == p } ? 1 : 0
    }

    /// Python's `" ".join(s.strip().lower().split())` as Unicode scalars.
    public static func normalize(_ s: String) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        var pendingSpace = false
        for scalar in s.lowercased().unicodeScalars {
            if isPythonWhitespace(scalar) {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" "); pendingSpace = false }
                out.append(scalar)
            }
        }
        return out
    }

    /// Python's `str.isspace()` characters (bidi classes WS, B, S and category Zs).
    public static func isPythonWhitespace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// Edit distance (insert, delete, substitute; cost 1 each) with one reused row.
    public static func levenshtein(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var row = Array(0...b.count)
        for i in 1...a.count {
            var diagonal = row[0]
            row[0] = i
            for j in 1...b.count {
                let above = row[j]
                row[j] = Swift.min(above + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1))
                diagonal = above
            }
        }
        return row[b.count]
    }
}
