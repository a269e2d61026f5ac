import Foundation

/// Where a dataset's files are. Defaults match the MP-DocVQA release:
/// `<root>/{train,val,test}.json`, `<root>/images/<page_id>.jpg|png`, `<root>/ocr/<page_id>.json`.
public struct DatasetLayout: Sendable, Equatable {
    public var root: URL
    /// Question file of each split, relative to `root` (default `<split>.json`).
    public var questionFiles: [String: String]
    public var imagesDirectory: String
    public var ocrDirectory: String
    /// Questions of the dev split carved from train when the dataset has no dev question
    /// file (a released copy): whole documents, chosen deterministically (`DevSplitCarving`).
    /// 0: no carving.
    public var carvedDevQuestions: Int = 0

    /// True when `dev` is carved from train: carving is on and no dev question file exists.
    public var carvesDev: Bool {
        carvedDevQuestions > 0 && !FileManager.default.fileExists(atPath: url(questionFile("dev")).path)
    }

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

extension DatasetLayout {
    /// The gold file beside an answerless question file: `test.json` → `test_gold.json`
    /// (written by `mpvqa synth`; a released test split has none).
    public static func goldFile(of questionFile: String) -> String {
        let base = questionFile.hasSuffix(".json") ? String(questionFile.dropLast(5)) : questionFile
        return base + "_gold.json"
    }

    /// The gold question file of `split`, relative to `root`, when it exists.
    public func existingGoldFile(_ split: String) -> String? {
        let gold = Self.goldFile(of: questionFile(split))
        return FileManager.default.fileExists(atPath: url(gold).path) ? gold : nil
    }
}
