import FeatureStore
import Foundation
import TestSupport
import XCTest

/// `mpvqa cache` and `train.mode: cached` through the built binary on a tiny synthetic set:
/// resumable cache building, training from MPVQA-built and h5py-written caches, refusals.
final class FeatureCacheCommandTests: WorkDirectoryTestCase {
    func writeConfig(steps: Int, extra: String = "") throws -> URL {
        try writeTinyConfig(steps: steps, warmupSteps: 2, evalEvery: steps, extra: extra)
    }

    func mpvqa(_ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        try BuiltProducts.runMPVQA(arguments, environment: environment)
    }

    func train(_ config: URL, runDir: String, _ sets: [String] = []) throws -> (status: Int32, stdout: String, stderr: String) {
        try mpvqa(["train", "--config", config.path, "--run-dir", work.appendingPathComponent(runDir).path,
                   "--data-dir", work.appendingPathComponent("data").path] + sets.flatMap { ["--set", $0] })
    }

    func cache(run: String, cacheDir: String, environment: [String: String]? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        try mpvqa(["cache", "--run", work.appendingPathComponent(run).path, "--split", "train",
                   "--cache-dir", work.appendingPathComponent(cacheDir).path, "--data-dir", work.appendingPathComponent("data").path],
                  environment: environment)
    }

    func cacheFile(_ dir: String) throws -> URL {
        let names = try FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent(dir).path).filter { $0.hasSuffix(".h5") }
        XCTAssertEqual(names.count, 1, "\(names)")
        return work.appendingPathComponent(dir).appendingPathComponent(try XCTUnwrap(names.first))
    }

    func fixture(_ name: String) throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil))
    }

    /// Building a cache killed at four points (three by the stop-after hook, one by a real
    /// SIGKILL at an arbitrary moment) and resumed gives exactly the rows of an
    /// uninterrupted build, none lost or duplicated; a second build of a complete cache does nothing.
    func testKilledAndResumedCacheEqualsUninterruptedOne() throws {
        let config = try writeConfig(steps: 2)
        let encoder = try train(config, runDir: "enc")
        XCTAssertEqual(encoder.status, 0, encoder.stderr)
        let straight = try cache(run: "enc", cacheDir: "straight")
        XCTAssertEqual(straight.status, 0, straight.stderr)

        var environment = ProcessInfo.processInfo.environment
        environment["MPVQA_CACHE_STOP_AFTER_QUESTIONS"] = "1"  // each process commits one batch of 4 questions, then dies
        var committed: [Int] = []
        for _ in 0..<3 {
            let stopped = try cache(run: "enc", cacheDir: "killed", environment: environment)
            XCTAssertEqual(stopped.status, 75, stopped.stderr)
            let reader = try FeatureCacheReader(url: try cacheFile("killed"))
            XCTAssertFalse(reader.isComplete)
            committed.append(reader.questions.count)
        }
        XCTAssertEqual(committed, [4, 8, 12])

        let process = Process()
        process.executableURL = BuiltProducts.directory.appendingPathComponent("mpvqa")
        process.arguments = ["cache", "--run", work.appendingPathComponent("enc").path, "--split", "train",
                             "--cache-dir", work.appendingPathComponent("killed").path, "--data-dir", work.appendingPathComponent("data").path]
        let errURL = work.appendingPathComponent("kill.stderr")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
        // Kill as soon as it has resumed (it then encodes and commits the remaining questions).
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline,
              !((try? String(contentsOf: errURL, encoding: .utf8))?.contains("resuming") ?? false) { usleep(500) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal, "the resumed build finished before it could be killed")

        let resumed = try cache(run: "enc", cacheDir: "killed")
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let a = try FeatureCacheReader(url: try cacheFile("straight")), b = try FeatureCacheReader(url: try cacheFile("killed"))
        XCTAssertEqual(a.url.lastPathComponent, b.url.lastPathComponent, "same key, same file name")
        XCTAssertTrue(b.isComplete)
        XCTAssertEqual(a.rows, 50)
        XCTAssertEqual(a.rows, b.rows)
        XCTAssertEqual(a.questionIds, b.questionIds)
        XCTAssertEqual(a.pageIndices, b.pageIndices)
        XCTAssertEqual(a.pageIds, b.pageIds)
        XCTAssertEqual(try a.slotTokens(rows: 0..<a.rows), try b.slotTokens(rows: 0..<b.rows))
        XCTAssertEqual(try a.summaries(rows: 0..<a.rows).scalars, try b.summaries(rows: 0..<b.rows).scalars)
        XCTAssertEqual(try b.rowDigests(rows: 0..<b.rows).count, 50 * 5 * 16)
        XCTAssertEqual(try a.rowDigests(rows: 0..<a.rows), try b.rowDigests(rows: 0..<b.rows), "the digests of an uninterrupted build")
        XCTAssertEqual(a.header, b.header)

        try assertH5dumpShowsSchema(b.url)

        let again = try cache(run: "enc", cacheDir: "killed")
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("already complete, nothing to do"), again.stdout)

        // Cached training on the encoder run reuses the train cache and records it in run.json.
        let cached = try train(config, runDir: "cached", ["train.mode=cached", "train.encoder_run=\(work.appendingPathComponent("enc").path)",
                                                          "train.cache_dir=\(work.appendingPathComponent("killed").path)", "train.steps=4",
                                                          "train.eval_every=4", "train.span_loss_weight=0.5"])
        XCTAssertEqual(cached.status, 0, cached.stderr)
        XCTAssertTrue(cached.stderr.contains("train-") && cached.stderr.contains("already complete, nothing to do"), cached.stderr)
        XCTAssertTrue(cached.stderr.contains("span_loss_weight 0.5 forced to 0"), cached.stderr)
        let info = try String(contentsOf: work.appendingPathComponent("cached/run.json"), encoding: .utf8)
        let key = try XCTUnwrap(b.header.cacheKey)
        XCTAssertTrue(info.contains(b.url.lastPathComponent) && info.contains(key), info)
        let eval = try mpvqa(["eval", "--run", work.appendingPathComponent("cached").path, "--data-dir", work.appendingPathComponent("data").path])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        // Training read train and dev; evaluating val builds the val cache with the same encoder.
        XCTAssertTrue(eval.stderr.contains("val-") && eval.stderr.contains("complete"), eval.stderr)

        // With the 2n-pass probe the page head reads the probe-prompt caches (built here, then recorded).
        let probe = try train(config, runDir: "probe", ["train.mode=cached", "train.encoder_run=\(work.appendingPathComponent("enc").path)",
                                                        "train.cache_dir=\(work.appendingPathComponent("killed").path)", "train.steps=2",
                                                        "train.eval_every=2", "page_head.probe=true"])
        XCTAssertEqual(probe.status, 0, probe.stderr)
        let probeInfo = try String(contentsOf: work.appendingPathComponent("probe/run.json"), encoding: .utf8)
        XCTAssertTrue(probeInfo.contains("\"role\" : \"probe\""), probeInfo)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent("killed").path)
                        .filter { $0.hasSuffix(".h5") }.count, 5, "answer caches of train, dev and val (eval), probe caches of train and dev")

        // A flipped byte in any dataset of the train cache is refused when cached training opens it.
        for dataset in ["summaries", "question_ids", "page_indices", "page_ids", "slot_tokens"] {
            let dir = work.appendingPathComponent("damaged-\(dataset)")
            try FileManager.default.copyItem(at: work.appendingPathComponent("killed"), to: dir)
            let file = dir.appendingPathComponent(b.url.lastPathComponent)
            try HDF5ByteDamage.flip(file: file.path, dataset: dataset, row: 5)
            let refused = try train(config, runDir: "damaged-run-\(dataset)", ["train.mode=cached", "train.encoder_run=\(work.appendingPathComponent("enc").path)",
                                                                              "train.cache_dir=\(dir.path)", "train.steps=2", "train.eval_every=2"])
            XCTAssertEqual(refused.status, 1, "\(dataset): \(refused.stderr)")
            XCTAssertTrue(refused.stderr.contains("\(file.path): dataset '\(dataset)': row 5 (questionId ")
                          && refused.stderr.contains("stored digest does not match its bytes; the file is damaged — rebuild it with mpvqa cache"),
                          "\(dataset): \(refused.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("damaged-run-\(dataset)/metrics.jsonl").path))
        }
    }

    /// `h5dump -H` (when installed) lists every attribute and dataset of the documented schema.
    func assertH5dumpShowsSchema(_ url: URL) throws {
        let h5dump = ["/usr/bin/h5dump", "/usr/local/bin/h5dump"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let h5dump else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: h5dump)
        process.arguments = ["-H", url.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        for name in ["format", "version", "K", "d", "dtype", "encoder_hash", "prompt_template", "complete", "rows", "split", "cache_key", "tokenizer_hash"] {
            XCTAssertTrue(text.contains("ATTRIBUTE \"\(name)\""), "h5dump -H lacks attribute \(name)")
        }
        for name in ["summaries", "question_ids", "page_indices", "page_ids", "slot_tokens", "row_digests"] {
            XCTAssertTrue(text.contains("DATASET \"\(name)\""), "h5dump -H lacks dataset \(name)")
        }
    }

    /// Caches written by h5py (`Fixtures/make_external_features.sh`, the README's external
    /// encoder script) train in cached mode, the loss falls, and eval answers from them.
    func testH5pyWrittenFeaturesTrainInCachedMode() throws {
        let config = try writeConfig(steps: 60)
        let result = try train(config, runDir: "external", ["train.mode=cached", "train.features.train=\(try fixture("external_train.h5").path)",
                                                           "train.features.dev=\(try fixture("external_dev.h5").path)",
                                                           "train.features.val=\(try fixture("external_val.h5").path)"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let rows = try String(contentsOf: work.appendingPathComponent("external/metrics.jsonl"), encoding: .utf8)
            .split(separator: "\n").compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let losses = rows.compactMap { $0["answer_loss"] as? Double }
        XCTAssertGreaterThan(losses.count, 3)
        XCTAssertLessThan(try XCTUnwrap(losses.last), try XCTUnwrap(losses.first) * 0.8, "answer loss \(losses)")
        let info = try String(contentsOf: work.appendingPathComponent("external/run.json"), encoding: .utf8)
        XCTAssertTrue(info.contains("external_train.h5") && info.contains("external_dev.h5"), info)
        let eval = try mpvqa(["eval", "--run", work.appendingPathComponent("external").path, "--data-dir", work.appendingPathComponent("data").path])
        XCTAssertEqual(eval.status, 0, eval.stderr)
    }

    /// Wrong caches and settings are refused before training, naming the file and attribute
    /// (or the key) and both values.
    func testCachedModeRefusesWrongCachesWithReasons() throws {
        let config = try writeConfig(steps: 2)
        let trainFile = try fixture("external_train.h5").path, valFile = try fixture("external_dev.h5").path
        func refused(_ sets: [String], _ expected: [String], _ line: UInt = #line) throws {
            let result = try train(config, runDir: "r\(UUID().uuidString.prefix(8))", ["train.mode=cached"] + sets)
            XCTAssertNotEqual(result.status, 0, "accepted: \(sets)", line: line)
            for text in expected { XCTAssertTrue(result.stderr.contains(text), "'\(text)' not in: \(result.stderr)", line: line) }
        }
        try refused([], ["train.encoder_run"])
        try refused(["train.features.train=\(trainFile)", "train.features.dev=\(valFile)", "train.page_window=2"], ["train.page_window"])
        try refused(["train.features.train=\(trainFile)", "train.features.dev=\(valFile)", "encoder.summary_tokens=8"],
                    ["external_train.h5", "attribute 'K'", "is 4", "K = 8"])
        try refused(["train.features.train=\(trainFile)", "train.features.dev=\(trainFile)"], ["external_train.h5", "questionId"])

        let incomplete = work.appendingPathComponent("incomplete.h5")
        let pattern = try mpvqa(["cache", "write-pattern", incomplete.path, "--rows", "8", "--K", "4", "--d", "32", "--no-finish"])
        XCTAssertEqual(pattern.status, 0, pattern.stderr)
        try refused(["train.features.train=\(trainFile)", "train.features.dev=\(incomplete.path)"], ["incomplete.h5", "attribute 'complete'", "incomplete"])

        let truncated = work.appendingPathComponent("truncated.h5")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: valFile))
        try bytes.prefix(bytes.count / 3).write(to: truncated)
        try refused(["train.features.train=\(trainFile)", "train.features.dev=\(truncated.path)"], ["truncated.h5"])
    }
}
