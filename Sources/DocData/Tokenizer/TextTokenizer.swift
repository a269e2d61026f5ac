import Foundation
import RunSupport

/// What the rest of MPVQA needs from a tokenizer, whichever kind a `tokenizer.json` holds: the
/// byte-level ``BPETokenizer`` MPVQA trains, or the SentencePiece ``UnigramTokenizer`` of T5 /
/// Flan-T5 (README, "Data").
public protocol TextTokenizer: AnyObject, Sendable {
    /// `"BPE"` or `"Unigram"` (the file's `model.type`).
    var modelType: String { get }
    /// Number of token ids.
    var vocabularySize: Int { get }
    var paddingID: Int32 { get }
    var endOfSequenceID: Int32 { get }
    /// First decoder input, or nil for the padding id (T5's convention).
    var startOfSequenceID: Int32? { get }
    /// `<question>` before the prompt of an encoder row, or nil for none.
    var questionSeparatorID: Int32? { get }
    /// `<ocr>` before the OCR tokens of an encoder row, or nil for none.
    var ocrSeparatorID: Int32? { get }
    /// Ids of the summary-slot tokens `<page_0>`, `<page_1>`, … (as many as are consecutive from 0).
    var pageSlotIDs: [Int32] { get }
    /// Token ids of `text`, without post-processor tokens.
    func encode(_ text: String) -> [Int32]
    /// Appends the token ids of `text` (without post-processor tokens).
    func encode(_ text: String, appendingTo ids: inout [Int32])
    /// Token ids with the file's post-processor applied when `addingSpecialTokens` (T5 appends
    /// `</s>`; MPVQA's BPE files have none), as Python's `encode(text)`.
    func encode(_ text: String, addingSpecialTokens: Bool) -> [Int32]
    /// The text of `ids`, as Python's `decode(ids, skip_special_tokens=…)`.
    func decode<C: Collection>(_ ids: C, skipSpecialTokens: Bool) -> String where C.Element == Int32
    /// The id of a token given by its text, or nil.
    func id(of token: String) -> Int32?
    /// The text of token `id` as the file spells it (`Ġthe`, `▁the`, `<pad>`), or nil.
    func token(of id: Int32) -> String?
    /// True for added tokens marked special.
    func isSpecialToken(_ id: Int32) -> Bool
    /// The `tokenizer.json` text.
    func jsonText() -> String
}

extension TextTokenizer {
    /// Writes `tokenizer.json` atomically.
    public func write(to url: URL) throws { try AtomicFile.write(jsonText(), to: url) }
}

extension BPETokenizer: TextTokenizer {
    public var modelType: String { "BPE" }
    public func token(of id: Int32) -> String? { id >= 0 && Int(id) < vocabulary.count ? vocabulary[Int(id)] : nil }
    /// MPVQA's BPE files have no post-processor: the same ids either way.
    public func encode(_ text: String, addingSpecialTokens: Bool) -> [Int32] { encode(text) }
}

extension UnigramTokenizer: TextTokenizer {
    public var modelType: String { "Unigram" }
}

/// Loads a `tokenizer.json` of either kind, choosing by its `model.type`: `"BPE"` gives a
/// ``BPETokenizer``, `"Unigram"` a ``UnigramTokenizer``. Throws ``DataError`` naming the file and
/// field when the file cannot be read, is not JSON, has another model type, or holds a part the
/// tokenizer cannot reproduce exactly.
///
/// ```swift
/// let tokenizer = try loadAnyTokenizer(from: runDirectory.appendingPathComponent("tokenizer.json"))
/// let ids = tokenizer.encode("Total due", addingSpecialTokens: true)
/// ```
public func loadAnyTokenizer(from url: URL) throws -> any TextTokenizer {
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
        throw DataError(file: url.path, "cannot read: \(FileSystemError.reason(of: error) ?? error.localizedDescription)")
    }
    let parsed: Any
    do { parsed = try JSONSerialization.jsonObject(with: data) } catch {
        throw DataError(file: url.path, "not valid JSON: \(error.localizedDescription)")
    }
    let r = JSONFieldReader(file: url.path)
    let model = try r.object(try r.object(parsed, "")["model"], "model")
    // MPVQA's BPE files may omit model.type (tokenizers writes it, older files may not).
    let type = try model["type"].map { try r.string($0, "model.type") } ?? "BPE"
    switch type {
    case "BPE": return try BPETokenizer(jsonData: data, source: url.path)
    case "Unigram": return try UnigramTokenizer(jsonData: data, source: url.path)
    default: throw r.error("model.type", "expected \"BPE\" or \"Unigram\", found \"\(type)\"")
    }
}
