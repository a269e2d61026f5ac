/// Carves a dev split out of train for datasets that ship none (the MP-DocVQA release has
/// train, val and test only): training validates and selects its `best` checkpoint on dev, so
/// that val and test never influence a run (README "Data").
///
/// Documents stay whole (all questions of a document go to the same side, so dev pages are
/// never seen in training), and the choice depends on the question file only: documents are
/// ordered by a fixed hash of their `doc_id` and taken in that order until at least
/// `devQuestions` questions are carved. Both sides keep the file's question order.
///
/// ```swift
/// let (train, dev) = DevSplitCarving.carve(trainFile.questions, devQuestions: 1000)
/// ```
public enum DevSplitCarving {
    public static func carve(_ questions: [Question], devQuestions: Int) -> (train: [Question], dev: [Question]) {
        var perDocument: [String: Int] = [:]
        for q in questions { perDocument[q.docId, default: 0] += 1 }
        let order = perDocument.keys.sorted { (hash($0), $0) < (hash($1), $1) }
        var chosen = Set<String>(), taken = 0
        for doc in order where taken < devQuestions {
            chosen.insert(doc)
            taken += perDocument[doc]!
        }
        return (questions.filter { !chosen.contains($0.docId) }, questions.filter { chosen.contains($0.docId) })
    }

    /// FNV-1a over the UTF-8 bytes, with a multiply-xorshift finish: the same on every machine
    /// (Swift's `Hasher` is seeded per process).
    static func hash(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in s.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        return h ^ (h >> 33)
    }
}
