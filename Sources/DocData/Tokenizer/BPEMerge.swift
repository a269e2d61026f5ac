/// One learned BPE merge: adjacent tokens `left` and `right` become `result` (ids).
/// A merge's rank is its position in the tokenizer's merge list; lower ranks apply first.
public struct BPEMerge: Equatable, Hashable, Sendable {
    public var left: Int32
    public var right: Int32
    public var result: Int32

    public init(left: Int32, right: Int32, result: Int32) {
        self.left = left
        self.right = right
        self.result = result
    }

    /// The key of the pair in merge tables.
    @inline(__always)
    static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }
}

/// A token that the tokenizer matches in text before pre-tokenisation (a Hugging Face
/// `added_token`); special ones are dropped by `decode(skipSpecialTokens: true)`.
public struct AddedToken: Equatable, Sendable {
    public var id: Int32
    public var content: String
    public var special: Bool

    public init(id: Int32, content: String, special: Bool = true) {
        self.id = id
        self.content = content
        self.special = special
    }
}
