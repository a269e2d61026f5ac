import RunSupport

/// Trains a byte-level BPE tokenizer, deterministically: the same texts (in any order) and
/// settings give the same vocabulary, merges and `tokenizer.json` bytes.
///
/// Texts are split exactly as the encoder splits them (special tokens, ``PreTokenizer``);
/// distinct pieces are counted; then, starting from the 256 byte tokens, the most frequent
/// adjacent pair is merged until the vocabulary is full or no pair occurs `minimumPairCount`
/// times. Ties go to the pair whose left token's bytes sort first, then the right token's.
///
/// ```swift
/// var trainer = try BPETrainer(vocabularySize: 4096, digits: .individual)
/// for question in questions { trainer.add(question.question) }
/// let tokenizer = trainer.train()
/// try tokenizer.save(to: URL(fileURLWithPath: "tokenizer.json"))
/// ```
public struct BPETrainer: Sendable {
    /// Total number of ids: special tokens + 256 byte tokens + merged tokens.
    public var vocabularySize: Int
    /// Pairs seen fewer times than this are never merged.
    public var minimumPairCount: Int
    public var specialTokens: SpecialTokens
    public var preTokenizer: PreTokenizer

    /// Distinct pieces of the texts added so far, and how often each occurred.
    private var pieces = ByteStringTable(capacity: 1 << 16)
    private var pieceCounts: [Int] = []
    private var scratch = PreTokenizer.Scratch()
    private var ends: [Int] = []
    private let matcher: SpecialTokenMatcher
    /// Bytes of text added so far.
    public private(set) var byteCount = 0

    public init(vocabularySize: Int = 4096, minimumPairCount: Int = 2, digits: DigitSplitting = .grouped,
                specialTokens: SpecialTokens = SpecialTokens()) throws {
        guard vocabularySize >= specialTokens.all.count + 256, vocabularySize <= 1 << 24 else {
            throw DataError(file: "tokenizer", field: "vocabulary size",
                            "\(vocabularySize): expected \(specialTokens.all.count + 256)…\(1 << 24) (\(specialTokens.all.count) special + 256 byte tokens at least)")
        }
        self.vocabularySize = vocabularySize
        self.minimumPairCount = max(1, minimumPairCount)
        self.specialTokens = specialTokens
        self.preTokenizer = PreTokenizer(digits: digits)
        self.matcher = SpecialTokenMatcher(specialTokens.all.enumerated().map { (Int32($0.offset), $0.element) })
    }

    /// Number of distinct pieces counted so far.
    public var distinctPieceCount: Int { pieces.count }

    /// Adds one text of the corpus (a question, an answer, the OCR words of a page joined by spaces).
    public mutating func add(_ text: String) {
        var text = text
        byteCount += text.utf8.count
        text.withUTF8 { utf8 in
            var p = 0
            while p < utf8.count {
                let match = matcher.firstMatch(in: utf8, from: p, to: utf8.count)
                let segmentEnd = match?.start ?? utf8.count
                ends.removeAll(keepingCapacity: true)
                preTokenizer.split(utf8, from: p, to: segmentEnd, appendingEndsTo: &ends, scratch: &scratch)
                var start = p
                for end in ends {
                    let piece = UnsafeBufferPointer(rebasing: utf8[start..<end])
                    let (index, inserted) = pieces.insert(piece, hash: ByteStringTable.hash(piece))
                    if inserted { pieceCounts.append(1) } else { pieceCounts[index] += 1 }
                    start = end
                }
                guard let match else { break }
                p = match.end
            }
        }
    }

    /// Learns the merges and returns the tokenizer. `progress` (optional) advances once per merge.
    public func train(progress: Progress? = nil) -> BPETokenizer {
        let special = specialTokens.all
        let firstByteID = Int32(special.count)
        // Token bytes by id; special tokens hold their content (they never take part in merges).
        var tokenBytes: [[UInt8]] = special.map { Array($0.utf8) }
        var idOfBytes: [[UInt8]: Int32] = [:]
        for b in 0..<256 {
            tokenBytes.append([UInt8(b)])
            idOfBytes[[UInt8(b)]] = firstByteID + Int32(b)
        }

        // Words as symbol sequences, with counts; pair statistics.
        var words: [[Int32]] = []
        words.reserveCapacity(pieces.count)
        for i in 0..<pieces.count { words.append(pieces.bytes(i).map { firstByteID + Int32($0) }) }
        let wordCounts = pieceCounts
        var pairCounts: [UInt64: Int] = [:]
        var pairWords: [UInt64: [Int32]] = [:]
        for (w, word) in words.enumerated() where word.count > 1 {
            for k in 0..<(word.count - 1) {
                let key = BPEMerge.key(word[k], word[k + 1])
                pairCounts[key, default: 0] += wordCounts[w]
                pairWords[key, default: []].append(Int32(w))
            }
        }
        var heap = PairHeap()
        for (key, count) in pairCounts { heap.push(PairHeap.Entry(count: count, key: key), tokenBytes) }

        var merges: [BPEMerge] = []
        var lastVisit = [Int](repeating: -1, count: words.count)
        var changed = Set<UInt64>()
        var vocabularyCount = tokenBytes.count
        while vocabularyCount < vocabularySize {
            // Pop until an entry's count is current (entries go stale as counts fall).
            var chosen: PairHeap.Entry?
            while let top = heap.pop(tokenBytes) {
                let current = pairCounts[top.key] ?? 0
                if current == top.count { chosen = top; break }
                if current > 0 { heap.push(PairHeap.Entry(count: current, key: top.key), tokenBytes) }
            }
            guard let best = chosen, best.count >= minimumPairCount else { break }
            let left = Int32(truncatingIfNeeded: best.key >> 32), right = Int32(truncatingIfNeeded: best.key & 0xFFFF_FFFF)
            let newBytes = tokenBytes[Int(left)] + tokenBytes[Int(right)]
            let newID: Int32
            if let existing = idOfBytes[newBytes] {
                newID = existing  // the same bytes reached by another merge: one token, two merges
            } else {
                newID = Int32(tokenBytes.count)
                tokenBytes.append(newBytes)
                idOfBytes[newBytes] = newID
                vocabularyCount += 1
            }
            merges.append(BPEMerge(left: left, right: right, result: newID))

            changed.removeAll(keepingCapacity: true)
            let stamp = merges.count
            for w32 in pairWords[best.key] ?? [] {
                let w = Int(w32)
                if lastVisit[w] == stamp { continue }
                lastVisit[w] = stamp
                Self.apply(left, right, newID, toWord: w, &words, count: wordCounts[w],
                           &pairCounts, &pairWords, &changed)
            }
            pairCounts[best.key] = nil
            pairWords[best.key] = nil
            for key in changed {
                if let count = pairCounts[key], count > 0 { heap.push(PairHeap.Entry(count: count, key: key), tokenBytes) }
            }
            progress?.advance()
        }

        let vocabulary = tokenBytes.enumerated().map { id, bytes in
            id < special.count ? special[id] : ByteLevelAlphabet.spell(bytes)
        }
        let spelledMerges = merges.map { (vocabulary[Int($0.left)], vocabulary[Int($0.right)]) }
        let added = special.enumerated().map { AddedToken(id: Int32($0.offset), content: $0.element, special: true) }
        do {
            return try BPETokenizer(vocabulary: vocabulary, addedTokens: added, merges: spelledMerges,
                                    preTokenizer: preTokenizer, source: "BPETrainer")
        } catch {
            preconditionFailure("BPETrainer built an inconsistent tokenizer: \(error)")
        }
    }

    /// Merges every non-overlapping (left, right) of word `w`, left to right, and updates the
    /// pair statistics: the word's old pairs are subtracted and its new pairs added; pairs that
    /// contain the new token are recorded in `changed` (their counts rose).
    private static func apply(_ left: Int32, _ right: Int32, _ newID: Int32, toWord w: Int, _ words: inout [[Int32]],
                              count: Int, _ pairCounts: inout [UInt64: Int], _ pairWords: inout [UInt64: [Int32]],
                              _ changed: inout Set<UInt64>) {
        let old = words[w]
        var merged: [Int32] = []
        merged.reserveCapacity(old.count)
        var k = 0
        var found = false
        while k < old.count {
            if k + 1 < old.count && old[k] == left && old[k + 1] == right {
                merged.append(newID)
                k += 2
                found = true
            } else {
                merged.append(old[k])
                k += 1
            }
        }
        guard found else { return }  // a stale entry in pairWords
        for k in 0..<(old.count - 1) {
            let key = BPEMerge.key(old[k], old[k + 1])
            pairCounts[key, default: 0] -= count
        }
        for k in 0..<max(merged.count - 1, 0) {
            let key = BPEMerge.key(merged[k], merged[k + 1])
            pairCounts[key, default: 0] += count
            if merged[k] == newID || merged[k + 1] == newID {
                changed.insert(key)
                if pairWords[key]?.last != Int32(w) { pairWords[key, default: []].append(Int32(w)) }
            }
        }
        words[w] = merged
    }
}

/// A max-heap of (count, pair) with the trainer's deterministic order: higher count first, then
/// the pair whose left token's bytes sort first, then the right token's, then the lower ids.
struct PairHeap {
    struct Entry {
        var count: Int
        var key: UInt64
    }

    private var entries: [Entry] = []

    /// True when `a` comes before `b`.
    @inline(__always)
    static func before(_ a: Entry, _ b: Entry, _ tokenBytes: [[UInt8]]) -> Bool {
        if a.count != b.count { return a.count > b.count }
        if a.key == b.key { return false }
        let al = Int(a.key >> 32), ar = Int(a.key & 0xFFFF_FFFF)
        let bl = Int(b.key >> 32), br = Int(b.key & 0xFFFF_FFFF)
        if al != bl {
            let x = tokenBytes[al], y = tokenBytes[bl]
            if x != y { return x.lexicographicallyPrecedes(y) }
        }
        if ar != br {
            let x = tokenBytes[ar], y = tokenBytes[br]
            if x != y { return x.lexicographicallyPrecedes(y) }
        }
        return a.key < b.key
    }

    mutating func push(_ entry: Entry, _ tokenBytes: [[UInt8]]) {
        entries.append(entry)
        var i = entries.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard Self.before(entries[i], entries[parent], tokenBytes) else { break }
            entries.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop(_ tokenBytes: [[UInt8]]) -> Entry? {
        guard let top = entries.first else { return nil }
        let last = entries.removeLast()
        if entries.isEmpty { return top }
        entries[0] = last
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var best = i
            if l < entries.count && Self.before(entries[l], entries[best], tokenBytes) { best = l }
            if r < entries.count && Self.before(entries[r], entries[best], tokenBytes) { best = r }
            if best == i { break }
            entries.swapAt(i, best)
            i = best
        }
        return top
    }
}
