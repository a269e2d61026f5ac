/// What a cache file holds, as recorded in its root attributes: the shape and type of a
/// summary and the settings that produced it.
///
/// ```swift
/// let header = FeatureCacheHeader(summaryTokens: 8, modelDim: 256, dtype: .float16,
///                                 encoderHash: key.encoderHash, promptTemplate: "question: {question}",
///                                 split: "val", cacheKey: key.digest)
/// ```
public struct FeatureCacheHeader: Sendable, Equatable {
    /// K: summary tokens per (question, page).
    public var summaryTokens: Int
    /// d: width of one summary token.
    public var modelDim: Int
    public var dtype: FeatureDType
    /// Identifies the encoder weights (for MPVQA: SHA-256 hex of the weights).
    public var encoderHash: String
    public var promptTemplate: String
    /// Optional `split` attribute.
    public var split: String?
    /// Optional `cache_key` attribute: the full digest of the `FeatureCacheKey`.
    public var cacheKey: String?
    /// Optional `tokenizer_hash` attribute: the tokenizer whose ids `slot_tokens` holds.
    public var tokenizerHash: String?

    public init(summaryTokens: Int, modelDim: Int, dtype: FeatureDType, encoderHash: String, promptTemplate: String,
                split: String? = nil, cacheKey: String? = nil, tokenizerHash: String? = nil) {
        self.summaryTokens = summaryTokens
        self.modelDim = modelDim
        self.dtype = dtype
        self.encoderHash = encoderHash
        self.promptTemplate = promptTemplate
        self.split = split
        self.cacheKey = cacheKey
        self.tokenizerHash = tokenizerHash
    }

    /// Elements of one row: K · d.
    public var rowElements: Int { summaryTokens * modelDim }
}
