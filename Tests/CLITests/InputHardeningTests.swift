import Foundation
import TestSupport
import XCTest

/// Every user input gets a clear error or correct behaviour, never a signal: the rows of
/// the README's "Errors" section, and a seeded fuzz of every config key, on the built binary.
final class InputHardeningTests: WorkDirectoryTestCase {
    var fixtures: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("DocDataTests/Fixtures/dataset/good")
    }

    /// The small config of the CLI training tests.
    func writeSmallConfig(_ extra: String = "") throws -> URL {
        let url = work.appendingPathComponent("small.yaml")
        try """
        name: tiny
        dataset: {synthetic: {train: 24, val: 8, test: 4, seed: 5, max_pages: 3}}
        tokenizer: {vocab: 700}
        model: {d_model: 32, heads: 2, encoder_layers: 1, decoder_layers: 1, ffn: 64}
        encoder: {summary_tokens: 4, max_ocr_tokens: 200}
        train: {steps: 20, batch_questions: 4, lr: 3e-3, warmup_steps: 5, eval_every: 10, eval_questions: 8}
        \(extra)
        """.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try BuiltProducts.runMPVQA(arguments)
    }

    /// A refusal: non-zero, not a signal, one line on stderr containing `expected`, no raw Foundation dump.
    func assertClearError(_ result: (status: Int32, stdout: String, stderr: String), _ expected: String,
                          file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNotEqual(result.status, 0, "accepted: \(result.stdout)", file: file, line: line)
        XCTAssertLessThan(result.status, 128, "exited by signal: \(result.stderr)", file: file, line: line)
        let message = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertFalse(message.contains("\n"), "not one line: \(message)", file: file, line: line)
        XCTAssertTrue(message.contains(expected), "expected '\(expected)' in: \(message.prefix(500))", file: file, line: line)
        XCTAssertLessThan(message.count, 600, "a message this long echoes input: \(message.prefix(300))", file: file, line: line)
        for raw in ["NSCocoaErrorDomain", "Fatal error", "Illegal instruction"] {
            XCTAssertFalse(message.contains(raw), message, file: file, line: line)
        }
    }

    // MARK: The issue's table, row by row

    func testOutOfRangeOverridesAreRefusedBeforeAnyWork() throws {
        let config = try writeSmallConfig()
        let rows: [(String, String)] = [
            ("train.steps=-1", "--set: train.steps: -1: expected an integer in 1…"),
            ("train.warmup_steps=-5", "train.warmup_steps: -5: expected an integer in 0…"),
            ("train.batch_questions=0", "train.batch_questions: 0: expected an integer in 1…"),
            ("dataset.synthetic.train=0", "dataset.synthetic.train: 0: expected an integer in 1…"),
            ("tokenizer.vocab=10", "tokenizer.vocab: 10: expected at least 294 (256 byte tokens + 38 special tokens)"),
            ("train.lr=-1", "train.lr: -1: expected a number in 1e-12…"),
            ("train.steps=0", "train.steps: 0: expected an integer in 1…"),
            ("dataset.synthetic.val=0", "dataset.synthetic.val: 0: expected an integer in 1…"),
            ("eval.beams=0", "eval.beams: 0: expected an integer in 1…"),
            ("train.threads=-1", "train.threads: -1: expected an integer in 0…"),
            ("train.time_limit_minutes=-5", "train.time_limit_minutes: -5: expected a number in 0…"),
            ("model.heads=3", "model.heads: 3: expected a divisor of model.d_model (32)"),
            ("train.warmup_steps=50", "train.warmup_steps: 50: expected at most train.steps (20)"),
            ("train.page_window=4", "train.page_window: 4: expected at most dataset.synthetic.max_pages (3)"),
        ]
        for (override, expected) in rows {
            let result = try run(["train", "--config", config.path, "--set", override, "--run-dir", work.appendingPathComponent("r").path,
                                  "--data-dir", work.appendingPathComponent("data").path])
            assertClearError(result, expected)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("r").path), "a refused config wrote a run")
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("data").path), "a refused config generated data")
    }

    func testCachedModeWithoutAnEncoderIsRefused() throws {
        let config = try writeSmallConfig()
        let args = ["train", "--config", config.path, "--run-dir", work.appendingPathComponent("r").path, "--data-dir", work.appendingPathComponent("data").path]
        assertClearError(try run(args + ["--set", "train.mode=cached"]), "train.encoder_run: \"\": expected a run directory whose frozen encoder")
        assertClearError(try run(args + ["--set", "train.mode=cached", "--set", "train.encoder_run=/nonexistent"]),
                         "train.encoder_run: /nonexistent: expected an mpvqa run directory")
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("data").path), "a refused config generated data")
    }

    func testConfigFilesThatAreNotConfigsGetPlainMessages() throws {
        let cases: [(String, [UInt8]?, String)] = [
            ("empty.yaml", [], "the file is empty"),
            ("comments.yaml", Array("# nothing here\n".utf8), "holds no settings"),
            ("quoted.yaml", Array("train:\n  steps: \"2\"\n".utf8), "quoted.yaml:2: train.steps: \"2\": expected an integer in 1…100000000 (without quotes: a quoted value is text)"),
            ("list.yaml", Array("model: [1, 2]\n".utf8), "list.yaml:1: model: expected a mapping of keys (model.d_model"),
            ("utf8.yaml", Array("name: ok\n".utf8) + [0xFF, 0xFE, 0x0A], "not UTF-8 text (first invalid byte at offset 9)"),
            ("bad.yaml", Array("train: {steps: 3\n".utf8), "bad.yaml: not valid YAML"),
            ("deep.yaml", Array(("train: " + String(repeating: "{a: ", count: 50_000) + "\n").utf8), "deep.yaml: not valid YAML"),
            ("dir.yaml", nil, "cannot read the config: it is a directory"),
        ]
        for (name, bytes, expected) in cases {
            let url = work.appendingPathComponent(name)
            if let bytes { try Data(bytes).write(to: url) } else { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
            assertClearError(try run(["train", "--config", url.path, "--run-dir", work.appendingPathComponent("r").path]), expected)
            assertClearError(try run(["config", "check", url.path]), expected)
        }
        assertClearError(try run(["config", "check", work.appendingPathComponent("missing.yaml").path]), "cannot read the config: no such file")
    }

    func testAnUnwritableRunDirectoryIsNamedInPlainWords() throws {
        let config = try writeSmallConfig()
        let file = work.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: file)
        let result = try run(["train", "--config", config.path, "--run-dir", file.appendingPathComponent("run").path,
                              "--data-dir", work.appendingPathComponent("data").path])
        assertClearError(result, "cannot create directory \(file.appendingPathComponent("run").path): \(file.path) is a file, not a directory")
    }

    /// A refused resume leaves the run untouched (config.yaml and eval still work); a resume
    /// after a kill logs each training step once.
    func testRefusedResumeWritesNothingAndResumedMetricsHoldEachStepOnce() throws {
        let config = try writeSmallConfig()
        let runDir = work.appendingPathComponent("run"), data = work.appendingPathComponent("data")
        let first = try run(["train", "--config", config.path, "--run-dir", runDir.path, "--data-dir", data.path, "--set", "train.steps=10"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let before = try Data(contentsOf: runDir.appendingPathComponent("config.yaml"))
        let refused = try run(["train", "--config", config.path, "--run-dir", runDir.path, "--data-dir", data.path, "--resume",
                               "--set", "model.d_model=64", "--set", "train.steps=10"])
        assertClearError(refused, "--resume: refused, nothing was written: model.d_model is 64 here but 32 in the run")
        XCTAssertEqual(try Data(contentsOf: runDir.appendingPathComponent("config.yaml")), before, "config.yaml changed")
        let eval = try run(["eval", "--run", runDir.path, "--data-dir", data.path])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        assertClearError(try run(["eval", "--run", runDir.path, "--data-dir", data.path, "--beams", "1000"]), "--beams: 1000: expected an integer in 1…64")
        assertClearError(try run(["eval", "--run", runDir.path, "--data-dir", data.path, "--split", "nope"]), "nope.json: question file not found")

        // Steps 11…13 logged after the checkpoint at 10 (as a killed run leaves them), then a resume to 20.
        let metrics = runDir.appendingPathComponent("metrics.jsonl")
        let stale = (11...13).map { "{\"loss\":1,\"step\":\($0)}\n" }.joined() + "{\"step\":1"
        let handle = try FileHandle(forWritingTo: metrics)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(stale.utf8))
        try handle.close()
        let resumed = try run(["train", "--config", config.path, "--run-dir", runDir.path, "--data-dir", data.path, "--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let lines = try String(contentsOf: metrics, encoding: .utf8).split(separator: "\n")
        var seen = Set<String>()
        for line in lines {
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], String(line))
            let step = try XCTUnwrap(object["step"] as? Int)
            let kind = object["dev_anls"] != nil ? "val" : "train"
            XCTAssertTrue(seen.insert("\(kind)@\(step)").inserted, "\(kind) record of step \(step) appears twice")
        }
        XCTAssertTrue(seen.contains("train@12"), "the resumed steps are logged")
        XCTAssertTrue(seen.contains("val@20"))
    }

    func testEmptyAndUnanswerableSplitsAreProblemsAndRefusedByTraining() throws {
        let root = work.appendingPathComponent("ds")
        try FileManager.default.copyItem(at: fixtures, to: root)
        try Data("{\"data\": []}".utf8).write(to: root.appendingPathComponent("train.json"))
        let validate = try run(["data", "validate", root.path])
        XCTAssertEqual(validate.status, 1)
        XCTAssertTrue(validate.stdout.contains("train.json: data: empty; expected at least one question"), validate.stdout)
        let config = try writeSmallConfig()
        let train = try run(["train", "--config", config.path, "--set", "dataset.mpdocvqa.root=\(root.path)",
                             "--run-dir", work.appendingPathComponent("r").path, "--data-dir", work.appendingPathComponent("data").path])
        XCTAssertNotEqual(train.status, 0)
        XCTAssertLessThan(train.status, 128)
        XCTAssertTrue(train.stderr.contains("train.json: data: empty; expected at least one question"), train.stderr)

        try Data("""
        {"data": [{"questionId": 1, "question": "q?", "doc_id": "docC", "page_ids": ["docC_p1"], "answers": ["  "], "answer_page_idx": 0}]}
        """.utf8).write(to: root.appendingPathComponent("train.json"))
        let blank = try run(["data", "validate", root.path, "--split", "train"])
        XCTAssertEqual(blank.status, 1)
        XCTAssertTrue(blank.stdout.contains("questionId 1: answers: every answer is blank"), blank.stdout)
    }

    func testStrictSubmissions() throws {
        let gold = fixtures.appendingPathComponent("val.json")
        // questionId 201 has 1 page, 202 has 2 pages.
        func score(_ text: String) throws -> (status: Int32, stdout: String, stderr: String) {
            let url = work.appendingPathComponent("sub-\(UUID().uuidString).json")
            try Data(text.utf8).write(to: url)
            return try run(["score", "--gold", gold.path, "--predictions", url.path])
        }
        func entries(_ a: String, _ b: String) -> String {
            "[{\"questionId\": 201, \"answer\": \"Hello\", \(a)}, {\"questionId\": 202, \"answer\": \"4711\", \(b)}]"
        }
        let good = try score(entries("\"answer_page\": 0, \"page_scores\": [1]", "\"answer_page\": 0, \"page_scores\": [2, 1]"))
        XCTAssertEqual(good.status, 0, good.stderr)
        assertClearError(try score(entries("\"answer_page\": 0", "\"answer_page\": 2")),
                         "questionId 202: answer_page: 2 is outside the document's 2 pages (expected 0…1)")
        assertClearError(try score(entries("\"answer_page\": -1", "\"answer_page\": 0")),
                         "questionId 201: answer_page: -1 is outside the document's 1 page (expected 0…0)")
        assertClearError(try score(entries("\"answer_page\": 0", "\"answer_page\": 99")), "questionId 202: answer_page: 99 is outside")
        assertClearError(try score(entries("\"answer_page\": 0", "\"answer_page\": 0, \"page_scores\": [1]")),
                         "questionId 202: page_scores: 1 score for a 2-page document (expected one per page)")
        assertClearError(try score(entries("\"answer_page\": 0", "\"answer_page\": 0, \"page_scores\": [NaN, 1]")),
                         "NaN or Infinity is not a finite JSON number (byte offset ")
        assertClearError(try score(entries("\"answer_page\": 0", "\"answer_page\": 0, \"page_scores\": [1e999, 1]")),
                         "not a finite JSON number (byte offset ")
        assertClearError(try score(""), "the file is empty (0 bytes)")
        assertClearError(try run(["score", "--gold", fixtures.path, "--predictions", gold.path]), "cannot read the question file: it is a directory")
        let full = entries("\"answer_page\": 0", "\"answer_page\": 0")
        assertClearError(try score(String(full.prefix(40))), "invalid JSON at byte offset 40")
        assertClearError(try score(entries("\"answer_page\": true", "\"answer_page\": 0")), "questionId 201: answer_page: expected an integer page index")
    }

    func testDatasetSymlinksMustStayInsideTheRoot() throws {
        let root = work.appendingPathComponent("ds")
        try FileManager.default.copyItem(at: fixtures, to: root)
        let fm = FileManager.default
        let outside = work.appendingPathComponent("secret.txt")
        try Data("top secret password line\n".utf8).write(to: outside)
        try fm.removeItem(at: root.appendingPathComponent("images/docC_p1.jpg"))
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("images/docC_p1.jpg").path, withDestinationPath: outside.path)
        try fm.removeItem(at: root.appendingPathComponent("images/docB_p1.png"))
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("images/docB_p1.png").path, withDestinationPath: "docB_p1.png")
        try fm.removeItem(at: root.appendingPathComponent("ocr/docA_p3.json"))
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("ocr/docA_p3.json").path, withDestinationPath: "../../secret.txt")
        // A link that stays inside the root is fine.
        try fm.removeItem(at: root.appendingPathComponent("images/docA_p2.jpg"))
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("images/docA_p2.jpg").path, withDestinationPath: "docA_p1.jpg")
        let result = try run(["data", "validate", root.path])
        XCTAssertEqual(result.status, 1)
        for expected in ["images/docC_p1.jpg: a symlink to a file outside the dataset root; refused",
                         "images/docB_p1.png: symlink loop",
                         "ocr/docA_p3.json: a symlink to a file outside the dataset root; refused"] {
            XCTAssertTrue(result.stdout.contains(expected), "missing: \(expected)\n\(result.stdout)")
        }
        XCTAssertFalse(result.stdout.contains("docA_p2"), result.stdout)
        XCTAssertFalse((result.stdout + result.stderr).contains("secret"), "bytes of a file outside the root were printed")
    }

    // MARK: Seeded fuzz of every config key

    /// Every key × {above the range, zero, negative, huge, NaN, a list, a quoted number}
    /// through `mpvqa config check`: never a signal, never exit 0 on a value outside the key's
    /// type or range, and every refusal is one line naming the key.
    func testConfigFuzzEveryKeyNeverCrashesAndRefusesInvalidValues() throws {
        let listing = try run(["config", "keys", "--json"])
        XCTAssertEqual(listing.status, 0, listing.stderr)
        let keys = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(listing.stdout.utf8)) as? [[String: Any]])
        XCTAssertGreaterThan(keys.count, 50)
        struct Case: Sendable { let key: String; let yamlValue: String; let mustFail: Bool }
        var cases: [Case] = []
        for row in keys {
            let key = try XCTUnwrap(row["key"] as? String), type = try XCTUnwrap(row["type"] as? String)
            let minimum = (row["min"] as? NSNumber)?.doubleValue, maximum = (row["max"] as? NSNumber)?.doubleValue
            let numeric = type == "int" || type == "double"
            func outside(_ v: Double) -> Bool { numeric && (v < (minimum ?? 0) || v > (maximum ?? 0)) }
            let above = (maximum ?? 1) + 1
            let candidates: [(String, Double?, Bool)] = [
                (type == "int" ? String(Int(above)) : String(above), above, false),
                ("0", 0, false), ("-1", -1, false), ("1e300", 1e300, false),
                (".nan", nil, true), ("[1, 2]", nil, true), ("\"3\"", nil, true),
            ]
            for (text, value, alwaysWrongForNumbers) in candidates {
                var mustFail = value.map(outside) ?? false
                if numeric && alwaysWrongForNumbers { mustFail = true }
                if type == "bool" || type == "choice" { mustFail = true }  // none of these values is a boolean or an option
                if text == "[1, 2]" { mustFail = true }
                cases.append(Case(key: key, yamlValue: text, mustFail: mustFail))
            }
        }
        XCTAssertGreaterThanOrEqual(cases.count, 400)

        let dir = work.appendingPathComponent("fuzz")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var urls: [URL] = []
        for (i, c) in cases.enumerated() {
            let parts = c.key.split(separator: ".")
            var yaml = ""
            for (depth, part) in parts.enumerated() {
                yaml += String(repeating: "  ", count: depth) + part + ":" + (depth == parts.count - 1 ? " \(c.yamlValue)\n" : "\n")
            }
            let url = dir.appendingPathComponent("case\(i).yaml")
            try Data(yaml.utf8).write(to: url)
            urls.append(url)
        }
        final class Failures: @unchecked Sendable {
            let lock = NSLock()
            var items: [String] = []
            func add(_ s: String) { lock.lock(); items.append(s); lock.unlock() }
        }
        let failures = Failures()
        let allCases = cases, files = urls
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for i in stride(from: worker, to: allCases.count, by: 4) {
                let c = allCases[i]
                let label = "\(c.key) = \(c.yamlValue)"
                guard let result = try? BuiltProducts.runMPVQA(["config", "check", files[i].path]) else {
                    failures.add("\(label): could not run"); continue
                }
                var problem: String? = nil
                let message = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
                if result.status >= 128 { problem = "signal exit \(result.status)" }
                else if result.status == 0 && c.mustFail { problem = "accepted an invalid value" }
                else if result.status != 0 && (message.contains("\n") || !message.contains(c.key) && !message.contains(String(c.key.split(separator: ".").first ?? ""))) {
                    problem = "unclear message: \(message)"
                }
                if let problem { failures.add("\(label): \(problem)") }
            }
        }
        XCTAssertTrue(failures.items.isEmpty, failures.items.sorted().prefix(20).joined(separator: "\n"))
    }
}
