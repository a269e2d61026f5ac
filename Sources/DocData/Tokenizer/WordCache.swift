/// The encoder's memory between calls: BPE results of pieces seen before (most pieces of real
/// text repeat), plus the scratch buffers of one encode call. Cleared when it grows past its limits.
struct EncoderState: Sendable {
    /// Distinct pieces seen (byte strings).
    var pieces = ByteStringTable(capacity: 1 << 14)
    /// Token ids of piece `i` are `pieceIDs[pieceIDStarts[i]..<pieceIDStarts[i + 1]]`.
    var pieceIDStarts: [Int] = [0]
    var pieceIDs: [Int32] = []
    /// Limits after which the cache starts over (bounded memory on huge corpora).
    let maxPieces: Int
    let maxPieceBytes: Int

    // Scratch of one encode call.
    var splitScratch = PreTokenizer.Scratch()
    var pieceEnds: [Int] = []
    var symbols: [Int32] = []
    var ranks: [UInt64] = []

    init(maxPieces: Int = 1 << 18, maxPieceBytes: Int = 16 << 20) {
        self.maxPieces = maxPieces
        self.maxPieceBytes = maxPieceBytes
    }

    /// Only pieces up to this many bytes are cached (long runs of symbols rarely repeat).
    static let longestCachedPiece = 64

    mutating func clearIfFull() {
        if pieces.count >= maxPieces || pieces.byteCount >= maxPieceBytes {
            pieces.removeAll()
            pieceIDStarts.removeAll(keepingCapacity: true)
            pieceIDStarts.append(0)
            pieceIDs.removeAll(keepingCapacity: true)
        }
    }
}
