import Foundation
import Training

/// Before a report is written: every record it reads — each run's `metrics.jsonl` and
/// `eval/val/predictions.jsonl`, and those of the encoder runs cached cells continued — must
/// be intact; a damaged line refuses the report naming the file and the line (README "Errors").
enum RunRecordCheck {
    static func verify(_ results: ExperimentResults) throws {
        var seen = Set<String>()
        for row in results.rows {
            for dir in [row.directory] + (row.encoderRun.map { [$0] } ?? []) where seen.insert(dir.path).inserted {
                let run = RunDirectory(dir)
                _ = try JSONLinesReader.objects(run.metrics)
                _ = try JSONLinesReader.objects(run.evaluation("val").appendingPathComponent("predictions.jsonl"))
            }
        }
    }
}
