import Foundation
import RunSupport

/// The texts a tokenizer is trained on (README "Configs and runs"): every question and gold answer of a split,
/// and the OCR words of every distinct page, joined by single spaces (one text per page, so
/// each word is seen as " word", the way ``BatchBuilder`` encodes OCR words).
public enum TokenizerCorpus {
    /// The corpus of `dataset`, pages read OCR-only by `threads` threads; shows progress per document.
    ///
    /// ```swift
    /// let train = try MPDocVQADataset(layout: DatasetLayout(root: root), split: "train")
    /// var trainer = try BPETrainer(vocabularySize: 4096)
    /// for text in try TokenizerCorpus.texts(of: train) { trainer.add(text) }
    /// ```
    public static func texts(of dataset: MPDocVQADataset, threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                             showProgress: Bool = true) throws -> [String] {
        var texts: [String] = []
        for question in dataset.questions {
            texts.append(question.question)
            texts += question.answers ?? []
        }
        var stream = dataset.documentStream(images: .none, threads: threads)
        let progress = showProgress ? Progress("tokenizer: reading OCR", total: stream.count, unit: "documents") : nil
        var seen = Set<String>()
        while let document = try stream.next() {
            for page in document.pages where seen.insert(page.pageId).inserted && !page.words.isEmpty {
                texts.append(page.words.map(\.text).joined(separator: " "))
            }
            progress?.advance()
        }
        progress?.finish(note: "\(seen.count) pages")
        return texts
    }
}
