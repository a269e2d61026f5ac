/// The exact-match feature of DrQA, on words: an OCR word "matches" the question when its
/// normalised form occurs among the question's normalised content words. Normalising makes
/// the printed label `Date Ordered:` meet the question's `order date` (token ids never do:
/// BPE gives ` Date` and ` date` different ids).
///
/// Normal form: lower case, letters and digits only, one regular suffix (`-s`, `-ed`, `-ing`)
/// removed from words long enough to keep a stem of three letters, a doubled final consonant
/// undone (`shipping` → `ship`). Function words never match.
///
/// ```swift
/// let match = QuestionWordMatch(question: "What is the date of the order?")
/// match.matches("Ordered")   // true
/// match.matches("the")       // false (function word)
/// ```
public struct QuestionWordMatch: Sendable {
    /// Normalised content words of the question.
    public let words: Set<String>

    public init(question: String) {
        var words = Set<String>()
        for token in question.split(whereSeparator: { !$0.isLetter && !$0.isNumber }) {
            if let word = Self.normalized(token) { words.insert(word) }
        }
        self.words = words
    }

    /// Whether the (whitespace-free) OCR word `text` matches a question word.
    public func matches(_ text: some StringProtocol) -> Bool {
        guard !words.isEmpty else { return false }
        for part in text.split(whereSeparator: { !$0.isLetter && !$0.isNumber }) {
            if let word = Self.normalized(part), words.contains(word) { return true }
        }
        return false
    }

    /// The normal form of one word of letters and digits; nil for function words.
    public static func normalized(_ word: some StringProtocol) -> String? {
        var w = word.lowercased()
        guard !functionWords.contains(w) else { return nil }
        for suffix in ["ing", "ed", "s"] where w.hasSuffix(suffix) && w.count - suffix.count >= 3 {
            w.removeLast(suffix.count)
            if suffix != "s", let last = w.last, w.dropLast().last == last, !"aeiouls".contains(last) { w.removeLast() }
            break
        }
        return w
    }

    /// English function words (articles, pronouns, auxiliaries, prepositions, question words).
    static let functionWords: Set<String> = [
        "a", "an", "the", "of", "in", "on", "at", "to", "for", "by", "as", "and", "or", "with", "from", "into",
        "is", "are", "was", "were", "be", "been", "do", "does", "did", "has", "have", "had",
        "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "much", "many",
        "this", "that", "these", "those", "it", "its", "there",
    ]
}
