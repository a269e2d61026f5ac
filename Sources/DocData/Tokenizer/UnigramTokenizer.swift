import Synchronization

/// A SentencePiece tokenizer as T5 / Flan-T5 ship it in a Hugging Face `tokenizer.json`: added
/// tokens, a normalizer (``TextNormalizer``: the `Precompiled` charsmap, `Strip`, `Replace`), a
/// pre-tokenizer (``SentencePiecePreTokenizer``: `WhitespaceSplit`, ``Metaspace``), the
/// ``UnigramModel``, T5's post-processor (a template appending `</s>`) and a Metaspace decoder.
/// Encoding gives the ids Python `tokenizers` gives for the same file (README, "Data").
///
/// Encoding follows `tokenizers`: added tokens with `normalized: false` are cut out of the raw
/// text first (longest at the leftmost position); each stretch between them is normalised, then
/// cut at the added tokens with `normalized: true` (matched in their normalised spelling); the rest
/// is pre-tokenised and segmented by the model.
///
/// ```swift
/// let t5 = try UnigramTokenizer(contentsOf: URL(fileURLWithPath: "t5/tokenizer.json"))
/// t5.encode("Total due", addingSpecialTokens: true)   // […, 1]  (</s>)
/// let hiVT5 = t5.addingTokens((0..<20).map { "[PAGE_\($0)]" })
/// ```
public final class UnigramTokenizer: Sendable {
    /// One item of the post-processor's single-sequence template.
    public enum TemplateItem: Sendable, Equatable {
        /// The encoded text (`$A`).
        case sequence
        /// A special token: its name in the template and the ids it stands for.
        case special(String, ids: [Int32])
    }

    public let model: UnigramModel
    public let normalizer: TextNormalizer?
    public let preTokenizer: SentencePiecePreTokenizer?
    /// Added tokens in id order.
    public let addedTokens: [AddedToken]
    /// Per added token: matched in normalised text (`normalized: true`) rather than raw text.
    public let addedTokenIsNormalized: [Bool]
    /// The single-sequence template, or nil for no post-processor.
    public let template: [TemplateItem]?
    /// The pair template as read (kept for writing the file back).
    public let pairTemplate: [String]?
    /// The Metaspace decoder, or nil (tokens joined by spaces, as HF does without a decoder).
    public let decoder: Metaspace?

    public let paddingID: Int32
    public let endOfSequenceID: Int32
    /// Number of token ids (model pieces plus added tokens beyond them).
    public let vocabularySize: Int
    /// The added tokens `<page_0>`, `<page_1>`, … consecutive from 0 (Hi-VT5's summary slots;
    /// none in a T5 file until ``addingTokens(_:special:normalized:)`` adds them).
    public let pageSlotIDs: [Int32]
    /// The added tokens `<question>` and `<ocr>` when the file has them (T5's has neither).
    public let questionSeparatorID: Int32?
    public let ocrSeparatorID: Int32?
    /// Always nil: T5-family decoders start from the padding id (`decoder_start_token_id`).
    public var startOfSequenceID: Int32? { nil }

    /// Text of every id: the piece for model ids, the content for added ids.
    let tokenText: [String]
    let idOfText: [String: Int32]
    let specialContents: Set<String>
    let rawMatcher: SpecialTokenMatcher
    let normalizedMatcher: SpecialTokenMatcher
    let hasNormalizedTokens: Bool
    let scratch: Mutex<Scratch>

    struct Scratch {
        var lattice = UnigramModel.Lattice()
        var pieces: [UInt8] = []
        var ends: [Int] = []
    }

    /// Builds a tokenizer from parts. Added tokens either reuse a model id (their content must be
    /// that piece) or take the ids after the model's, consecutively. Throws ``DataError`` naming
    /// `source` and the field that does not fit.
    public init(model: UnigramModel, normalizer: TextNormalizer?, preTokenizer: SentencePiecePreTokenizer?,
                addedTokens: [AddedToken], addedTokenIsNormalized: [Bool], template: [TemplateItem]?,
                pairTemplate: [String]? = nil, decoder: Metaspace?, source: String = "tokenizer") throws {
        precondition(addedTokens.count == addedTokenIsNormalized.count)
        let order = addedTokens.indices.sorted { addedTokens[$0].id < addedTokens[$1].id }
        let added = order.map { addedTokens[$0] }, isNormalized = order.map { addedTokenIsNormalized[$0] }
        var text = model.pieces
        for token in added {
            let field = "added_tokens (\(token.content))"
            guard !token.content.isEmpty else { throw DataError(file: source, field: field, "content must not be empty") }
            if Int(token.id) < model.pieces.count {
                guard token.id >= 0, model.pieces[Int(token.id)] == token.content else {
                    throw DataError(file: source, field: field, "id \(token.id) is the piece \"\(token.id >= 0 ? model.pieces[Int(token.id)] : "")\" in model.vocab")
                }
            } else {
                guard Int(token.id) == text.count else {
                    throw DataError(file: source, field: field, "id \(token.id): expected \(text.count) (added ids follow the model's without gaps)")
                }
                text.append(token.content)
            }
        }
        var idOfText: [String: Int32] = [:]
        for (id, t) in text.enumerated() { idOfText[t] = Int32(id) }  // last wins, as HF's map
        for token in added { idOfText[token.content] = token.id }
        guard let pad = added.first(where: { $0.content == SpecialTokens.padding }) else {
            throw DataError(file: source, field: "added_tokens", "the padding token \(SpecialTokens.padding) is missing")
        }
        guard let eos = added.first(where: { $0.content == SpecialTokens.endOfSequence }) else {
            throw DataError(file: source, field: "added_tokens", "the end-of-sequence token \(SpecialTokens.endOfSequence) is missing")
        }
        self.model = model
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.addedTokens = added
        self.addedTokenIsNormalized = isNormalized
        self.template = template
        self.pairTemplate = pairTemplate
        self.decoder = decoder
        self.paddingID = pad.id
        self.endOfSequenceID = eos.id
        self.vocabularySize = text.count
        let addedIDs = Dictionary(added.map { ($0.content, $0.id) }, uniquingKeysWith: { _, last in last })
        var slots: [Int32] = []
        while let id = addedIDs[SpecialTokens.pageSlot(slots.count)] { slots.append(id) }
        self.pageSlotIDs = slots
        self.questionSeparatorID = addedIDs[SpecialTokens.question]
        self.ocrSeparatorID = addedIDs[SpecialTokens.ocr]
        self.tokenText = text
        self.idOfText = idOfText
        self.specialContents = Set(added.filter(\.special).map(\.content))
        self.rawMatcher = SpecialTokenMatcher(zip(added, isNormalized).filter { !$0.1 }.map { ($0.0.id, $0.0.content) })
        // Normalised tokens are matched in their normalised spelling (HF's normalized_cache).
        self.normalizedMatcher = SpecialTokenMatcher(zip(added, isNormalized).filter { $0.1 }.compactMap { token, _ in
            let spelled = normalizer?.normalize(token.content).text ?? token.content
            return spelled.isEmpty ? nil : (token.id, spelled)
        })
        self.hasNormalizedTokens = isNormalized.contains(true)
        self.scratch = Mutex(Scratch())
    }

    /// This tokenizer with `contents` added as tokens (e.g. Hi-VT5's `[PAGE_0]…`): a content that is
    /// already a token keeps its id, the others get the next ids, in order.
    public func addingTokens(_ contents: [String], special: Bool = true, normalized: Bool = false) -> UnigramTokenizer {
        var tokens = addedTokens, flags = addedTokenIsNormalized
        var next = Int32(vocabularySize)
        var seen = Set(addedTokens.map(\.content))
        for content in contents where !content.isEmpty && !seen.contains(content) {
            seen.insert(content)
            let id: Int32
            if let existing = idOfText[content] { id = existing } else { id = next; next += 1 }
            tokens.append(AddedToken(id: id, content: content, special: special))
            flags.append(normalized)
        }
        // The parts already fit together; only the new tokens are checked again.
        return try! UnigramTokenizer(model: model, normalizer: normalizer, preTokenizer: preTokenizer,
                                     addedTokens: tokens, addedTokenIsNormalized: flags, template: template,
                                     pairTemplate: pairTemplate, decoder: decoder)
    }

    /// The id of a token given by its text (a piece such as `▁the`, or an added token's content).
    public func id(of token: String) -> Int32? { idOfText[token] }

    /// The text of token `id` (piece or added content), or nil outside the vocabulary.
    public func token(of id: Int32) -> String? { id >= 0 && Int(id) < tokenText.count ? tokenText[Int(id)] : nil }

    /// True for added tokens marked special (`<pad>`, `</s>`, `<unk>`, `<extra_id_N>`, …).
    public func isSpecialToken(_ id: Int32) -> Bool { token(of: id).map(specialContents.contains) ?? false }

    // MARK: Encoding

    /// Token ids of `text`, without the post-processor's tokens.
    public func encode(_ text: String) -> [Int32] {
        var ids: [Int32] = []
        encode(text, appendingTo: &ids)
        return ids
    }

    /// Token ids of `text`; with `addingSpecialTokens` the post-processor's template is applied
    /// (T5: `</s>` appended), as Python's `encode(text)` does by default.
    public func encode(_ text: String, addingSpecialTokens: Bool) -> [Int32] {
        let ids = encode(text)
        guard addingSpecialTokens, let template else { return ids }
        var out: [Int32] = []
        out.reserveCapacity(ids.count + 2)
        for item in template {
            switch item {
            case .sequence: out.append(contentsOf: ids)
            case .special(_, let special): out.append(contentsOf: special)
            }
        }
        return out
    }

    /// Appends the token ids of `text` to `ids` (no post-processor).
    public func encode(_ text: String, appendingTo ids: inout [Int32]) {
        let done: Bool? = scratch.withLockIfAvailable { scratch in
            encode(text, into: &ids, scratch: &scratch)
            return true
        }
        if done == nil {
            var local = Scratch()
            encode(text, into: &ids, scratch: &local)
        }
    }

    private func encode(_ text: String, into ids: inout [Int32], scratch: inout Scratch) {
        var text = text
        text.withUTF8 { utf8 in
            var p = 0
            while p < utf8.count {
                let match = rawMatcher.firstMatch(in: utf8, from: p, to: utf8.count)
                let end = match?.start ?? utf8.count
                if end > p {
                    let segment = String(decoding: UnsafeBufferPointer(rebasing: utf8[p..<end]), as: UTF8.self)
                    encodeSegment(segment, atStart: p == 0, into: &ids, scratch: &scratch)
                }
                guard let match else { break }
                ids.append(match.id)
                p = match.end
            }
        }
    }

    /// Normalises a stretch between raw-matched added tokens, cuts it at normalised added tokens,
    /// and encodes the rest.
    private func encodeSegment(_ segment: String, atStart: Bool, into ids: inout [Int32], scratch: inout Scratch) {
        var normalized = segment
        var moved = false
        if let normalizer { (normalized, moved) = normalizer.normalize(segment) }
        normalized.withUTF8 { utf8 in
            var p = 0
            while p < utf8.count {
                let match = hasNormalizedTokens ? normalizedMatcher.firstMatch(in: utf8, from: p, to: utf8.count) : nil
                let end = match?.start ?? utf8.count
                if end > p {
                    encodeWords(UnsafeBufferPointer(rebasing: utf8[p..<end]), atStart: atStart && p == 0 && !moved,
                                into: &ids, scratch: &scratch)
                }
                guard let match else { break }
                ids.append(match.id)
                p = match.end
            }
        }
    }

    private func encodeWords(_ text: UnsafeBufferPointer<UInt8>, atStart: Bool, into ids: inout [Int32], scratch: inout Scratch) {
        guard let preTokenizer else {
            model.encode(text, 0..<text.count, into: &ids, lattice: &scratch.lattice)
            return
        }
        scratch.pieces.removeAll(keepingCapacity: true)
        scratch.ends.removeAll(keepingCapacity: true)
        preTokenizer.split(Array(text), atStart: atStart, out: &scratch.pieces, ends: &scratch.ends)
        let ends = scratch.ends
        scratch.pieces.withUnsafeBufferPointer { pieces in
            var start = 0
            for end in ends {
                model.encode(pieces, start..<end, into: &ids, lattice: &scratch.lattice)
                start = end
            }
        }
    }

    // MARK: Decoding

    /// The text of `ids` as Python's `decode(ids, skip_special_tokens=…)` gives it: token texts
    /// (special ones dropped when `skipSpecialTokens`, unknown ids ignored) through the decoder.
    public func decode<C: Collection>(_ ids: C, skipSpecialTokens: Bool = true) -> String where C.Element == Int32 {
        var tokens: [String] = []
        tokens.reserveCapacity(ids.count)
        for id in ids {
            guard let text = token(of: id) else { continue }
            if skipSpecialTokens && specialContents.contains(text) { continue }
            tokens.append(text)
        }
        guard let decoder else { return tokens.joined(separator: " ") }
        return decoder.decode(tokens)
    }
}
