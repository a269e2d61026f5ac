import Foundation

/// One page as loaded from disk.
public struct DatasetPage: Sendable {
    public var pageId: String
    /// OCR words in reading order as stored, boxes in 0…1.
    public var words: [OCRWord]
    /// The decoded image, nil when not requested.
    public var image: Image?

    public init(pageId: String, words: [OCRWord], image: Image?) {
        self.pageId = pageId
        self.words = words
        self.image = image
    }
}

/// A document's loaded pages together with the questions asked on them.
public struct DocumentPages: Sendable {
    public var docId: String
    /// The page ids shared by `questions`, in page order.
    public var pageIds: [String]
    public var questions: [Question]
    /// `pages[i]` is page `pageIds[i]`.
    public var pages: [DatasetPage]
}

/// Iterates over documents, loading each one's pages only when it is reached:
/// `while let document = try stream.next() { ... }`. A page that cannot be loaded ends the
/// iteration with its error (validate the dataset first to see every problem at once).
public struct DocumentPageStream: Sendable {
    private let dataset: MPDocVQADataset
    private let groups: [(docId: String, pageIds: [String], questions: [Question])]
    private let images: PageImageMode
    private let threads: Int
    private var position = 0

    init(dataset: MPDocVQADataset, questions: [Question], images: PageImageMode, threads: Int) {
        self.dataset = dataset
        self.images = images
        self.threads = max(1, threads)
        struct Key: Hashable { let docId: String; let pageIds: [String] }
        var groupIndex: [Key: Int] = [:]
        var groups: [(docId: String, pageIds: [String], questions: [Question])] = []
        for q in questions {
            let key = Key(docId: q.docId, pageIds: q.pageIds)
            if let g = groupIndex[key] {
                groups[g].questions.append(q)
            } else {
                groupIndex[key] = groups.count
                groups.append((q.docId, q.pageIds, [q]))
            }
        }
        self.groups = groups
    }

    /// Number of documents (distinct doc id and page list) the stream yields in total.
    public var count: Int { groups.count }

    /// Loads and returns the next document, or nil at the end.
    public mutating func next() throws -> DocumentPages? {
        guard position < groups.count else { return nil }
        let group = groups[position]
        position += 1
        let dataset = self.dataset, images = self.images, pageIds = group.pageIds
        let loaded = ParallelMap.map(pageIds.count, threads: threads) { i in
            Result { try dataset.page(pageIds[i], images: images) }
        }
        return DocumentPages(docId: group.docId, pageIds: group.pageIds, questions: group.questions,
                             pages: try loaded.map { try $0.get() })
    }
}
