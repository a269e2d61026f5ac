import DocData
import Foundation
import RunSupport
import TensorCore

/// The questions of one split with every page's OCR words in memory, ready to batch.
///
/// OCR is small next to images (a few KB per page), so a split's words are read once, in
/// parallel, and batches are then built without touching the disk. Page images are not
/// held (visual patches, when enabled, are computed at load time at model resolution).
public struct QuestionSet: Sendable {
    public let split: String
    public let items: [BatchItem]
    /// `pageIds[i]`: the page ids of `items[i]`'s pages (empty when the set was built in memory).
    public let pageIds: [[String]]

    public init(split: String, items: [BatchItem], pageIds: [[String]] = []) {
        self.split = split
        self.items = items
        self.pageIds = pageIds
    }

    /// Reads `split` of the dataset at `layout`; `limit` keeps the first N questions.
    /// `patchSize`/`imageSize` (when non-nil) add visual patches of each page.
    public static func load(layout: DatasetLayout, split: String, limit: Int? = nil,
                            visual: (imageSize: Int, patchSize: Int)? = nil, threads: Int) throws -> QuestionSet {
        let dataset = try MPDocVQADataset(layout: layout, split: split)
        let questions = limit.map { Array(dataset.questions.prefix($0)) } ?? dataset.questions
        let pageIds = Array(Set(questions.flatMap(\.pageIds))).sorted()
        var pages = [Result<PageInput, Error>?](repeating: nil, count: pageIds.count)
        let progress = Progress("load \(split)", total: pageIds.count, unit: "pages")
        pages.withUnsafeMutableBufferPointer { out in
            let box = UncheckedSendable(out)
            DispatchQueue.concurrentPerform(iterations: max(1, threads)) { worker in
                var i = worker
                while i < pageIds.count {
                    do {
                        let words = try dataset.ocrWords(pageId: pageIds[i])
                        var patches: PagePatches? = nil
                        if let visual {
                            if let image = try dataset.image(pageId: pageIds[i], mode: .resized(width: visual.imageSize, height: visual.imageSize)) {
                                patches = PagePatches(image: image.grayscale(), patchSize: visual.patchSize, mean: [0.5], std: [0.5])
                            }
                        }
                        box.value[i] = .success(PageInput(words: words, patches: patches))
                    } catch {
                        box.value[i] = .failure(error)
                    }
                    progress.advance()
                    i += max(1, threads)
                }
            }
        }
        progress.finish()
        let loaded = try pages.map { try $0!.get() }
        let index = Dictionary(uniqueKeysWithValues: pageIds.enumerated().map { ($1, $0) })
        let items = questions.map { q in BatchItem(q, pages: q.pageIds.map { loaded[index[$0]!] }) }
        return QuestionSet(split: split, items: items, pageIds: questions.map(\.pageIds))
    }
}
