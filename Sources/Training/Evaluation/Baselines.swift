import DocData

/// The trivial system every evaluation prints beside the model, so that "learning" means
/// beating it: the most frequent training answer, on page 0 (its ANLS is the
/// most-frequent-answer baseline, its page accuracy the always-page-0 baseline).
public enum Baselines {
    /// The most frequent first gold answer of `training` (ties: lexicographically smallest).
    public static func mostFrequentAnswer(_ training: [BatchItem]) -> String {
        var counts: [String: Int] = [:]
        for item in training { if let a = item.answers.first { counts[a, default: 0] += 1 } }
        return counts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? ""
    }

    /// The baseline's submission for `questions`.
    public static func submission(for questions: [BatchItem], answer: String) -> [SubmissionEntry] {
        questions.map { SubmissionEntry(questionId: $0.questionId, answer: answer, answerPage: 0) }
    }
}
