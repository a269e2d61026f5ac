/// How `HiVT5.generate` decodes answers.
public struct GenerationOptions: Sendable, Equatable, Codable {
    /// Which pages' summaries the decoder reads (`eval.memory_pages`).
    public enum MemoryPages: String, Sendable, Equatable, Codable, CaseIterable {
        /// Every page of the question (Fusion-in-Decoder).
        case all
        /// Only the page the page head ranks first: hard top-1 routing, an ablation that
        /// ties the generated answer to the head's page.
        case headTop1 = "head_top1"
    }

    /// Most answer tokens generated per question (EOS included).
    public var maxLength: Int
    /// Beam width; 1 is greedy decoding.
    public var beams: Int
    /// Decode with the KV cache (self-attention keys/values appended per step, cross-attention
    /// keys/values of the memory computed once); false re-runs the decoder on the whole
    /// prefix every step (the reference path, for tests and `mpvqa bench`).
    public var useCache: Bool
    /// α of the final ranking of the beams: summed log-probability / length^α (0 = raw sum).
    public var lengthPenalty: Double
    public var memoryPages: MemoryPages

    public init(maxLength: Int = 16, beams: Int = 1, useCache: Bool = true, lengthPenalty: Double = 1,
                memoryPages: MemoryPages = .all) {
        precondition(maxLength > 0, "GenerationOptions: maxLength must be positive, got \(maxLength)")
        precondition(beams > 0, "GenerationOptions: beams must be positive, got \(beams)")
        self.maxLength = maxLength
        self.beams = beams
        self.useCache = useCache
        self.lengthPenalty = lengthPenalty
        self.memoryPages = memoryPages
    }
}
