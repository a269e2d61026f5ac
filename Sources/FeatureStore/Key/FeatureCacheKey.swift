import TensorCore

/// The identity of a feature cache: exactly the inputs that determine the stored S(q, p).
/// Its SHA-256 names the file, so every run needing the same summaries shares one cache
/// and a change to any input (weights, prompt, K, d, dtype, split, dataset, encoder input
/// settings) gives a different file instead of silently reusing stale features.
///
/// ```swift
/// let key = FeatureCacheKey(encoderHash: FeatureCacheKey.encoderHash(parameters: encoder.namedParameters),
///                           promptTemplate: "question: {question}", summaryTokens: 8, modelDim: 256,
///                           dtype: .float16, split: "train", datasetIdentity: "synthetic seed=7 train=4000",
///                           encoderSettings: ["tokenizer": tokenizerHash, "max_ocr_tokens": "128"])
/// let url = cacheDirectory.appendingPathComponent(key.fileName)   // train-1b4c…(16 hex).h5
/// ```
public struct FeatureCacheKey: Sendable, Equatable {
    /// Hash of the encoder weights (see `encoderHash(parameters:)`), or of the checkpoint file.
    public var encoderHash: String
    /// The prompt template rendered around the question (`{question}` placeholder).
    public var promptTemplate: String
    /// K, summary tokens per page.
    public var summaryTokens: Int
    /// d, width of a summary token.
    public var modelDim: Int
    /// Storage type: a float16 cache holds different numbers than a float32 one.
    public var dtype: FeatureDType
    public var split: String
    /// What identifies the dataset's contents, e.g. `"synthetic seed=7 train=4000"` or the
    /// hash of the question file plus the dataset root.
    public var datasetIdentity: String
    /// Every other input the page encoder sees that changes S: tokenizer hash, OCR token
    /// limit, image size, visual tokens on/off… (order does not matter).
    public var encoderSettings: [String: String]

    public init(encoderHash: String, promptTemplate: String, summaryTokens: Int, modelDim: Int, dtype: FeatureDType,
                split: String, datasetIdentity: String, encoderSettings: [String: String] = [:]) {
        self.encoderHash = encoderHash
        self.promptTemplate = promptTemplate
        self.summaryTokens = summaryTokens
        self.modelDim = modelDim
        self.dtype = dtype
        self.split = split
        self.datasetIdentity = datasetIdentity
        self.encoderSettings = encoderSettings
    }

    /// The exact text that is hashed: a version line, then one `name length:value` line per
    /// field (settings sorted by name). Length prefixes keep it unambiguous whatever the
    /// values contain (newlines in a prompt, say).
    public var canonicalText: String {
        var fields: [(String, String)] = [
            ("encoder_hash", encoderHash), ("prompt_template", promptTemplate), ("K", String(summaryTokens)),
            ("d", String(modelDim)), ("dtype", dtype.rawValue), ("split", split), ("dataset", datasetIdentity),
        ]
        for name in encoderSettings.keys.sorted() { fields.append(("setting." + name, encoderSettings[name]!)) }
        var text = "mpvqa-feature-cache-key/1\n"
        for (name, value) in fields { text += "\(name) \(value.utf8.count):\(value)\n" }
        return text
    }

    /// SHA-256 of `canonicalText`, 64 hex digits (stored in the file's `cache_key` attribute).
    public var digest: String {
        var hasher = SHA256()
        hasher.update(canonicalText)
        return hasher.finalize().hex
    }

    /// `<split>-<first 16 hex digits of digest>.h5`; characters of `split` outside
    /// `[A-Za-z0-9._-]` become `_` so the name is always a plain file name.
    public var fileName: String {
        let safeSplit = String(split.unicodeScalars.map { scalar -> Character in
            let c = Character(scalar)
            return (c.isASCII && (c.isLetter || c.isNumber)) || c == "." || c == "_" || c == "-" ? c : "_"
        })
        return "\(safeSplit.isEmpty ? "split" : safeSplit)-\(digest.prefix(16)).h5"
    }

    /// SHA-256 (hex) of named weight tensors: for each tensor in name order, its name, dtype,
    /// shape and raw little-endian element bytes. Two encoders hash equal exactly when they
    /// have the same parameter names, shapes, types and bit-identical values.
    ///
    /// `parameters`: `(name, tensor)` pairs, any order; names must be unique.
    public static func encoderHash(parameters: [(name: String, tensor: Tensor)]) -> String {
        var hasher = SHA256()
        hasher.update("mpvqa-weights/1\n")
        for (name, tensor) in parameters.sorted(by: { $0.name < $1.name }) {
            let type = tensor.dtype == .float32 ? "float32" : "float64"
            hasher.update("\(name.utf8.count):\(name) \(type) \(tensor.shape)\n")
            switch tensor.dtype {
            case .float32: tensor.withUnsafeBufferPointer(as: Float.self) { hasher.update(UnsafeRawBufferPointer($0)) }
            case .float64: tensor.withUnsafeBufferPointer(as: Double.self) { hasher.update(UnsafeRawBufferPointer($0)) }
            }
        }
        return hasher.finalize().hex
    }
}
