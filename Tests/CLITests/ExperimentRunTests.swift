import Foundation
import TestSupport
import XCTest

/// `mpvqa run` / `mpvqa report` end to end on a tiny manifest: errors before any work, a
/// killed run that resumes without redoing finished cells, results and the report.
final class ExperimentRunTests: WorkDirectoryTestCase {
    /// Three tiny cells: an end-to-end one and two cached pooling cells reading its encoder.
    func writeManifest() throws -> URL {
        let url = work.appendingPathComponent("tiny.yaml")
        try """
        name: tiny
        \(Self.tinyDataAndModel)
        train: {mode: cached, steps: 8, batch_questions: 4, lr: 3e-3, warmup_steps: 2, eval_every: 8, eval_questions: 8}
        eval: {max_answer_tokens: 8}
        runs:
          - {name: e2e, set: {train.mode: end_to_end, train.steps: 16}}
        grid: {page_head.pooling: [max, mean]}
        """.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func arguments(_ manifest: URL, _ more: [String] = []) -> [String] {
        ["run", manifest.path, "--runs-dir", work.appendingPathComponent("runs").path, "--data-dir", work.appendingPathComponent("data").path,
         "--report-dir", work.appendingPathComponent("notebooks").path] + more
    }

    func testManifestErrorStopsBeforeAnyWork() throws {
        let url = work.appendingPathComponent("bad.yaml")
        try "name: bad\ntrain: {steps: 10}\ngrid: {page_head.poolng: [max, mean]}\n".write(to: url, atomically: true, encoding: .utf8)
        let result = try BuiltProducts.runMPVQA(arguments(url))
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("bad.yaml:3: page_head.poolng: unknown key (did you mean page_head.pooling?)"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("runs").path), "work started before validation")
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("data").path), "work started before validation")
    }

    func testDryRunPrintsThePlanAndDoesNothing() throws {
        let result = try BuiltProducts.runMPVQA(arguments(try writeManifest(), ["--dry-run"]))
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("[build  ] encoder   encoder e2e/seed-1"), result.stdout)
        XCTAssertTrue(result.stdout.contains("estimated"), result.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("runs").path))
    }

    /// SIGKILL after the first cell is evaluated; the rerun skips it (and the data, tokenizer)
    /// and says so, finishes the rest, and aggregates every cell.
    func testKilledRunResumesWithoutRedoingFinishedCells() throws {
        let manifest = try writeManifest()
        let process = Process()
        process.executableURL = BuiltProducts.directory.appendingPathComponent("mpvqa")
        process.arguments = arguments(manifest)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let firstDone = work.appendingPathComponent("runs/tiny/e2e/seed-1/eval/val/submission.json")  // val is scored after test; the submission is written last
        let deadline = Date().addingTimeInterval(180)
        while !FileManager.default.fileExists(atPath: firstDone.path) && process.isRunning && Date() < deadline { usleep(5_000) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: firstDone.path), "the first cell never finished")
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let firstCheckpoint = try Data(contentsOf: work.appendingPathComponent("runs/tiny/e2e/seed-1/checkpoints/latest.safetensors"))

        let rerun = try BuiltProducts.runMPVQA(arguments(manifest))
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        XCTAssertTrue(rerun.stderr.contains("skip step 1/"), rerun.stderr)   // the dataset
        XCTAssertTrue(rerun.stderr.contains("encoder: encoder e2e/seed-1 (end to end): complete, reused"), rerun.stderr)
        XCTAssertTrue(rerun.stderr.contains("eval: evaluate e2e seed 1 on test and val: complete, reused"), rerun.stderr)
        XCTAssertFalse(rerun.stderr.contains("starting run \(work.appendingPathComponent("runs/tiny/e2e").path)"), rerun.stderr)
        XCTAssertEqual(try Data(contentsOf: work.appendingPathComponent("runs/tiny/e2e/seed-1/checkpoints/latest.safetensors")), firstCheckpoint)
        XCTAssertTrue(rerun.stderr.contains("[grid tiny] cells"), rerun.stderr)

        let csv = try String(contentsOf: work.appendingPathComponent("runs/tiny/results.csv"), encoding: .utf8)
        for cell in ["e2e,1,", "pooling=max,1,", "pooling=mean,1,"] {
            XCTAssertTrue(csv.contains("\n\"\(cell.split(separator: ",").first!)\"") || csv.contains("\n" + cell), "\(cell) missing in:\n\(csv)")
        }
        let report = try String(contentsOf: work.appendingPathComponent("notebooks/tiny.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("| pooling=mean | 1 |"), report)
        XCTAssertFalse(report.contains("## Analysis"), "no analysis file, no analysis section")
        for chart in ["metrics", "learning-curves", "answer-page-matrix"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: work.appendingPathComponent("notebooks/tiny/\(chart).png").path), chart)
        }

        // A third run has nothing left to do; the report's charts come out byte-identical.
        let chart = try Data(contentsOf: work.appendingPathComponent("notebooks/tiny/metrics.png"))
        let third = try BuiltProducts.runMPVQA(arguments(manifest))
        XCTAssertEqual(third.status, 0, third.stderr)
        XCTAssertFalse(third.stderr.contains("[grid tiny]"), "a finished grid did work again:\n\(third.stderr)")
        XCTAssertEqual(try Data(contentsOf: work.appendingPathComponent("notebooks/tiny/metrics.png")), chart)

        // A hand-written analysis beside the manifest goes into the report and survives re-reporting.
        try "Max and mean tie.\n".write(to: work.appendingPathComponent("tiny.analysis.md"), atomically: true, encoding: .utf8)
        let reported = try BuiltProducts.runMPVQA(["report", manifest.path, "--runs-dir", work.appendingPathComponent("runs").path,
                                                   "--report-dir", work.appendingPathComponent("notebooks").path])
        XCTAssertEqual(reported.status, 0, reported.stderr)
        let withAnalysis = try String(contentsOf: work.appendingPathComponent("notebooks/tiny.md"), encoding: .utf8)
        XCTAssertTrue(withAnalysis.contains("## Analysis") && withAnalysis.contains("Max and mean tie."), withAnalysis)
    }
}
