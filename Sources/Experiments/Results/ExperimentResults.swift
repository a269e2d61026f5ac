import Foundation
import RunSupport
import Training

/// The results of a manifest's runs, one row per (cell, seed) from each run's
/// `eval/val/metrics.json` and `complete.json`, and per cell the mean ± std over seeds.
/// Written as `runs/<name>/results.csv` (one line per cell and seed, then the means) and
/// `results.json`.
public struct ExperimentResults: Sendable {
    /// One evaluated run.
    public struct Row: Sendable {
        public var cell: String
        public var seed: Int
        public var directory: URL
        public var answerSource: String
        public var mode: String
        /// The run whose encoder a cached cell read.
        public var encoderRun: URL?
        public var metrics: [String: Double]
        /// `breakdowns[kind][bucket][metric]`, kind `page_count` or `answer_page`.
        public var breakdowns: [String: [String: [String: Double]]]
    }

    /// Metric columns, in table order (`nan` when a run does not have one).
    public static let metricKeys = ["generated_anls", "extracted_anls", "accuracy", "page_accuracy", "top3_page_accuracy",
                                    "train_minutes", "train_steps", "seconds_per_question", "encoder_passes_per_question", "questions"]

    public var rows: [Row]
    /// Cell names in manifest order.
    public var cells: [String]

    /// Reads every evaluated run of the plan (runs without metrics are left out).
    public static func collect(plan: ExperimentPlan) throws -> ExperimentResults {
        var rows: [Row] = []
        var cells: [String] = []
        for step in plan.steps where step.kind == .eval {
            guard let dir = step.runDirectory, let cell = step.cell, let seed = step.seed else { continue }
            if !cells.contains(cell) { cells.append(cell) }
            if let row = try Self.read(dir, cell: cell, seed: seed) { rows.append(row) }
        }
        return ExperimentResults(rows: rows, cells: cells)
    }

    static func read(_ dir: URL, cell: String, seed: Int) throws -> Row? {
        let url = RunDirectory(dir).evaluation("val").appendingPathComponent("metrics.json")
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        guard let m = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ConfigError(source: url.path, key: "", "expected a JSON object")
        }
        func number(_ key: String) -> Double { (m[key] as? NSNumber)?.doubleValue ?? .nan }
        let source = m["answer_source"] as? String ?? "generate"
        var metrics: [String: Double] = [
            "generated_anls": source == "generate" ? number("anls") : number("generate_anls"),
            "extracted_anls": source == "extract" ? number("anls") : number("extract_anls"),
            "accuracy": number("accuracy"), "page_accuracy": number("page_accuracy"), "top3_page_accuracy": number("top3_page_accuracy"),
            "seconds_per_question": number("seconds_per_question"), "encoder_passes_per_question": number("encoder_passes_per_question"),
            "questions": number("questions"), "anls": number("anls"),
        ]
        var mode = "end_to_end"
        var encoderRun: URL?
        if let data = FileManager.default.contents(atPath: ExperimentPlan.completionMarker(dir).path),
           let marker = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            metrics["train_minutes"] = (marker["minutes"] as? NSNumber)?.doubleValue ?? .nan
            metrics["train_steps"] = (marker["steps"] as? NSNumber)?.doubleValue ?? .nan
            mode = marker["mode"] as? String ?? mode
            if let path = marker["encoder_run"] as? String, !path.isEmpty { encoderRun = URL(fileURLWithPath: path) }
        }
        var breakdowns: [String: [String: [String: Double]]] = [:]
        if let b = m["breakdowns"] as? [String: [String: [String: Any]]] {
            for (kind, buckets) in b {
                for (bucket, values) in buckets {
                    breakdowns[kind, default: [:]][bucket] = values.compactMapValues { ($0 as? NSNumber)?.doubleValue }
                }
            }
        }
        return Row(cell: cell, seed: seed, directory: dir, answerSource: source, mode: mode, encoderRun: encoderRun, metrics: metrics, breakdowns: breakdowns)
    }

    /// Mean and sample standard deviation (0 for one seed) of `key` over the seeds of `cell`.
    public func stats(_ cell: String, _ key: String) -> (mean: Double, std: Double, n: Int) {
        let values = rows.filter { $0.cell == cell }.compactMap { $0.metrics[key] }.filter { !$0.isNaN }
        guard !values.isEmpty else { return (.nan, .nan, 0) }
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.count > 1 ? values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1) : 0
        return (mean, variance.squareRoot(), values.count)
    }

    /// Writes `results.csv` and `results.json` into `directory`.
    public func write(to directory: URL) throws {
        var csv = ["cell,seed,mode,answer_source," + Self.metricKeys.joined(separator: ",")]
        for r in rows {
            csv.append("\(Self.csvField(r.cell)),\(r.seed),\(Self.csvField(r.mode)),\(r.answerSource),"
                       + Self.metricKeys.map { Self.number(r.metrics[$0] ?? .nan) }.joined(separator: ","))
        }
        for cell in cells {
            csv.append("\(Self.csvField(cell)),mean,,," + Self.metricKeys.map { Self.number(stats(cell, $0).mean) }.joined(separator: ","))
            csv.append("\(Self.csvField(cell)),std,,," + Self.metricKeys.map { Self.number(stats(cell, $0).std) }.joined(separator: ","))
        }
        try AtomicFile.write(csv.joined(separator: "\n") + "\n", to: directory.appendingPathComponent("results.csv"))

        func clean(_ v: Double) -> Any { v.isNaN ? NSNull() : v }
        let json: [String: Any] = [
            "runs": rows.map { r -> [String: Any] in
                ["cell": r.cell, "seed": r.seed, "mode": r.mode, "answer_source": r.answerSource, "run_directory": r.directory.path,
                 "metrics": r.metrics.mapValues(clean), "breakdowns": r.breakdowns]
            },
            "cells": cells.map { cell -> [String: Any] in
                var out: [String: Any] = ["cell": cell, "seeds": rows.filter { $0.cell == cell }.map(\.seed)]
                for key in Self.metricKeys {
                    let s = stats(cell, key)
                    out[key] = ["mean": clean(s.mean), "std": clean(s.std)]
                }
                return out
            },
        ]
        try AtomicFile.write(try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys]),
                             to: directory.appendingPathComponent("results.json"))
    }

    static func number(_ v: Double) -> String { v.isNaN ? "" : String(format: "%.6g", v) }

    static func csvField(_ s: String) -> String {
        s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
