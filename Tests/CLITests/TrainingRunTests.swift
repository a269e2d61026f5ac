import Foundation
import NeuralNet
import TestSupport
import XCTest

/// End-to-end runs of the built `mpvqa train` / `eval` on a tiny synthetic dataset.
final class TrainingRunTests: WorkDirectoryTestCase {
    func writeConfig(steps: Int, evalEvery: Int, extra: String = "") throws -> URL {
        try writeTinyConfig(steps: steps, warmupSteps: 5, evalEvery: evalEvery, extra: extra)
    }

    func train(_ config: URL, runDir: String, _ more: [String] = []) throws -> (status: Int32, stdout: String, stderr: String) {
        try BuiltProducts.runMPVQA(["train", "--config", config.path, "--run-dir", work.appendingPathComponent(runDir).path,
                                    "--data-dir", work.appendingPathComponent("data").path] + more)
    }

    func modelTensors(_ runDir: String) throws -> [String: [Float]] {
        let file = try SafeTensorsFile(contentsOf: work.appendingPathComponent("\(runDir)/checkpoints/latest.safetensors"))
        var out: [String: [Float]] = [:]
        for name in file.names where name.hasPrefix("model.") { out[name] = try file.tensor(name).scalars }
        return out
    }

    /// A run killed with SIGKILL and resumed with `--resume` ends with exactly the weights of
    /// an uninterrupted run with the same seed.
    func testKilledAndResumedRunEqualsUninterruptedRun() throws {
        let config = try writeConfig(steps: 40, evalEvery: 10)
        let straight = try train(config, runDir: "straight")
        XCTAssertEqual(straight.status, 0, straight.stderr)

        let process = Process()
        process.executableURL = BuiltProducts.directory.appendingPathComponent("mpvqa")
        process.arguments = ["train", "--config", config.path, "--run-dir", work.appendingPathComponent("killed").path,
                             "--data-dir", work.appendingPathComponent("data").path]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let checkpoint = work.appendingPathComponent("killed/checkpoints/latest.safetensors")
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: checkpoint.path) && process.isRunning && Date() < deadline { usleep(2_000) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal, "the run finished before it could be killed")

        let resumed = try train(config, runDir: "killed", ["--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("resumed at step"), resumed.stderr)
        let a = try modelTensors("straight"), b = try modelTensors("killed")
        XCTAssertEqual(a.keys.sorted(), b.keys.sorted())
        for (name, values) in a { XCTAssertEqual(values, b[name], "\(name) differs after resume") }
        // metrics.jsonl holds each record once: the steps logged after the checkpoint were dropped before the resume.
        var seen = Set<String>()
        for line in try String(contentsOf: work.appendingPathComponent("killed/metrics.jsonl"), encoding: .utf8).split(separator: "\n") {
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let record = "\(object["dev_anls"] == nil ? "train" : "val")@\(object["step"] ?? "?")"
            XCTAssertTrue(seen.insert(record).inserted, "\(record) appears twice in metrics.jsonl")
        }
        XCTAssertTrue(seen.contains("val@40"))
    }

    /// A diverging run stops with a message naming the step and the last good checkpoint.
    func testNonFiniteLossStopsWithAClearMessage() throws {
        let config = try writeConfig(steps: 200, evalEvery: 5, extra: "")
        let result = try train(config, runDir: "nan", ["--set", "train.lr=1e12", "--set", "train.clip_norm=0", "--set", "train.warmup_steps=0"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("training diverged"), result.stderr)
        XCTAssertTrue(result.stderr.contains("last good checkpoint"), result.stderr)
    }

    /// `MPVQA_PROFILE_STEPS=FIRST:COUNT` logs the op profile of exactly that window of steps.
    func testProfileWindowLogsTheOpsOfItsSteps() throws {
        let config = try writeConfig(steps: 8, evalEvery: 8)
        var environment = ProcessInfo.processInfo.environment
        environment["MPVQA_PROFILE_STEPS"] = "2:3"
        let result = try BuiltProducts.runMPVQA(["train", "--config", config.path, "--run-dir", work.appendingPathComponent("profiled").path,
                                                 "--data-dir", work.appendingPathComponent("data").path], environment: environment)
        XCTAssertEqual(result.status, 0, result.stderr)
        let log = result.stderr + result.stdout
        XCTAssertEqual(log.components(separatedBy: "op profile of steps 2..<5:").count, 2, "one profile, of steps 2, 3, 4: \(log)")
        XCTAssertTrue(log.contains("matmul") && log.contains("backward") && log.contains("GFLOP/step"), log)
    }

    func testUnknownKeyIsRefusedBeforeAnyWork() throws {
        let config = try writeConfig(steps: 5, evalEvery: 5, extra: "page_head: {poolng: max}")
        let result = try train(config, runDir: "bad")
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("page_head.poolng: unknown key (did you mean page_head.pooling?)"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("data").path), "no work was done")
    }
}
