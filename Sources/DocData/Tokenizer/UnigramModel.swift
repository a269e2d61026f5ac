/// The SentencePiece unigram model as Hugging Face `tokenizers` runs it (`Unigram`, optimised
/// Viterbi): the best-scoring segmentation of a piece into vocabulary pieces, where a character
/// no piece covers on its own costs `min(score) - 10` as the unknown piece; consecutive unknown
/// characters are fused into one unknown token (HF always fuses), and with `byteFallback` an
/// unknown stretch becomes its `<0xXX>` byte pieces when all of them exist.
///
/// Viterbi is O(bytes · longest piece): pieces are walked in a byte trie from each character start.
public struct UnigramModel: Sendable {
    /// Piece text and log-probability score by id.
    public let pieces: [String]
    public let scores: [Double]
    public let unknownID: Int32
    public let byteFallback: Bool

    /// Trie: child of (node, byte) in `children[node << 8 | byte]`; `leafID[node]` is the id of the
    /// piece ending there (the last id with that text, as HF's map keeps), or -1.
    private let children: [UInt64: Int32]
    private let leafID: [Int32]
    /// Per trie node, the score of its piece (avoids a second lookup in the Viterbi loop).
    private let leafScore: [Double]
    private let unknownScore: Double
    /// Id of `<0xXX>` per byte, or -1.
    private let byteIDs: [Int32]

    /// `unknownID` must index `pieces`; scores and pieces have equal counts (checked by the loader).
    public init(pieces: [String], scores: [Double], unknownID: Int32, byteFallback: Bool) {
        precondition(pieces.count == scores.count && unknownID >= 0 && Int(unknownID) < pieces.count)
        var children: [UInt64: Int32] = [:]
        var leafID: [Int32] = [-1]
        var leafScore: [Double] = [0]
        for (id, piece) in pieces.enumerated() {
            var node: Int32 = 0
            for b in piece.utf8 {
                let key = UInt64(node) << 8 | UInt64(b)
                if let child = children[key] {
                    node = child
                } else {
                    let child = Int32(leafID.count)
                    leafID.append(-1)
                    leafScore.append(0)
                    children[key] = child
                    node = child
                }
            }
            if node != 0 {
                leafID[Int(node)] = Int32(id)
                leafScore[Int(node)] = scores[id]
            }
        }
        var byteIDs = [Int32](repeating: -1, count: 256)
        for b in 0..<256 {
            let hex = String(b, radix: 16, uppercase: true)
            let text = "<0x" + (hex.count == 1 ? "0" + hex : hex) + ">"
            var node: Int32 = 0
            var found = true
            for c in text.utf8 {
                guard let child = children[UInt64(node) << 8 | UInt64(c)] else { found = false; break }
                node = child
            }
            if found { byteIDs[b] = leafID[Int(node)] }
        }
        self.pieces = pieces
        self.scores = scores
        self.unknownID = unknownID
        self.byteFallback = byteFallback
        self.children = children
        self.leafID = leafID
        self.leafScore = leafScore
        self.unknownScore = (scores.min() ?? 0) - 10
        self.byteIDs = byteIDs
    }

    /// The id of the piece spelled exactly `bytes[range]`, or nil.
    func id(of bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int32? {
        var node: Int32 = 0
        for p in range {
            guard let child = children[UInt64(node) << 8 | UInt64(bytes[p])] else { return nil }
            node = child
        }
        let id = leafID[Int(node)]
        return id >= 0 ? id : nil
    }

    /// Scratch buffers of one encoding call.
    struct Lattice {
        var score: [Double] = []
        var start: [Int] = []
        var id: [Int32] = []
    }

    /// Appends the ids of one pre-tokenised piece (`bytes[range]`, valid UTF-8).
    func encode(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into ids: inout [Int32], lattice: inout Lattice) {
        let n = range.count
        guard n > 0 else { return }
        let base = range.lowerBound
        lattice.score.removeAll(keepingCapacity: true)
        lattice.start.removeAll(keepingCapacity: true)
        lattice.id.removeAll(keepingCapacity: true)
        lattice.score.append(contentsOf: repeatElement(0, count: n + 1))
        lattice.start.append(contentsOf: repeatElement(-1, count: n + 1))
        lattice.id.append(contentsOf: repeatElement(0, count: n + 1))
        lattice.score.withUnsafeMutableBufferPointer { score in
        lattice.start.withUnsafeMutableBufferPointer { start in
        lattice.id.withUnsafeMutableBufferPointer { best in
            var s = 0
            while s < n {
                let here = score[s]
                let charLength = UTF8Scalars.length(leadByte: bytes[base + s])
                var hasSingle = false
                var node: Int32 = 0
                var e = s
                // Pieces starting at s, shortest first; ties keep the first (HF's strict >).
                while e < n, let child = children[UInt64(node) << 8 | UInt64(bytes[base + e])] {
                    node = child
                    e += 1
                    let id = leafID[Int(node)]
                    if id >= 0 {
                        let candidate = here + leafScore[Int(node)]
                        if start[e] < 0 || candidate > score[e] {
                            score[e] = candidate
                            start[e] = s
                            best[e] = id
                        }
                        if e - s == charLength { hasSingle = true }
                    }
                }
                if !hasSingle {
                    let e = s + charLength
                    let candidate = here + unknownScore
                    if start[e] < 0 || candidate > score[e] {
                        score[e] = candidate
                        start[e] = s
                        best[e] = unknownID
                    }
                }
                s += charLength
            }
        }}}
        // Back-track, then emit in order; consecutive unknown nodes are fused into one token.
        let first = ids.count
        var e = n
        var unknownEnd = -1
        while e > 0 {
            let s = lattice.start[e]
            let id = lattice.id[e]
            if id == unknownID {
                if unknownEnd < 0 { unknownEnd = e }
            } else {
                if unknownEnd >= 0 { appendUnknown(bytes, (base + e)..<(base + unknownEnd), into: &ids); unknownEnd = -1 }
                ids.append(id)
            }
            e = s
        }
        if unknownEnd >= 0 { appendUnknown(bytes, base..<(base + unknownEnd), into: &ids) }
        ids[first...].reverse()
    }

    /// A fused unknown stretch: its own id if the text is a piece, else its bytes' pieces (reversed,
    /// since the caller reverses) with byte fallback, else the unknown id.
    private func appendUnknown(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into ids: inout [Int32]) {
        if let id = id(of: bytes, range) { ids.append(id); return }
        if byteFallback && range.allSatisfy({ byteIDs[Int(bytes[$0])] >= 0 }) {
            for p in range.reversed() { ids.append(byteIDs[Int(bytes[p])]) }
            return
        }
        ids.append(unknownID)
    }
}
