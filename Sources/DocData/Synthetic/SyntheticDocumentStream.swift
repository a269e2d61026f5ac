import TensorCore

/// An endless, seeded stream of fresh synthetic documents, for training on new documents
/// every batch (`dataset.synthetic.online`). Nothing is rendered or written; pages carry
/// OCR words with boxes (`SyntheticPage.ocrWords()`), and `PageRenderer` draws one on demand.
///
/// ```swift
/// var stream = try SyntheticDocumentStream(config: config, seed: 1234)
/// let batch = (0..<8).map { _ in stream.next() }     // 8 new documents
/// let questions = batch.flatMap { $0.questionRecords(firstQuestionId: 0, split: "train") }
/// ```
public struct SyntheticDocumentStream: Sendable {
    public let generator: SyntheticDocumentGenerator
    private var rng: SeededRNG
    /// Documents drawn so far; the next one is `online<count>`.
    public private(set) var count = 0

    public init(config: SyntheticConfig, seed: UInt64) throws {
        generator = try SyntheticDocumentGenerator(config: config)
        rng = SeededRNG(seed: seed)
    }

    /// The next document (its question count drawn from the config's per-document range).
    public mutating func next() -> SyntheticDocument {
        defer { count += 1 }
        return generator.document(seed: rng.next(), docId: "online\(count)")
    }
}
