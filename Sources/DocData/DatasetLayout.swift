import Foundation

/// Where a dataset's files are. Defaults match the MP-DocVQA release:
/// `<root>/{train,val,test}.json`, `<root>/images/<page_id>.jpg|png`, `<root>/ocr/<page_id>.json`.
public struct DatasetLayout: Sendable, Equatable {
    public var root: URL
    /// Question file of each split, relative to `root` (default `<split>.json`).
    public var questionFiles: [String: String]
    public var imagesDirectory: String
    public var ocrDirectory: String

    public init(root: URL, questionFiles: [String: String] = [:], imagesDirectory: String = "images", ocrDirectory: String = "ocr") {
        self.root = root
        self.questionFiles = questionFiles
        self.imagesDirectory = imagesDirectory
        self.ocrDirectory = ocrDirectory
    }

    /// Path of the question file of `split`, relative to `root`.
    public func questionFile(_ split: String) -> String { questionFiles[split] ?? "\(split).json" }

    /// Candidate image paths of a page, relative to `root`, in lookup order.
    public func imageCandidates(_ pageId: String) -> [String] {
        ["\(imagesDirectory)/\(pageId).jpg", "\(imagesDirectory)/\(pageId).png", "\(imagesDirectory)/\(pageId).jpeg"]
    }

    /// Path of a page's OCR file, relative to `root`.
    public func ocrFile(_ pageId: String) -> String { "\(ocrDirectory)/\(pageId).json" }

    public func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }
}
