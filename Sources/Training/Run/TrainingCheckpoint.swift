import Foundation
import Models
import NeuralNet
import TensorCore

/// Where training stands, stored with the weights so `--resume` continues exactly.
public struct TrainingState: Codable, Equatable, Sendable {
    /// Optimizer steps taken.
    public var step: Int
    /// Best validation ANLS so far and its step (-1 before any validation).
    public var bestScore: Double
    public var bestStep: Int
    /// Training wall time before this process (for learning curves across resumes).
    public var elapsedSeconds: Double

    public init(step: Int = 0, bestScore: Double = -1, bestStep: Int = -1, elapsedSeconds: Double = 0) {
        self.step = step
        self.bestScore = bestScore
        self.bestStep = bestStep
        self.elapsedSeconds = elapsedSeconds
    }
}

/// One safetensors file per checkpoint: the model's parameters (`model.*`), the optimizer's
/// moments (`optimizer.*`) and the training state in the metadata. Written atomically, so a
/// killed run leaves the previous checkpoint intact.
public enum TrainingCheckpoint {
    static let stateKey = "mpvqa.training_state"
    static let configKey = "mpvqa.config"

    public static func save(model: HiVT5, optimizer: AdamW, state: TrainingState, configYAML: String, to url: URL) throws {
        var metadata = optimizer.stateMetadata()
        metadata[stateKey] = String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
        metadata[configKey] = configYAML
        try SafeTensors.write(model.namedParameters(prefix: "model") + optimizer.stateTensors(), metadata: metadata, to: url)
    }

    /// Loads weights (and, when given, optimizer state) from `url`; returns the training state.
    @discardableResult
    public static func load(into model: HiVT5, optimizer: AdamW?, from url: URL) throws -> TrainingState {
        let file = try SafeTensorsFile(contentsOf: url)
        try model.loadParameters(from: file, prefix: "model", allowUnused: true)
        if let optimizer { try optimizer.loadState(from: file) }
        return state(of: file)
    }

    /// The training state stored in a checkpoint (a fresh state when it has none).
    public static func state(of file: SafeTensorsFile) -> TrainingState {
        guard let json = file.metadata[stateKey], let state = try? JSONDecoder().decode(TrainingState.self, from: Data(json.utf8)) else {
            return TrainingState()
        }
        return state
    }

    /// The resolved config a checkpoint was trained with.
    public static func config(of url: URL) throws -> String? {
        try SafeTensorsFile(contentsOf: url).metadata[configKey]
    }
}
