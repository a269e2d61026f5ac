import Foundation
import RunSupport

/// Reading one page's files under a layout; shared by `MPDocVQADataset` and `DatasetValidator`.
/// Errors name files relative to the root.
extension DatasetLayout {
    /// The page's image file relative to the root (`images/<id>.jpg`, else `.png`, else
    /// `.jpeg`), or nil when none exists.
    public func existingImageFile(pageId: String) -> String? {
        imageCandidates(pageId).first { entryExists($0) }  // a looping or escaping link is found, then refused when read
    }

    /// The error for a page without an image file; `context` (e.g. who uses the page) is appended.
    func missingImageError(pageId: String, context: String = "") -> DataError {
        let candidates = imageCandidates(pageId)
        let suffix = context.isEmpty ? "" : "; \(context)"
        return DataError(file: candidates[0], "image not found (looked for \(candidates.joined(separator: ", "))\(suffix))")
    }

    /// Reads and decodes the page's image as `mode` asks (nil for `.none`, without touching the file).
    public func loadImage(pageId: String, mode: PageImageMode = .original) throws -> Image? {
        if mode == .none { return nil }
        guard let file = existingImageFile(pageId: pageId) else { throw missingImageError(pageId: pageId) }
        let location = try containedURL(file)
        let bytes: [UInt8]
        do {
            bytes = try [UInt8](Data(contentsOf: location))
        } catch {
            throw DataError(file: file, "cannot read the image file: \(FileSystemError.reason(of: error) ?? error.localizedDescription)")
        }
        switch mode {
        case .none: return nil
        case .original: return try ImageCodec.decode(bytes: bytes, name: file)
        case .resized(let width, let height):
            return try ImageCodec.decodeResized(bytes: bytes, name: file, width: width, height: height)
        }
    }

    /// Reads the page's OCR words (`ocr/<id>.json`, either form) in reading order as stored.
    public func loadOCRWords(pageId: String) throws(DataError) -> [OCRWord] {
        let file = ocrFile(pageId)
        return try OCRReader.read(contentsOf: try containedURL(file), file: file)
    }
}
