import Synchronization

/// A byte-level BPE tokenizer that reads and writes Hugging Face `tokenizer.json`, so that
/// Python `tokenizers` loads the same file and produces the same ids.
///
/// Encoding: special tokens are matched first (longest at the leftmost position), the text
/// between them is split by ``PreTokenizer``, and each piece's UTF-8 bytes are merged by rank.
/// Pieces seen before come from a word cache. Decoding concatenates token bytes and decodes
/// UTF-8 (invalid sequences become U+FFFD, as Rust's `from_utf8_lossy` does).
///
/// ```swift
/// let tokenizer = try BPETokenizer(contentsOf: URL(fileURLWithPath: "tokenizer.json"))
/// let ids = tokenizer.encode("What is the invoice total?")
/// tokenizer.decode(ids)   // "What is the invoice total?"
/// ```
public final class BPETokenizer: Sendable {
    /// Text of every token by id: the byte-level spelling for model tokens (`Ġthe`), the
    /// content for added tokens (`<pad>`).
    public let vocabulary: [String]
    /// Tokens matched in text before pre-tokenisation, in id order.
    public let addedTokens: [AddedToken]
    /// Merges in rank order.
    public let merges: [BPEMerge]
    public let preTokenizer: PreTokenizer

    /// Ids of the roles of ``SpecialTokens`` (nil when a loaded file lacks the token).
    public let paddingID: Int32
    public let endOfSequenceID: Int32
    public let startOfSequenceID: Int32?
    public let questionSeparatorID: Int32?
    public let ocrSeparatorID: Int32?
    public let imageSeparatorID: Int32?
    /// Ids of the summary-slot tokens `<page_0>`, `<page_1>`, … (as many as are consecutive from 0).
    public let pageSlotIDs: [Int32]

    /// Bytes each token decodes to.
    let tokenBytes: [[UInt8]]
    let isSpecial: [Bool]
    /// Token id of each single byte.
    let byteTokenIDs: [Int32]
    /// Pair key → rank << 32 | result id.
    let mergeTable: [UInt64: UInt64]
    let idOfText: [String: Int32]
    let matcher: SpecialTokenMatcher
    let state: Mutex<EncoderState>

    /// Number of token ids (model vocabulary plus added tokens).
    public var vocabularySize: Int { vocabulary.count }

    /// Builds a tokenizer from its parts, checking that they fit together.
    ///
    /// - `vocabulary[id]`: byte-level spelling of each model token, or the content of an added token;
    /// - `merges`: (left, right) spellings in rank order; their concatenation must be in the vocabulary;
    /// - `source`: the file name used in error messages.
    /// Throws ``DataError`` naming the field that does not fit.
    public init(vocabulary: [String], addedTokens: [AddedToken], merges: [(String, String)],
                preTokenizer: PreTokenizer, source: String = "tokenizer") throws {
        let n = vocabulary.count
        var isSpecial = [Bool](repeating: false, count: n)
        var isAdded = [Bool](repeating: false, count: n)
        for token in addedTokens {
            guard token.id >= 0 && Int(token.id) < n else {
                throw DataError(file: source, record: "added token \(token.content)", field: "id",
                                "\(token.id) is outside the vocabulary 0..<\(n)")
            }
            guard vocabulary[Int(token.id)] == token.content else {
                throw DataError(file: source, record: "added token \(token.content)", field: "content",
                                "id \(token.id) is \"\(vocabulary[Int(token.id)])\" in the vocabulary")
            }
            guard !token.content.isEmpty else {
                throw DataError(file: source, record: "added token \(token.id)", field: "content", "must not be empty")
            }
            isAdded[Int(token.id)] = true
            isSpecial[Int(token.id)] = token.special
        }
        var idOfText: [String: Int32] = [:]
        idOfText.reserveCapacity(n)
        var tokenBytes: [[UInt8]] = []
        tokenBytes.reserveCapacity(n)
        for (id, text) in vocabulary.enumerated() {
            if idOfText.updateValue(Int32(id), forKey: text) != nil {
                throw DataError(file: source, record: "token \(id)", field: "model.vocab", "\"\(text)\" appears twice")
            }
            if isAdded[id] {
                tokenBytes.append(Array(text.utf8))
            } else {
                guard let bytes = ByteLevelAlphabet.bytes(ofSpelling: text), !bytes.isEmpty else {
                    throw DataError(file: source, record: "token \(id)", field: "model.vocab",
                                    "\"\(text)\" is not spelled in the byte-level alphabet")
                }
                tokenBytes.append(bytes)
            }
        }
        var byteTokenIDs = [Int32](repeating: -1, count: 256)
        for b in 0..<256 {
            let spelling = String(ByteLevelAlphabet.scalarOfByte[b])
            guard let id = idOfText[spelling], !isAdded[Int(id)] else {
                throw DataError(file: source, record: "byte 0x\(String(b, radix: 16))", field: "model.vocab",
                                "the byte-level token \"\(spelling)\" is missing")
            }
            byteTokenIDs[b] = id
        }
        var mergeList: [BPEMerge] = []
        var mergeTable: [UInt64: UInt64] = [:]
        mergeList.reserveCapacity(merges.count)
        mergeTable.reserveCapacity(merges.count)
        for (rank, (left, right)) in merges.enumerated() {
            guard let l = idOfText[left], let r = idOfText[right], !isAdded[Int(l)], !isAdded[Int(r)] else {
                throw DataError(file: source, record: "merge \(rank)", field: "model.merges",
                                "\"\(left) \(right)\": a side is not a model token")
            }
            guard let result = idOfText[left + right], !isAdded[Int(result)] else {
                throw DataError(file: source, record: "merge \(rank)", field: "model.merges",
                                "\"\(left) \(right)\": the merged token \"\(left + right)\" is not in the vocabulary")
            }
            let key = BPEMerge.key(l, r)
            if mergeTable[key] == nil {  // the first (lowest-ranked) occurrence of a pair wins, as in HF
                mergeTable[key] = UInt64(rank) << 32 | UInt64(UInt32(result))
            }
            mergeList.append(BPEMerge(left: l, right: r, result: result))
        }
        guard let paddingID = idOfText[SpecialTokens.padding], isAdded[Int(paddingID)] else {
            throw DataError(file: source, field: "added_tokens", "the padding token \(SpecialTokens.padding) is missing")
        }
        guard let endOfSequenceID = idOfText[SpecialTokens.endOfSequence], isAdded[Int(endOfSequenceID)] else {
            throw DataError(file: source, field: "added_tokens", "the end-of-sequence token \(SpecialTokens.endOfSequence) is missing")
        }
        func role(_ content: String) -> Int32? {
            guard let id = idOfText[content], isAdded[Int(id)] else { return nil }
            return id
        }
        var pageSlotIDs: [Int32] = []
        while let id = role(SpecialTokens.pageSlot(pageSlotIDs.count)) { pageSlotIDs.append(id) }

        self.vocabulary = vocabulary
        self.addedTokens = addedTokens.sorted { $0.id < $1.id }
        self.merges = mergeList
        self.preTokenizer = preTokenizer
        self.paddingID = paddingID
        self.endOfSequenceID = endOfSequenceID
        self.startOfSequenceID = role(SpecialTokens.startOfSequence)
        self.questionSeparatorID = role(SpecialTokens.question)
        self.ocrSeparatorID = role(SpecialTokens.ocr)
        self.imageSeparatorID = role(SpecialTokens.image)
        self.pageSlotIDs = pageSlotIDs
        self.tokenBytes = tokenBytes
        self.isSpecial = isSpecial
        self.byteTokenIDs = byteTokenIDs
        self.mergeTable = mergeTable
        self.idOfText = idOfText
        self.matcher = SpecialTokenMatcher(addedTokens.map { ($0.id, $0.content) })
        self.state = Mutex(EncoderState())
    }

    /// The id of a token given by its text (a byte-level spelling such as `Ġthe`, or an added
    /// token's content such as `<pad>`), or nil.
    public func id(of token: String) -> Int32? { idOfText[token] }

    /// True for added tokens marked special (padding, separators, summary slots, …).
    public func isSpecialToken(_ id: Int32) -> Bool { id >= 0 && Int(id) < isSpecial.count && isSpecial[Int(id)] }

    // MARK: Encoding

    /// Token ids of `text` (no special tokens are added).
    public func encode(_ text: String) -> [Int32] {
        var ids: [Int32] = []
        encode(text, appendingTo: &ids)
        return ids
    }

    /// Appends the token ids of `text` to `ids`.
    public func encode(_ text: String, appendingTo ids: inout [Int32]) {
        var text = text
        text.withUTF8 { utf8 in
            // One encoder at a time uses the shared cache; a concurrent caller works without it.
            let done: Bool? = state.withLockIfAvailable { state in
                encode(utf8, into: &ids, state: &state)
                return true
            }
            if done == nil {
                var local = EncoderState(maxPieces: 1 << 12, maxPieceBytes: 1 << 16)
                encode(utf8, into: &ids, state: &local)
            }
        }
    }

    private func encode(_ utf8: UnsafeBufferPointer<UInt8>, into ids: inout [Int32], state: inout EncoderState) {
        var p = 0
        let end = utf8.count
        while p < end {
            let match = matcher.firstMatch(in: utf8, from: p, to: end)
            let segmentEnd = match?.start ?? end
            if segmentEnd > p {
                state.pieceEnds.removeAll(keepingCapacity: true)
                preTokenizer.split(utf8, from: p, to: segmentEnd, appendingEndsTo: &state.pieceEnds, scratch: &state.splitScratch)
                var start = p
                for k in 0..<state.pieceEnds.count {
                    let pieceEnd = state.pieceEnds[k]
                    encodePiece(UnsafeBufferPointer(rebasing: utf8[start..<pieceEnd]), into: &ids, state: &state)
                    start = pieceEnd
                }
            }
            guard let match else { break }
            ids.append(match.id)
            p = match.end
        }
    }

    /// BPE of one piece, through the cache.
    @inline(__always)
    private func encodePiece(_ piece: UnsafeBufferPointer<UInt8>, into ids: inout [Int32], state: inout EncoderState) {
        guard piece.count <= EncoderState.longestCachedPiece else {
            merge(piece, symbols: &state.symbols, ranks: &state.ranks)
            ids.append(contentsOf: state.symbols)
            return
        }
        let h = ByteStringTable.hash(piece)
        if let e = state.pieces.find(piece, hash: h) {
            ids.append(contentsOf: state.pieceIDs[state.pieceIDStarts[e]..<state.pieceIDStarts[e + 1]])
            return
        }
        merge(piece, symbols: &state.symbols, ranks: &state.ranks)
        ids.append(contentsOf: state.symbols)
        state.clearIfFull()
        _ = state.pieces.insert(piece, hash: h)
        state.pieceIDs.append(contentsOf: state.symbols)
        state.pieceIDStarts.append(state.pieceIDs.count)
    }

    /// Applies the merges to the bytes of `piece` (lowest rank first, leftmost among equals);
    /// the result is left in `symbols`.
    private func merge(_ piece: UnsafeBufferPointer<UInt8>, symbols: inout [Int32], ranks: inout [UInt64]) {
        symbols.removeAll(keepingCapacity: true)
        ranks.removeAll(keepingCapacity: true)
        for b in piece { symbols.append(byteTokenIDs[Int(b)]) }
        let none = UInt64.max
        @inline(__always) func rank(_ a: Int32, _ b: Int32) -> UInt64 { mergeTable[BPEMerge.key(a, b)] ?? none }
        for k in 0..<max(symbols.count - 1, 0) { ranks.append(rank(symbols[k], symbols[k + 1])) }
        while !ranks.isEmpty {
            // ranks[k] = rank << 32 | result of pair (symbols[k], symbols[k+1]); the minimum is the lowest rank.
            var best = 0
            for k in 1..<ranks.count where ranks[k] >> 32 < ranks[best] >> 32 { best = k }
            let packed = ranks[best]
            if packed == none { break }
            symbols[best] = Int32(truncatingIfNeeded: packed & 0xFFFF_FFFF)
            symbols.remove(at: best + 1)
            ranks.remove(at: best)
            if best > 0 { ranks[best - 1] = rank(symbols[best - 1], symbols[best]) }
            if best < ranks.count { ranks[best] = rank(symbols[best], symbols[best + 1]) }
        }
    }

    // MARK: Decoding

    /// The text of `ids`. Special tokens are dropped when `skipSpecialTokens` (like Python's
    /// `decode(ids, skip_special_tokens=True)`); ids outside the vocabulary (e.g. -100) are ignored.
    public func decode<C: Collection>(_ ids: C, skipSpecialTokens: Bool = true) -> String where C.Element == Int32 {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 4)
        for id in ids where id >= 0 && Int(id) < tokenBytes.count {
            if skipSpecialTokens && isSpecial[Int(id)] { continue }
            bytes.append(contentsOf: tokenBytes[Int(id)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The bytes token `id` stands for.
    public func bytes(of id: Int32) -> [UInt8] { tokenBytes[Int(id)] }
}
