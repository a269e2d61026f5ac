/// Serialises a split's questions as an MP-DocVQA question file:
/// `{"dataset_name": ..., "dataset_split": ..., "dataset_version": ..., "data": [...]}` with one
/// record per line, keys in the release's order (`questionId, question, doc_id, page_ids,
/// answers, answer_page_idx, data_split`); `answers` and `answer_page_idx` are left out where nil
/// (the test split).
public enum QuestionFileJSON {
    public static let datasetName = "MP-DocVQA synthetic (mpvqa synth)"
    public static let datasetVersion = "1.0"

    public static func encode(_ questions: [Question], split: String) -> [UInt8] {
        var json = JSONText(capacity: 256 * questions.count + 256)
        json.raw("{")
        json.key("dataset_name"); json.string(datasetName); json.raw(", ")
        json.key("dataset_split"); json.string(split); json.raw(", ")
        json.key("dataset_version"); json.string(datasetVersion); json.raw(", ")
        json.key("data"); json.raw("[\n")
        json.list(questions, separator: ",\n") { json, q in
            json.raw("{"); json.key("questionId"); json.int(q.questionId)
            json.raw(", "); json.key("question"); json.string(q.question)
            json.raw(", "); json.key("doc_id"); json.string(q.docId)
            json.raw(", "); json.key("page_ids"); json.raw("[")
            json.list(q.pageIds) { json, id in json.string(id) }
            json.raw("]")
            if let answers = q.answers {
                json.raw(", "); json.key("answers"); json.raw("[")
                json.list(answers) { json, a in json.string(a) }
                json.raw("]")
            }
            if let index = q.answerPageIndex { json.raw(", "); json.key("answer_page_idx"); json.int(index) }
            if let split = q.dataSplit { json.raw(", "); json.key("data_split"); json.string(split) }
            json.raw("}")
        }
        json.raw("\n]}\n")
        return json.bytes
    }
}
