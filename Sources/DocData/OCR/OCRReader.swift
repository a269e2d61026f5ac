import Foundation
import RunSupport

/// The two OCR file forms of the DocVQA family (README "Data").
public enum OCRFormat: String, Sendable, Codable {
    /// Amazon Textract response: `{"Blocks": [{"BlockType": "WORD", "Text": .., "Geometry": {"BoundingBox": ..}}]}`.
    case textract
    /// DocVQA (Azure) form: `{"recognitionResults": [{"width": W, "height": H, "lines": [{"words": [..]}]}]}`.
    case azure
}

/// What one OCR file holds: its words in reading order as stored, and every problem found.
public struct OCRFileContents: Sendable {
    /// The detected form, nil when the file is neither.
    public var format: OCRFormat?
    /// Words whose fields were all readable, in file order; boxes `[left, top, right, bottom]` in 0…1.
    public var words: [OCRWord]
    /// Every problem, each naming the file, the block or word (`Blocks[12]`,
    /// `recognitionResults[0].lines[3].words[1]`) and the field.
    public var problems: [DataError]
}

/// Reads per-page OCR files in either form (README "Data") into `[OCRWord]`.
///
/// Textract: only `WORD` blocks give words; `Geometry.BoundingBox` ratios `Left, Top, Width,
/// Height` become `[Left, Top, Left + Width, Top + Height]`. Azure: each word's 8-number pixel
/// polygon `boundingBox` becomes its min/max x and y divided by the result's `width`/`height`.
/// Coordinates slightly outside the page (OCR engines overshoot by a few pixels) are clamped to
/// 0…1; ones far outside (more than 10 % of the page) are reported, since they mean the file
/// is not in the form it claims.
///
/// ```swift
/// let words = try OCRReader.read(contentsOf: root.appendingPathComponent("ocr/p1.json"), file: "ocr/p1.json")
/// print(words[0].text, words[0].left, words[0].top)
/// ```
public enum OCRReader {
    /// How far outside 0…1 a coordinate may stray before it is reported rather than clamped.
    static let tolerance = 0.1

    /// Reads an OCR file; throws the first problem (with a count of the others) as a `DataError`.
    /// `file` names the file in errors (default: the URL's path).
    public static func read(contentsOf url: URL, file: String? = nil) throws(DataError) -> [OCRWord] {
        let name = file ?? url.path
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw FileManager.default.fileExists(atPath: url.path)
                ? DataError(file: name, "cannot read the OCR file: \(FileSystemError.reason(of: error) ?? error.localizedDescription)")
                : DataError(file: name, "OCR file not found")
        }
        let contents = parse(data, file: name)
        if let first = DataError.first(of: contents.problems) { throw first }
        return contents.words
    }

    /// Parses the bytes of an OCR file named `file` (used in problems), collecting every problem.
    public static func parse(_ data: Data, file: String) -> OCRFileContents {
        let document: JSONDocument
        do {
            document = try JSONParser.parse(data)
        } catch {
            return OCRFileContents(format: nil, words: [], problems: [DataError(file: file, error.description)])
        }
        let log = ProblemLog()
        var format: OCRFormat?
        var words: [OCRWord] = []
        if case .object(let top) = document.root, top["Blocks"] != nil {
            format = .textract
            words = readTextract(top, file: file, log: log)
        } else if case .object(let top) = document.root, top["recognitionResults"] != nil {
            format = .azure
            words = readAzure(top, file: file, log: log)
        } else {
            log.report(DataError(file: file, "expected a Textract object with \"Blocks\" or a DocVQA object with \"recognitionResults\", found \(document.root.found)"))
        }
        log.reportRemainingInvalidUTF8(document, file: file)
        return OCRFileContents(format: format, words: words, problems: log.problems)
    }

    /// `Blocks[]` → words of the `WORD` blocks.
    static func readTextract(_ top: [String: JSONValue], file: String, log: ProblemLog) -> [OCRWord] {
        let root = JSONRecordReader(top, file: file, record: "", log: log)
        guard let blocks = root.array("Blocks") else { return [] }
        var words: [OCRWord] = []
        words.reserveCapacity(blocks.count / 2)
        for (i, block) in blocks.enumerated() {
            guard case .object(let fields) = block else {
                log.report(DataError(file: file, record: "Blocks[\(i)]", "expected a block object, found \(block.found)"))
                continue
            }
            let r = JSONRecordReader(fields, file: file, record: "Blocks[\(i)]", log: log)
            guard let type = r.string("BlockType"), type == "WORD" else { continue }
            let text = r.string("Text")
            let box = r.object("Geometry")?.object("BoundingBox")
            let left = box.flatMap { ratio($0, "Left", min: -tolerance) }
            let top = box.flatMap { ratio($0, "Top", min: -tolerance) }
            let width = box.flatMap { ratio($0, "Width", min: 0) }
            let height = box.flatMap { ratio($0, "Height", min: 0) }
            guard let text, let left, let top, let width, let height else { continue }
            words.append(OCRWord(text: text, left: clamp(left), top: clamp(top),
                                 right: clamp(left + width), bottom: clamp(top + height)))
        }
        return words
    }

    /// A `BoundingBox` field that must be a ratio of the page size.
    private static func ratio(_ box: JSONRecordReader, _ key: String, min lower: Double) -> Double? {
        guard let v = box.number(key) else { return nil }
        guard v >= lower && v <= 1 + tolerance else {
            box.report(key, "expected a ratio of the page size (0…1), found \(v)")
            return nil
        }
        return v
    }

    /// `recognitionResults[].lines[].words[]` → words, normalised by each result's page size.
    static func readAzure(_ top: [String: JSONValue], file: String, log: ProblemLog) -> [OCRWord] {
        let root = JSONRecordReader(top, file: file, record: "", log: log)
        guard let results = root.array("recognitionResults") else { return [] }
        var words: [OCRWord] = []
        for (ri, resultValue) in results.enumerated() {
            let resultName = "recognitionResults[\(ri)]"
            guard case .object(let resultFields) = resultValue else {
                log.report(DataError(file: file, record: resultName, "expected an object, found \(resultValue.found)"))
                continue
            }
            let result = JSONRecordReader(resultFields, file: file, record: resultName, log: log)
            var width = result.number("width")
            var height = result.number("height")
            if let w = width, w <= 0 { result.report("width", "expected a positive page width, found \(w)"); width = nil }
            if let h = height, h <= 0 { result.report("height", "expected a positive page height, found \(h)"); height = nil }
            guard let lines = result.array("lines") else { continue }
            for (li, lineValue) in lines.enumerated() {
                let lineName = "\(resultName).lines[\(li)]"
                guard case .object(let lineFields) = lineValue else {
                    log.report(DataError(file: file, record: lineName, "expected an object, found \(lineValue.found)"))
                    continue
                }
                let line = JSONRecordReader(lineFields, file: file, record: lineName, log: log)
                guard let lineWords = line.array("words") else { continue }
                for (wi, wordValue) in lineWords.enumerated() {
                    let wordName = "\(lineName).words[\(wi)]"
                    guard case .object(let wordFields) = wordValue else {
                        log.report(DataError(file: file, record: wordName, "expected an object, found \(wordValue.found)"))
                        continue
                    }
                    let word = JSONRecordReader(wordFields, file: file, record: wordName, log: log)
                    let text = word.string("text")
                    let polygon = readPolygon(word)
                    guard let text, let polygon, let width, let height else { continue }
                    if let box = normalise(polygon, width: width, height: height, word: word) {
                        words.append(OCRWord(text: text, left: box.0, top: box.1, right: box.2, bottom: box.3))
                    }
                }
            }
        }
        return words
    }

    /// The 8 numbers `[x1, y1, …, x4, y4]` of a word's `boundingBox`.
    private static func readPolygon(_ word: JSONRecordReader) -> [Double]? {
        guard let items = word.array("boundingBox") else { return nil }
        guard items.count == 8 else {
            word.report("boundingBox", "expected 8 numbers [x1, y1, x2, y2, x3, y3, x4, y4], found \(items.count) values")
            return nil
        }
        var out: [Double] = []
        for (k, item) in items.enumerated() {
            guard let v = word.asNumber(item, field: word.fieldName("boundingBox[\(k)]")) else { return nil }
            out.append(v)
        }
        return out
    }

    /// Min/max of the polygon divided by the page size, clamped to 0…1.
    private static func normalise(_ p: [Double], width: Double, height: Double,
                                  word: JSONRecordReader) -> (Float, Float, Float, Float)? {
        let xs = [p[0], p[2], p[4], p[6]], ys = [p[1], p[3], p[5], p[7]]
        let box = (xs.min()! / width, ys.min()! / height, xs.max()! / width, ys.max()! / height)
        for v in [box.0, box.1, box.2, box.3] where v < -tolerance || v > 1 + tolerance {
            word.report("boundingBox", "polygon \(p) lies outside the page (width \(width), height \(height))")
            return nil
        }
        return (clamp(box.0), clamp(box.1), clamp(box.2), clamp(box.3))
    }

    @inline(__always) private static func clamp(_ v: Double) -> Float { Float(min(max(v, 0), 1)) }
}
