/// The special tokens of the tokenizer, in id order from 0: padding `<pad>` (id 0), end of
/// sequence `</s>`, start of sequence `<s>` (decoder start), the segment separators
/// `<question>`, `<ocr>`, `<image>`, then the K summary-slot tokens `<page_0>` … `<page_{K-1}>`.
///
/// They are Hugging Face `added_tokens` with `special: true`, so Python's `tokenizers` matches
/// them in text (longest first) and skips them when decoding with `skip_special_tokens`.
///
/// ```swift
/// SpecialTokens(pageSlotCount: 2).all
/// // ["<pad>", "</s>", "<s>", "<question>", "<ocr>", "<image>", "<page_0>", "<page_1>"]
/// ```
public struct SpecialTokens: Sendable, Equatable {
    public static let padding = "<pad>"
    public static let endOfSequence = "</s>"
    public static let startOfSequence = "<s>"
    public static let question = "<question>"
    public static let ocr = "<ocr>"
    public static let image = "<image>"
    /// The fixed tokens before the page slots, in id order.
    public static let fixed = [padding, endOfSequence, startOfSequence, question, ocr, image]

    /// Number of summary-slot tokens K.
    public var pageSlotCount: Int

    public init(pageSlotCount: Int = 32) {
        precondition(pageSlotCount >= 0, "SpecialTokens: pageSlotCount must be ≥ 0, got \(pageSlotCount)")
        self.pageSlotCount = pageSlotCount
    }

    /// The content of summary-slot token `i`.
    public static func pageSlot(_ i: Int) -> String { "<page_\(i)>" }

    /// Every special token in id order.
    public var all: [String] { Self.fixed + (0..<pageSlotCount).map(Self.pageSlot) }
}
