import Foundation
import TestSupport
import XCTest

/// README "Errors", the safety refusals, through the built binary: one writer per run
/// directory, every check before the first write, only mpvqa's own files replaced, derived
/// paths confined, and the plan-time and data checks.
final class SafetyTests: WorkDirectoryTestCase {
    func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try BuiltProducts.runMPVQA(arguments)
    }

    func train(_ config: URL, _ runDir: String, _ more: [String] = []) throws -> (status: Int32, stdout: String, stderr: String) {
        try run(["train", "--config", config.path, "--run-dir", work.appendingPathComponent(runDir).path,
                 "--data-dir", work.appendingPathComponent("data").path] + more)
    }

    /// The bytes of every file under `dir` by relative path (the tiny runs' files are small).
    func fileContents(_ dir: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let root = dir.standardizedFileURL.path
        for case let url as URL in FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil)! {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            out[String(url.standardizedFileURL.path.dropFirst(root.count))] = try Data(contentsOf: url)
        }
        return out
    }

    /// train × train, resume × train and eval × train: while one process trains, the others are
    /// refused naming its pid, and the run's metrics.jsonl ends with every record intact.
    func testSecondWriterOfARunDirectoryIsRefusedNamingThePid() throws {
        let config = try writeTinyConfig(steps: 400, warmupSteps: 5, evalEvery: 100)
        let process = Process()
        process.executableURL = BuiltProducts.directory.appendingPathComponent("mpvqa")
        process.arguments = ["train", "--config", config.path, "--run-dir", work.appendingPathComponent("run").path,
                             "--data-dir", work.appendingPathComponent("data").path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }
        let started = work.appendingPathComponent("run/config.yaml")
        let deadline = Date().addingTimeInterval(300)
        while !FileManager.default.fileExists(atPath: started.path) && process.isRunning && Date() < deadline { usleep(20_000) }
        XCTAssertTrue(process.isRunning, "the first training ended before the second writer could be tried")
        let holder = "in use by another mpvqa process (pid \(process.processIdentifier))"
        for more in [[], ["--resume"]] {
            let second = try train(config, "run", more)
            XCTAssertEqual(second.status, 1, second.stderr)
            XCTAssertTrue(second.stderr.contains(holder), second.stderr)
        }
        let eval = try run(["eval", "--run", work.appendingPathComponent("run").path, "--data-dir", work.appendingPathComponent("data").path])
        XCTAssertEqual(eval.status, 1, eval.stderr)
        XCTAssertTrue(eval.stderr.contains(holder), eval.stderr)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let lines = try String(contentsOf: work.appendingPathComponent("run/metrics.jsonl"), encoding: .utf8).split(separator: "\n")
        XCTAssertFalse(lines.isEmpty)
        for line in lines { XCTAssertNotNil(try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "invalid line: \(line)") }
        // The lock dies with its holder: a kill leaves nothing stale, the next start proceeds.
        let resumed = try train(config, "run", ["--resume", "--set", "train.steps=401"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
    }

    /// Each refusal of a start on an existing run leaves every file of it byte-identical; a
    /// refused fresh start creates nothing; a resume removes what an interrupted save left.
    func testRefusedStartsLeaveTheRunByteIdentical() throws {
        let config = try writeTinyConfig(steps: 10, warmupSteps: 2, evalEvery: 10)
        XCTAssertEqual(try train(config, "run").status, 0)
        let runDir = work.appendingPathComponent("run")
        let before = try fileContents(runDir)
        let refusals: [([String], String)] = [
            (["--resume", "--set", "dataset.mpdocvqa.root=/nonexistent"], "refused, nothing was written"),
            (["--resume", "--set", "model.ffn=128"], "model.ffn is 128 here but 64 in the run"),
            ([], "already holds a run; pass --resume"),
        ]
        for (more, message) in refusals {
            let result = try train(config, "run", more)
            XCTAssertEqual(result.status, 1, result.stderr)
            XCTAssertTrue(result.stderr.contains(message), result.stderr)
            XCTAssertEqual(try fileContents(runDir), before, "\(more) changed the run directory")
        }
        let fresh = try train(config, "fresh", ["--set", "dataset.mpdocvqa.root=\(work.appendingPathComponent("missing").path)"])
        XCTAssertEqual(fresh.status, 1)
        XCTAssertTrue(fresh.stderr.contains("dataset.mpdocvqa.root: '\(work.appendingPathComponent("missing").path)': no such directory"), fresh.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("fresh").path))

        let leftover = runDir.appendingPathComponent("checkpoints/.latest.safetensors.tmp-99999-1")
        try Data("partial".utf8).write(to: leftover)
        let resumed = try train(config, "run", ["--resume", "--set", "train.steps=12"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: leftover.path), "the interrupted save's temporary file is still there")
    }

    /// A file or directory mpvqa did not write is not replaced without --force.
    func testForeignDestinationsAreRefused() throws {
        let foreignFile = work.appendingPathComponent("passwd")
        try "root:x:0:0\n".write(to: foreignFile, atomically: true, encoding: .utf8)
        let corpus = work.appendingPathComponent("corpus.txt")
        try "the total is 42\nsigned by Ann\n".write(to: corpus, atomically: true, encoding: .utf8)
        let tokenizer = try run(["tokenizer", "train", "--text", corpus.path, "--vocab", "400", "--out", foreignFile.path])
        XCTAssertEqual(tokenizer.status, 1)
        XCTAssertTrue(tokenizer.stderr.contains("--out \(foreignFile.path): exists and is not a tokenizer written by mpvqa"), tokenizer.stderr)
        XCTAssertEqual(try String(contentsOf: foreignFile, encoding: .utf8), "root:x:0:0\n")
        let own = work.appendingPathComponent("tokenizer.json")
        XCTAssertEqual(try run(["tokenizer", "train", "--text", corpus.path, "--vocab", "400", "--out", own.path]).status, 0)
        XCTAssertEqual(try run(["tokenizer", "train", "--text", corpus.path, "--vocab", "400", "--out", own.path]).status, 0, "its own file is replaced")

        let userDir = work.appendingPathComponent("notes")
        try FileManager.default.createDirectory(at: userDir, withIntermediateDirectories: true)
        try "mine: true\n".write(to: userDir.appendingPathComponent("config.yaml"), atomically: true, encoding: .utf8)
        let config = try writeTinyConfig(steps: 4, warmupSteps: 1, evalEvery: 4)
        let trained = try train(config, "notes")
        XCTAssertEqual(trained.status, 1)
        XCTAssertTrue(trained.stderr.contains("--run-dir \(userDir.path): not a run directory written by mpvqa"), trained.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: userDir.path), ["config.yaml"])

        let dataset = work.appendingPathComponent("dataset")
        try FileManager.default.createDirectory(at: dataset, withIntermediateDirectories: true)
        try "{\"data\": []}".write(to: dataset.appendingPathComponent("train.json"), atomically: true, encoding: .utf8)
        let synth = try run(["synth", "--out", dataset.path, "--train", "4", "--val", "2", "--test", "2"])
        XCTAssertEqual(synth.status, 1)
        XCTAssertTrue(synth.stderr.contains("--out \(dataset.path): not a dataset directory written by mpvqa"), synth.stderr)
        XCTAssertEqual(try String(contentsOf: dataset.appendingPathComponent("train.json"), encoding: .utf8), "{\"data\": []}")
    }

    /// A grid value that is a path names a cell; its run directory stays under --runs-dir.
    /// Empty or repeated seeds, an oversized grid and unreadable manifests are refused at plan time.
    func testManifestPathsAndPlanChecks() throws {
        let escape = work.appendingPathComponent("esc.yaml")
        try """
        name: esc
        \(Self.tinyDataAndModel)
        train: {steps: 4, warmup_steps: 1}
        grid: {train.cache_dir: ["x/../../../../tmp/ESCAPED"]}
        """.write(to: escape, atomically: true, encoding: .utf8)
        let runs = work.appendingPathComponent("runs")
        let plan = try run(["run", escape.path, "--runs-dir", runs.path, "--data-dir", work.appendingPathComponent("data").path, "--dry-run"])
        XCTAssertEqual(plan.status, 0, plan.stderr)
        XCTAssertTrue(plan.stdout.contains("cells: cache_dir=x%2F.%2E%2F.%2E%2F.%2E%2F.%2E%2Ftmp%2FESCAPED"), plan.stdout)
        XCTAssertTrue(plan.stdout.contains("in \(runs.path)/esc"), plan.stdout)

        func planError(_ text: String) throws -> String {
            let url = work.appendingPathComponent("m.yaml")
            try text.write(to: url, atomically: true, encoding: .utf8)
            let result = try run(["run", url.path, "--runs-dir", runs.path, "--dry-run"])
            XCTAssertEqual(result.status, 1, result.stdout)
            return result.stderr
        }
        XCTAssertTrue(try planError("name: s\ntrain: {steps: 5}\nseeds: []\n").contains("m.yaml:3: seeds: []: expected a non-empty list of integers"))
        XCTAssertTrue(try planError("name: s\ntrain: {steps: 5}\nseeds: [1, 1]\n").contains("seeds: 1 appears twice"))
        let values = (1...50).map(String.init).joined(separator: ", ")
        let big = try planError("name: big\ntrain: {steps: 5}\ngrid: {train.steps: [\(values)], train.eval_every: [\(values)], train.seed: [\(values)]}\n")
        XCTAssertTrue(big.contains("m.yaml: grid: 125000 runs (train.steps 50 × train.eval_every 50 × train.seed 50 × 1 seeds + 0 named): expected at most 1000"), big)
        let directory = work.appendingPathComponent("manifest-dir")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let dirResult = try run(["run", directory.path, "--dry-run"])
        XCTAssertTrue(dirResult.stderr.contains("cannot read the manifest: it is a directory, expected a file"), dirResult.stderr)
        XCTAssertFalse(dirResult.stderr.contains("NSCocoaErrorDomain"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: runs.path), "a plan wrote into --runs-dir")
    }

    /// `mpvqa data validate` reports a blank question, a page listed twice and a data_split of another split.
    func testDataValidateReportsQuestionConsistency() throws {
        let root = work.appendingPathComponent("ds")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try """
        {"data": [{"questionId": 1, "question": " ", "doc_id": "d", "page_ids": ["p", "p"], "answers": ["a"], "answer_page_idx": 0, "data_split": "val"}]}
        """.write(to: root.appendingPathComponent("train.json"), atomically: true, encoding: .utf8)
        let result = try run(["data", "validate", root.path, "--split", "train"])
        XCTAssertNotEqual(result.status, 0)
        for expected in ["train.json: questionId 1: question: blank; expected the question's text",
                         "train.json: questionId 1: page_ids[1]: 'p' is listed twice (also page_ids[0]); expected each page once",
                         "train.json: questionId 1: data_split: 'val' in the question file of split 'train'; expected 'train'"] {
            XCTAssertTrue(result.stdout.contains(expected), result.stdout)
        }
    }

    /// Scoring streams the submission: peak memory stays under 4× the file's size.
    func testScoreStreamsALargeSubmission() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/time") else { throw XCTSkip("needs /usr/bin/time for the peak memory") }
        let n = 20_000
        let answer = String(repeating: "forty-two ", count: 200)
        var gold = "{\"data\": ["
        var submission = "["
        for i in 0..<n {
            gold += (i > 0 ? "," : "") + "{\"questionId\": \(i), \"question\": \"q\", \"doc_id\": \"d\(i)\", \"page_ids\": [\"d\(i)_p0\", \"d\(i)_p1\"], \"answers\": [\"42\"], \"answer_page_idx\": 1}"
            submission += (i > 0 ? "," : "") + "{\"questionId\": \(i), \"answer\": \"\(answer)\", \"answer_page\": 1, \"page_scores\": [0.25, 0.75]}"
        }
        gold += "]}"
        submission += "]"
        let goldURL = work.appendingPathComponent("gold.json"), submissionURL = work.appendingPathComponent("submission.json")
        try gold.write(to: goldURL, atomically: true, encoding: .utf8)
        try submission.write(to: submissionURL, atomically: true, encoding: .utf8)
        let size = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: submissionURL.path)[.size] as? Int)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        process.arguments = ["-f", "peak-kb %M", BuiltProducts.directory.appendingPathComponent("mpvqa").path, "score",
                             "--gold", goldURL.path, "--predictions", submissionURL.path, "--json"]
        let errURL = work.appendingPathComponent("time.err")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let text = try String(contentsOf: errURL, encoding: .utf8)
        XCTAssertEqual(process.terminationStatus, 0, text)
        let line = try XCTUnwrap(text.split(separator: "\n").last { $0.hasPrefix("peak-kb ") })
        let peak = try XCTUnwrap(Int(line.dropFirst("peak-kb ".count))) * 1024
        XCTAssertLessThan(peak, 4 * size + 40 << 20, "peak \(peak >> 20) MiB for a \(size >> 20) MiB submission (plus the binary's own ~40 MiB)")
    }

    /// run × run: two `mpvqa run` of one manifest at once; the second waits for the first and
    /// says so, both finish, every record is intact and counted once. A damaged metrics line
    /// then makes `mpvqa report` refuse, naming the file and the line.
    func testConcurrentRunsOfOneManifestAndADamagedRecord() throws {
        let manifest = work.appendingPathComponent("tiny.yaml")
        try """
        name: tiny
        \(Self.tinyDataAndModel)
        train: {steps: 8, batch_questions: 4, lr: 3e-3, warmup_steps: 2, eval_every: 4, eval_questions: 8}
        eval: {max_answer_tokens: 8}
        grid: {page_head.pooling: [max, mean]}
        """.write(to: manifest, atomically: true, encoding: .utf8)
        let arguments = ["run", manifest.path, "--runs-dir", work.appendingPathComponent("runs").path,
                         "--data-dir", work.appendingPathComponent("data").path, "--report-dir", work.appendingPathComponent("notebooks").path]
        let first = Process()
        first.executableURL = BuiltProducts.directory.appendingPathComponent("mpvqa")
        first.arguments = arguments
        first.standardOutput = FileHandle.nullDevice
        first.standardError = FileHandle.nullDevice
        try first.run()
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL); first.waitUntilExit() } }
        let lock = work.appendingPathComponent("runs/tiny/.mpvqa-lock")
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: lock.path) && first.isRunning && Date() < deadline { usleep(5_000) }
        let second = try run(arguments)
        first.waitUntilExit()
        XCTAssertEqual(first.terminationStatus, 0)
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stderr.contains("is in use by another mpvqa process (pid \(first.processIdentifier)); waiting for it to finish"), second.stderr)
        for cell in ["pooling=max", "pooling=mean"] {
            let metrics = work.appendingPathComponent("runs/tiny/\(cell)/seed-1/metrics.jsonl")
            var seen = Set<String>()
            for line in try String(contentsOf: metrics, encoding: .utf8).split(separator: "\n") {
                let object = try XCTUnwrap(try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "invalid line in \(cell): \(line)")
                XCTAssertTrue(seen.insert("\(object["dev_anls"] == nil ? "train" : "dev")@\(object["step"] ?? "?")").inserted, "a record twice in \(cell)")
            }
            XCTAssertTrue(seen.contains("dev@8"), "\(cell): \(seen.sorted())")
        }
        let damaged = work.appendingPathComponent("runs/tiny/pooling=mean/seed-1/metrics.jsonl")
        var lines = try String(contentsOf: damaged, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[1] = String(lines[1].prefix(10))
        try (lines.joined(separator: "\n") + "\n").write(to: damaged, atomically: true, encoding: .utf8)
        let report = try run(["report", manifest.path, "--runs-dir", work.appendingPathComponent("runs").path,
                              "--data-dir", work.appendingPathComponent("data").path, "--report-dir", work.appendingPathComponent("notebooks").path])
        XCTAssertEqual(report.status, 1, report.stdout)
        XCTAssertTrue(report.stderr.contains("\(damaged.path):2: not a JSON object"), report.stderr)
    }
}
