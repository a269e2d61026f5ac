/// Where one trainable group of a cached run started, recorded in `run.json`
/// (`initialisation`) and shown in the report's run table: the encoder run's checkpoint file
/// and step (`continue`), or the seed of a fresh draw (`fresh`, `untrained`).
public struct GroupSource: Codable, Equatable, Sendable, CustomStringConvertible {
    public var group: TrainableGroup
    public var initialisation: GroupInitialisation
    /// The checkpoint continued from (`continue` only).
    public var file: String?
    /// The checkpoint's training step (`continue` only).
    public var step: Int?
    /// The seed of the fresh draw (`fresh` and `untrained`).
    public var seed: Int?

    public var description: String {
        switch initialisation {
        case .continued: return "\(group.rawValue) continued from \(file ?? "?") step \(step ?? 0)"
        case .fresh: return "\(group.rawValue) fresh (seed \(seed ?? 0))"
        case .untrained: return "\(group.rawValue) untrained (fresh, seed \(seed ?? 0), frozen)"
        }
    }
}
