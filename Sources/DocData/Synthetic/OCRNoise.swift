import TensorCore

/// OCR-style corruption of the text a page's OCR reports (the image is never touched):
/// each character, with probability `rate`, is replaced by a look-alike (`O`→`0`, `l`→`1`,
/// `S`→`5`, …) or, when it has none, dropped. A word never
/// becomes empty. Corrupted words get a lower confidence, as real OCR engines report.
struct OCRNoise {
    let rate: Double

    static let lookAlikes: [Character: [Character]] = [
        "O": ["0", "D", "Q"], "0": ["O", "o"], "o": ["0", "a", "c"], "D": ["0", "O"], "Q": ["O"],
        "l": ["1", "I", "|"], "1": ["l", "I", "7"], "I": ["1", "l"], "i": ["l", "j"], "j": ["i"],
        "S": ["5", "$"], "5": ["S", "6"], "s": ["5"], "$": ["S", "5"],
        "B": ["8", "R"], "8": ["B", "3"], "3": ["8"], "E": ["F"], "F": ["E"],
        "e": ["c", "o"], "c": ["e", "o"], "a": ["o", "e"], "u": ["v", "n"], "v": ["u", "y"], "n": ["m", "h"],
        "m": ["n"], "h": ["b", "n"], "b": ["h", "6"], "6": ["b", "G"], "G": ["6", "C"], "C": ["G", "("],
        "g": ["9", "q"], "9": ["g"], "q": ["g", "9"], "Z": ["2"], "2": ["Z"], "z": ["2"], "7": ["1", "T"],
        "T": ["7"], "4": ["A"], "A": ["4"], ",": ["."], ".": [","], ":": [";", "."], "-": ["_", "~"],
        "t": ["f", "l"], "f": ["t"], "r": ["n"], "y": ["v"], "w": ["v"], "W": ["V"], "M": ["N"], "N": ["M"],
    ]

    /// Applies noise to every word's `ocrText` and sets its `confidence`.
    func apply(to words: inout [SyntheticWord], rng: inout SeededRNG) {
        for i in words.indices {
            var out = ""
            var changed = false
            for c in words[i].text {
                if rate > 0 && rng.nextUniform() < rate {
                    changed = true
                    if let options = Self.lookAlikes[c] {
                        out += String(options[rng.nextInt(below: options.count)])
                    }  // no look-alike: the character is dropped
                } else {
                    out.append(c)
                }
            }
            if out.isEmpty { out = String(words[i].text.prefix(1)) }
            words[i].ocrText = out
            // Textract reports 0–100; clean printed words score high.
            words[i].confidence = changed ? 55 + 35 * rng.nextUniform() : 96 + 3.99 * rng.nextUniform()
        }
    }
}
