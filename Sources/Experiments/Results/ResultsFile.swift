import Foundation
import Training

/// `runs/<name>/results.json`: every run's ``EvaluationMetrics``, per cell and split the
/// per-seed means with their t-intervals, and the paired comparisons with the base.
public struct ResultsFile: Codable, Sendable {
    public struct Run: Codable, Sendable {
        public var cell: String
        public var seed: Int
        public var split: String
        public var mode: String
        public var runDirectory: String
        public var evaluation: EvaluationMetrics
        public var trainMinutes: Double?
        public var trainSteps: Double?

        enum CodingKeys: String, CodingKey {
            case cell, seed, split, mode, evaluation
            case runDirectory = "run_directory", trainMinutes = "train_minutes", trainSteps = "train_steps"
        }
    }

    public struct Cell: Codable, Sendable {
        public var cell: String
        public var split: String
        public var seeds: [Int]
        /// By `results.csv` key; absent when the cell does not produce the metric.
        public var metrics: [String: SeedInterval]
    }

    public struct Comparisons: Codable, Sendable {
        public var split: String
        public var comparisons: [PairedComparison]
    }

    public var splits: [String]
    public var runs: [Run]
    public var cells: [Cell]
    public var pairedComparisons: [Comparisons]

    enum CodingKeys: String, CodingKey {
        case splits, runs, cells
        case pairedComparisons = "paired_comparisons"
    }

    public init(_ results: ExperimentResults) throws {
        splits = results.splits
        runs = results.rows.map {
            Run(cell: $0.cell, seed: $0.seed, split: $0.split, mode: $0.mode, runDirectory: $0.directory.path, evaluation: $0.evaluation,
                trainMinutes: $0.trainMinutes, trainSteps: $0.trainSteps)
        }
        cells = results.splits.flatMap { split in
            results.cells.map { cell in
                var metrics: [String: SeedInterval] = [:]
                for m in QuestionMetric.columns { metrics[m.key] = results.interval(cell, m, split: split) }
                for key in ExperimentResults.costKeys { metrics[key] = results.costInterval(cell, key, split: split) }
                return Cell(cell: cell, split: split, seeds: results.rows(cell, split: split).map(\.seed), metrics: metrics)
            }
        }
        pairedComparisons = try results.splits.map { Comparisons(split: $0, comparisons: try results.comparisons(split: $0)) }
    }
}
