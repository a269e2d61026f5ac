/// Finds special tokens in UTF-8 text the way Hugging Face `tokenizers` splits on added tokens:
/// scanning left to right, the longest token starting at the leftmost position wins.
struct SpecialTokenMatcher: Sendable {
    /// Token bytes grouped by first byte, longest first; `candidates[b]` is empty for most bytes.
    private let candidates: [[(id: Int32, bytes: [UInt8])]]

    /// `tokens`: (id, content) pairs; contents must be non-empty.
    init(_ tokens: [(id: Int32, content: String)]) {
        var byFirst = [[(id: Int32, bytes: [UInt8])]](repeating: [], count: 256)
        for (id, content) in tokens {
            let bytes = Array(content.utf8)
            precondition(!bytes.isEmpty, "SpecialTokenMatcher: empty special token (id \(id))")
            byFirst[Int(bytes[0])].append((id, bytes))
        }
        for b in 0..<256 {
            byFirst[b].sort { $0.bytes.count != $1.bytes.count ? $0.bytes.count > $1.bytes.count : $0.id < $1.id }
        }
        candidates = byFirst
    }

    /// The first special token in `utf8[from..<to]`: its id and byte range, or nil.
    @inline(__always)
    func firstMatch(in utf8: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> (id: Int32, start: Int, end: Int)? {
        var p = from
        while p < to {
            let list = candidates[Int(utf8[p])]
            if !list.isEmpty {
                for candidate in list where candidate.bytes.count <= to - p {
                    var equal = true
                    for k in 1..<candidate.bytes.count where utf8[p + k] != candidate.bytes[k] {
                        equal = false
                        break
                    }
                    if equal { return (candidate.id, p, p + candidate.bytes.count) }
                }
            }
            p += 1
        }
        return nil
    }
}
