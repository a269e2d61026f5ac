import DocData

/// The lexical page baseline the report prints beside always-page-0: the page holding the
/// most distinct question words, in ``QuestionWordMatch``'s normal form (the form the
/// encoder's question-match feature uses, so a model that only counted matches would score
/// this). Ties go to the earliest page; a question without content words gets page 0.
///
/// ```swift
/// LexicalPageBaseline.page(for: item)   // index into item.pages
/// ```
public enum LexicalPageBaseline {
    /// The page of `item` with the most distinct question words.
    public static func page(for item: BatchItem) -> Int {
        let match = QuestionWordMatch(question: item.question)
        guard !match.words.isEmpty else { return 0 }
        var best = 0, bestCount = 0
        for (p, page) in item.pages.enumerated() {
            var found = Set<String>()
            for word in page.words {
                for part in word.text.split(whereSeparator: { !$0.isLetter && !$0.isNumber }) {
                    if let w = QuestionWordMatch.normalized(part), match.words.contains(w) { found.insert(w) }
                }
            }
            if found.count > bestCount { best = p; bestCount = found.count }
        }
        return best
    }
}
