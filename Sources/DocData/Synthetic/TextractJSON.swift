import TensorCore

/// Serialises a synthetic page's OCR as an Amazon Textract `DetectDocumentText` response,
/// the form MP-DocVQA ships: one PAGE block, then LINE blocks, then WORD blocks, each with
/// `Geometry.BoundingBox` (`Width`, `Height`, `Left`, `Top` as fractions of the page size,
/// origin top-left) and `Polygon`, `Id`, `Confidence` (0–100) and, for LINE and WORD,
/// `Text`; PAGE and LINE list their children under `Relationships`. Ids are UUID-shaped and
/// derived from the page seed, so the bytes are a function of the page.
public enum TextractJSON {
    /// The JSON bytes of `page`'s OCR (noisy `ocrText`, tight ink boxes).
    public static func encode(_ page: SyntheticPage) -> [UInt8] {
        var rng = SeededRNG(seed: SyntheticDocumentGenerator.mix(page.seed, 0x7E47_AC7))
        let pageId = uuid(&rng)
        let lineIds = page.lines.map { _ in uuid(&rng) }
        let wordIds = page.words.map { _ in uuid(&rng) }
        let w = Double(page.width), h = Double(page.height)

        var json = JSONText(capacity: 400 * (page.words.count + page.lines.count) + 512)
        func geometry(_ json: inout JSONText, _ box: PixelBox) {
            let left = Double(box.left) / w, top = Double(box.top) / h
            let right = Double(box.right) / w, bottom = Double(box.bottom) / h
            json.raw("\"Geometry\": {\"BoundingBox\": {\"Width\": "); json.fixed(right - left, decimals: 6)
            json.raw(", \"Height\": "); json.fixed(bottom - top, decimals: 6)
            json.raw(", \"Left\": "); json.fixed(left, decimals: 6)
            json.raw(", \"Top\": "); json.fixed(top, decimals: 6)
            json.raw("}, \"Polygon\": [")
            json.list([(left, top), (right, top), (right, bottom), (left, bottom)]) { json, p in
                json.raw("{\"X\": "); json.fixed(p.0, decimals: 6)
                json.raw(", \"Y\": "); json.fixed(p.1, decimals: 6); json.raw("}")
            }
            json.raw("]}")
        }
        func children(_ json: inout JSONText, _ ids: [String]) {
            json.raw(", \"Relationships\": [{\"Type\": \"CHILD\", \"Ids\": [")
            json.list(ids) { json, id in json.string(id) }
            json.raw("]}]")
        }

        json.raw("{\"DocumentMetadata\": {\"Pages\": 1}, \"Blocks\": [\n")
        json.raw("{\"BlockType\": \"PAGE\", ")
        geometry(&json, PixelBox(left: 0, top: 0, right: page.width, bottom: page.height))
        json.raw(", \"Id\": "); json.string(pageId)
        children(&json, lineIds)
        json.raw("}")
        for (l, range) in page.lines.enumerated() {
            let words = page.words[range]
            let box = words.dropFirst().reduce(words.first!.box) { $0.union($1.box) }
            let confidence = words.reduce(0.0) { $0 + $1.confidence } / Double(words.count)
            json.raw(",\n{\"BlockType\": \"LINE\", \"Confidence\": "); json.fixed(confidence, decimals: 4)
            json.raw(", \"Text\": "); json.string(words.map(\.ocrText).joined(separator: " "))
            json.raw(", "); geometry(&json, box)
            json.raw(", \"Id\": "); json.string(lineIds[l])
            children(&json, Array(wordIds[range]))
            json.raw("}")
        }
        for (i, word) in page.words.enumerated() {
            json.raw(",\n{\"BlockType\": \"WORD\", \"Confidence\": "); json.fixed(word.confidence, decimals: 4)
            json.raw(", \"Text\": "); json.string(word.ocrText)
            json.raw(", \"TextType\": \"PRINTED\", "); geometry(&json, word.box)
            json.raw(", \"Id\": "); json.string(wordIds[i])
            json.raw("}")
        }
        json.raw("\n]}\n")
        return json.bytes
    }

    /// A random (version 4 shaped) UUID string from `rng`.
    static func uuid(_ rng: inout SeededRNG) -> String {
        let hex = Array("0123456789abcdef")
        let a = rng.next(), b = rng.next()
        var out = ""
        out.reserveCapacity(36)
        for i in 0..<32 {
            if i == 8 || i == 12 || i == 16 || i == 20 { out.append("-") }
            var nibble = Int(((i < 16 ? a : b) >> (UInt64(i % 16) * 4)) & 15)
            if i == 12 { nibble = 4 }                     // version 4
            if i == 16 { nibble = 8 | (nibble & 3) }      // variant 10xx
            out.append(hex[nibble])
        }
        return out
    }
}
