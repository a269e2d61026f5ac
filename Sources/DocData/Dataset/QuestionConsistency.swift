/// Checks of a split's questions that `mpvqa data validate` adds to the per-field ones of
/// `QuestionFile` (README "Data"), all reported as problems: a question whose text is blank (the
/// model would be asked nothing), a page id listed twice in one question (its pages would be
/// encoded twice and the answer page would be ambiguous), and a `data_split` that names another
/// split than the file it is in.
public enum QuestionConsistency {
    public static func problems(_ questions: [Question], split: String, file: String) -> [DataError] {
        var problems: [DataError] = []
        for q in questions {
            let record = "questionId \(q.questionId)"
            if q.question.allSatisfy(\.isWhitespace) {
                problems.append(DataError(file: file, record: record, field: "question", "blank; expected the question's text"))
            }
            var seen: [String: Int] = [:]
            for (i, pageId) in q.pageIds.enumerated() {
                if let first = seen[pageId] {
                    problems.append(DataError(file: file, record: record, field: "page_ids[\(i)]",
                                              "'\(pageId)' is listed twice (also page_ids[\(first)]); expected each page once"))
                } else {
                    seen[pageId] = i
                }
            }
            if let given = q.dataSplit, given != split {
                problems.append(DataError(file: file, record: record, field: "data_split",
                                          "'\(given)' in the question file of split '\(split)'; expected '\(split)'"))
            }
        }
        return problems
    }
}
