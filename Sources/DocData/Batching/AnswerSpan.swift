/// Where an answer occurs among a page's OCR words: consecutive words equal to the answer's
/// whitespace-separated words, compared case-insensitively. Gives the targets of the auxiliary
/// "answer span" and "page contains the answer" losses (recipe switches of README "Learning from scratch").
public enum AnswerSpan {
    /// Indices of the words of `words` that belong to an occurrence of `answer` (all occurrences).
    ///
    /// ```swift
    /// AnswerSpan.wordIndices(of: "1,234.00 USD", in: ["Total", "1,234.00", "usd"])   // [1, 2]
    /// ```
    public static func wordIndices(of answer: String, in words: [String]) -> [Int] {
        let needle = answer.split(whereSeparator: \.isWhitespace).map { $0.lowercased() }
        guard !needle.isEmpty, needle.count <= words.count else { return [] }
        let haystack = words.map { $0.lowercased() }
        var marked: [Int] = []
        var start = 0
        while start + needle.count <= haystack.count {
            var match = true
            for k in 0..<needle.count where haystack[start + k] != needle[k] {
                match = false
                break
            }
            if match {
                for k in 0..<needle.count where marked.last.map({ $0 < start + k }) ?? true { marked.append(start + k) }
            }
            start += 1
        }
        return marked
    }
}
