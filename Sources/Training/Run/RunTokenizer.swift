import DocData
import Foundation

/// A run's `tokenizer.json` as training, evaluation and cache building use it (README
/// "Hugging Face T5 import and export"): MPVQA's BPE as it is, or a SentencePiece Unigram
/// tokenizer (an imported T5's) with Hi-VT5's summary-slot tokens `<page_0>…<page_{K−1}>`
/// added at the next free ids when the file lacks them. The added ids must lie below the
/// model's vocabulary size (T5 pads its vocabulary, 32,100 tokens in 32,128 rows), which
/// `RunPreparation.modelConfiguration(tokenizer:)` checks.
///
/// ```swift
/// let tokenizer = try RunTokenizer.load(run.tokenizer, settings: settings)   // BPE or Unigram
/// let builders = try preparation.batchBuilders(tokenizer: tokenizer)
/// ```
public enum RunTokenizer {
    /// Loads `url` (BPE or Unigram, by `model.type`) with the summary slots `settings` needs.
    /// Throws naming the file and field when it cannot be read.
    public static func load(_ url: URL, settings: RunSettings) throws -> any TextTokenizer {
        try withSummarySlots(try loadAnyTokenizer(from: url), count: settings.encoder.summaryTokens)
    }

    /// `tokenizer` with `<page_0>…<page_{count−1}>`: a Unigram tokenizer gets the missing ones
    /// appended (ids after its last); a BPE one is returned unchanged (MPVQA trains its slots in,
    /// and `BatchBuilder` names a shortfall).
    public static func withSummarySlots(_ tokenizer: any TextTokenizer, count: Int) -> any TextTokenizer {
        guard let unigram = tokenizer as? UnigramTokenizer, unigram.pageSlotIDs.count < count else { return tokenizer }
        return unigram.addingTokens((unigram.pageSlotIDs.count..<count).map(SpecialTokens.pageSlot))
    }
}
