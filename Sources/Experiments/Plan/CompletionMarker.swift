import Foundation
import RunSupport
import Training

/// `complete.json`, written last by a cell's training (README "Experiments"): what the cell
/// cost, how it was selected, and both configurations — the cell's as planned (what a rerun
/// compares) and the settings it trained with. A marker that lacks a field is an error naming
/// the file and the field.
public struct CompletionMarker: Codable, Equatable, Sendable {
    public var steps: Int
    public var minutes: Double
    /// The dev score `best` was selected on, and its step.
    public var bestDevANLS: Double
    public var bestStep: Int
    /// `TrainingMode.name`: `end_to_end` or `cached`.
    public var mode: String
    /// The encoder run a cached cell read ("" end to end).
    public var encoderRun: String
    /// The cell's configuration as planned (YAML).
    public var config: String
    /// The settings the run trained with (YAML): the planned ones plus what the plan supplied.
    public var trainedConfig: String

    enum CodingKeys: String, CodingKey {
        case steps, minutes, mode, config
        case bestDevANLS = "best_dev_anls", bestStep = "best_step", encoderRun = "encoder_run", trainedConfig = "trained_config"
    }

    public init(steps: Int, minutes: Double, bestDevANLS: Double, bestStep: Int, mode: String, encoderRun: String, config: String, trainedConfig: String) {
        (self.steps, self.minutes, self.bestDevANLS, self.bestStep) = (steps, minutes, bestDevANLS, bestStep)
        (self.mode, self.encoderRun, self.config, self.trainedConfig) = (mode, encoderRun, config, trainedConfig)
    }

    /// The marker of the run in `dir`, nil when it has not finished.
    public static func read(_ dir: URL) throws -> CompletionMarker? {
        let url = ExperimentPlan.completionMarker(dir)
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        do {
            return try JSONDecoder().decode(CompletionMarker.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw ConfigError(source: url.path, key: key.stringValue, "missing: expected every field of a completion marker")
        } catch {
            throw ConfigError(source: url.path, key: "", "not a completion marker (\(error)); remove the run directory to retrain it")
        }
    }

    /// Writes the marker into `dir` (atomically: a reader sees all of it or none).
    public func write(to dir: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(self), to: ExperimentPlan.completionMarker(dir))
    }
}
