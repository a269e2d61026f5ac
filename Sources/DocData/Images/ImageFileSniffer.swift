/// Recognises image files by their leading "magic" bytes, and names what other bytes look
/// like, so an error can say "`.png` but the bytes look like a JPEG" instead of "corrupt".
enum ImageFileSniffer {
    /// The formats ImageCodec decodes.
    enum Format: String {
        case png = "PNG"
        case jpeg = "JPEG"
    }

    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    static let jpegSignature: [UInt8] = [0xFF, 0xD8, 0xFF]

    /// The decodable format of `bytes`, from their magic bytes.
    static func format(of bytes: [UInt8]) -> Format? {
        if bytes.starts(with: pngSignature) { return .png }
        if bytes.starts(with: jpegSignature) { return .jpeg }
        return nil
    }

    /// The format a file name promises by its extension (`.png`, `.jpg`, `.jpeg`, any case).
    static func format(ofName name: String) -> Format? {
        guard let dot = name.lastIndex(of: "."), !name[dot...].contains("/") else { return nil }
        switch name[name.index(after: dot)...].lowercased() {
        case "png": return .png
        case "jpg", "jpeg", "jpe", "jfif": return .jpeg
        default: return nil
        }
    }

    /// A short description of what `bytes` look like: "a JPEG image", "an HTML page",
    /// "a Git LFS pointer", "an empty file", "unknown binary data (starts 00 01 02 03)", ...
    static func describe(_ bytes: [UInt8]) -> String {
        if bytes.isEmpty { return "an empty file" }
        func starts(_ prefix: String) -> Bool { bytes.starts(with: Array(prefix.utf8)) }
        switch format(of: bytes) {
        case .png: return "a PNG image"
        case .jpeg: return "a JPEG image"
        case nil: break
        }
        if starts("GIF87a") || starts("GIF89a") { return "a GIF image" }
        if starts("BM") && bytes.count >= 14 { return "a BMP image" }
        if bytes.starts(with: [0x49, 0x49, 0x2A, 0x00]) || bytes.starts(with: [0x4D, 0x4D, 0x00, 0x2A]) { return "a TIFF image" }
        if starts("RIFF") && bytes.count >= 12 && bytes[8..<12].elementsEqual("WEBP".utf8) { return "a WebP image" }
        if bytes.count >= 12 && bytes[4..<8].elementsEqual("ftyp".utf8) { return "an ISO media file (HEIC/AVIF/MP4)" }
        if bytes.starts(with: [0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50]) || bytes.starts(with: [0xFF, 0x4F, 0xFF, 0x51]) { return "a JPEG 2000 image" }
        if starts("%PDF") { return "a PDF document" }
        if bytes.starts(with: [0x1F, 0x8B]) { return "gzip-compressed data" }
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return "a ZIP archive" }
        if starts("version https://git-lfs") { return "a Git LFS pointer (the image was not fetched)" }
        let head = bytes.prefix(512)
        let isText = head.allSatisfy { $0 == 9 || $0 == 10 || $0 == 13 || ($0 >= 32 && $0 < 127) || $0 >= 0x80 }
        if isText {
            let text = String(String(decoding: head, as: UTF8.self).drop(while: { $0.isWhitespace })).lowercased()
            if text.hasPrefix("<!doctype html") || text.hasPrefix("<html") { return "an HTML page" }
            if text.hasPrefix("<?xml") || text.hasPrefix("<svg") { return "XML/SVG text" }
            if text.hasPrefix("{") || text.hasPrefix("[") { return "JSON text" }
            // A short sniff only, printable ASCII: never echo a file's contents into a message.
            let shown = String(text.unicodeScalars.prefix(24).map { $0.isASCII && $0.value >= 32 && $0.value < 127 ? Character($0) : " " })
            return "text (starts \"\(shown)\")"
        }
        let hex = bytes.prefix(8).map { String($0, radix: 16, uppercase: true).leftPadded(to: 2) }
        return "unknown binary data (starts \(hex.joined(separator: " ")))"
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
