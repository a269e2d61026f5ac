import ArgumentParser
import Experiments
import Foundation
import Training

/// `mpvqa run MANIFEST [--set key=value]... [--only CELL] [--dry-run]`.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run every cell of an experiment manifest (grid × seeds, named runs), then aggregate and report.",
        discussion: """
        Plans the steps in dependency order (synthetic data, tokenizer, encoder trainings, feature caches, \
        each cell's training and evaluation), skips what is complete and resumes what was killed. One run \
        directory per cell and seed: runs/<name>/<cell>/seed-<N>/. Writes runs/<name>/results.csv and \
        results.json, and the report notebooks-md/<name>.md with its charts.
        """)

    @Argument(help: "The manifest (YAML): base config + grid + seeds + runs.")
    var manifest: String

    @OptionGroup var locations: ManifestRunLocations

    @Option(help: "Run only this cell (its name, or NAME/seed-N) and what it depends on.")
    var only: String?

    @Flag(help: "Print the plan (built / reused steps, page encodings, estimated time) and exit.")
    var dryRun = false

    func run() throws {
        var (loaded, plan) = try locations.plan(manifest: manifest, only: only)
        print(plan.text)
        if dryRun { return }
        // One `mpvqa run` of a manifest at a time: a second one waits, then plans again.
        let waited = try ExperimentDirectory.claim(plan.root) { pid in
            FileHandle.standardError.write(Data("\(plan.root.path) is in use by another mpvqa process (pid \(pid)); waiting for it to finish\n".utf8))
        }
        if waited {
            (loaded, plan) = try locations.plan(manifest: manifest, only: only)
            print(plan.text)
        }
        let results = try ExperimentRunner(plan: plan, reportDirectory: locations.reportDirectory).run()
        print("")
        let split = results.leadSplit ?? "-"
        let columns: [QuestionMetric] = [.generatedANLS, .extractedANLS, .pageHead, .spanHead, .decoderAttention]
        print("\(split): cell                    seeds  gen ANLS  ext ANLS  page acc: head  span    attention")
        for cell in results.cells {
            let n = results.rows(cell, split: split).count
            let values = columns.map { m -> String in
                results.interval(cell, m, split: split).map { String(format: "%.4f  ", $0.mean) } ?? "   -    "
            }
            print(cell.padding(toLength: 30, withPad: " ", startingAt: 0) + String(format: "%5d  ", n) + values.joined(separator: "  "))
        }
        print("results: \(plan.root.path)/results.csv, results.json")
        print("report: \(locations.reportDir)/\(loaded.name).md")
    }
}

/// `mpvqa report MANIFEST`.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write notebooks-md/<name>.md and its PNG charts from a manifest's finished runs.")

    @Argument(help: "The manifest the runs were made with.")
    var manifest: String

    @OptionGroup var locations: ManifestRunLocations

    func run() throws {
        let (_, plan) = try locations.plan(manifest: manifest, only: nil)
        let results = try ExperimentResults.collect(plan: plan)
        try results.write(to: plan.root)
        let url = try ExperimentReport(plan: plan, results: results).write(to: locations.reportDirectory)
        print("report: \(url.path) (\(Set(results.rows.map { "\($0.cell)/\($0.seed)" }).count) evaluated runs of \(plan.cellCount))")
    }
}

/// The options `mpvqa run` and `mpvqa report` share: the manifest's overrides and where its
/// runs, data and report live (a report must name the same ones its runs were made with).
struct ManifestRunLocations: ParsableArguments {
    @Option(name: .customLong("set"), help: "Override a key of every cell (repeatable), e.g. --set train.steps=100.")
    var overrides: [String] = []

    @Option(help: "Where run directories go (runs/<name>/...).")
    var runsDir = "runs"

    @Option(help: "Shared cache of generated datasets and tokenizers.")
    var dataDir = "runs/_data"

    @Option(help: "Where the report goes (<dir>/<name>.md and <dir>/<name>/*.png).")
    var reportDir = "notebooks-md"

    var reportDirectory: URL { URL(fileURLWithPath: reportDir) }

    /// The manifest with the overrides applied, and its plan over these directories.
    func plan(manifest: String, only: String?) throws -> (Manifest, ExperimentPlan) {
        let loaded = try Manifest.load(URL(fileURLWithPath: manifest), overrides: overrides)
        let plan = try ExperimentPlan(manifest: loaded, runsDirectory: URL(fileURLWithPath: runsDir),
                                      dataDirectory: URL(fileURLWithPath: dataDir), only: only)
        return (loaded, plan)
    }
}
