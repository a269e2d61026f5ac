import Foundation
import TestSupport
import XCTest

/// An imported T5 with a SentencePiece Unigram tokenizer through the built tool — `train`
/// (`train.init_from`), `cache`, `eval`, `generate` — and `mpvqa generate`'s one-line errors
/// (README "`mpvqa generate`", "Hugging Face T5 import and export").
final class GenerateCommandTests: WorkDirectoryTestCase {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../TrainingTests/Fixtures/hf-t5").standardizedFileURL

    func mpvqa(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try BuiltProducts.runMPVQA(arguments)
    }

    /// `mpvqa import-hf` of the Flan fixture with the generation fixture's Unigram tokenizer.
    func importFlan() throws -> URL {
        let source = work.appendingPathComponent("hf")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        for file in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(at: fixtures.appendingPathComponent("flan/\(file)"), to: source.appendingPathComponent(file))
        }
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("generate/tokenizer.json"), to: source.appendingPathComponent("tokenizer.json"))
        let run = work.appendingPathComponent("imported")
        let result = try mpvqa(["import-hf", source.path, "--out", run.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        return run
    }

    func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }

    func testImportedUnigramRunTrainsCachesEvaluatesAndGenerates() throws {
        let imported = try importFlan()
        // The imported run's config.yaml gives the model shape; the tiny synthetic set and a few steps are set on top.
        let config = imported.appendingPathComponent("config.yaml")
        let overrides = ["name=finetune", "dataset.synthetic.train=24", "dataset.synthetic.val=8", "dataset.synthetic.test=4",
                         "dataset.synthetic.seed=5", "dataset.synthetic.max_pages=3", "train.steps=3", "train.batch_questions=2",
                         "train.lr=1e-3", "train.warmup_steps=1", "train.eval_every=3", "train.eval_questions=4",
                         "train.init_from=\(imported.path)"].flatMap { ["--set", $0] }
        let run = work.appendingPathComponent("finetune"), data = work.appendingPathComponent("data")
        let trained = try mpvqa(["train", "--config", config.path, "--run-dir", run.path, "--data-dir", data.path] + overrides)
        XCTAssertEqual(trained.status, 0, trained.stderr)
        XCTAssertTrue(trained.stderr.contains("tokenizer: \(imported.path)/tokenizer.json (train.init_from; Unigram, 163 tokens)"), trained.stderr)
        XCTAssertTrue(trained.stderr.contains("initialised"), trained.stderr)
        // The run keeps the Unigram tokenizer, with Hi-VT5's summary slots added after its 155 pieces.
        let tokenizer = try json(try String(contentsOf: run.appendingPathComponent("tokenizer.json"), encoding: .utf8))
        XCTAssertEqual((tokenizer["model"] as? [String: Any])?["type"] as? String, "Unigram")
        let added = try XCTUnwrap(tokenizer["added_tokens"] as? [[String: Any]])
        XCTAssertEqual(added.first { $0["content"] as? String == "<page_7>" }?["id"] as? Int, 162)

        let cache = try mpvqa(["cache", "--run", run.path, "--split", "val", "--data-dir", data.path,
                               "--cache-dir", work.appendingPathComponent("cache").path])
        XCTAssertEqual(cache.status, 0, cache.stderr)
        XCTAssertTrue(cache.stdout.contains("wrote"), cache.stdout)
        let eval = try mpvqa(["eval", "--run", run.path, "--split", "val", "--data-dir", data.path])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        let metrics = try json(try String(contentsOf: run.appendingPathComponent("eval/val/metrics.json"), encoding: .utf8))
        XCTAssertNotNil(metrics["anls"] as? Double, "\(metrics.keys.sorted())")

        // Two OCR pages of the synthetic set through generate, as JSON.
        let ocr = try XCTUnwrap(FileManager.default.enumerator(at: data, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "json" && $0.deletingLastPathComponent().lastPathComponent == "ocr" }
            .sorted { $0.path < $1.path })
        XCTAssertGreaterThanOrEqual(ocr.count, 2)
        let generated = try mpvqa(["generate", "--run", run.path, "--question", "What is the total?",
                                   "--pages", ocr[0].path, ocr[1].path, "--beams", "2", "--json"])
        XCTAssertEqual(generated.status, 0, generated.stderr)
        let answer = try json(generated.stdout)
        XCTAssertEqual((answer["page_scores"] as? [Double])?.count, 2)
        XCTAssertTrue([0, 1].contains(answer["page"] as? Int ?? -1), generated.stdout)
        XCTAssertNotNil(answer["tokens"] as? [Int])
        XCTAssertNotNil(answer["answer"] as? String)
    }

    /// Through the binary, the imported T5 on one context generates transformers' greedy and 3-beam tokens.
    func testGenerateOnTheImportEqualsTransformers() throws {
        let imported = try importFlan()
        let expected = try json(try String(contentsOf: fixtures.appendingPathComponent("generate/expected.json"), encoding: .utf8))
        let cases = try XCTUnwrap((expected["models"] as? [String: Any])?["flan"] as? [[String: Any]])
        for c in cases.prefix(3) {
            for (beams, key) in [(1, "greedy"), (3, "beam3")] {
                let result = try mpvqa(["generate", "--run", imported.path, "--question", c["question"] as! String,
                                        "--context", c["context"] as! String, "--beams", "\(beams)", "--max-tokens", "10", "--json"])
                XCTAssertEqual(result.status, 0, result.stderr)
                var reference = Array((c[key] as! [Int]).dropFirst())
                while reference.last == 0 { reference.removeLast() }
                let ended = reference.last == 1
                if ended { reference.removeLast() }
                let answer = try json(result.stdout)
                XCTAssertEqual(answer["tokens"] as? [Int], reference, "\(key): \(result.stdout)")
                XCTAssertEqual(answer["ended_with_eos"] as? Bool, ended)
            }
        }
        // The plain-text form names the page and lists the token ids.
        let text = try mpvqa(["generate", "--run", imported.path, "--question", "what is the total?", "--context", "total 12"])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("answer: "), text.stdout)
        XCTAssertTrue(text.stdout.contains("page: 0 (context) by the page head"), text.stdout)
        XCTAssertTrue(text.stdout.contains("tokens: "), text.stdout)
    }

    func testGenerateErrorsAreOneLine() throws {
        let imported = try importFlan()
        let badJSON = work.appendingPathComponent("broken.json")
        try "{\"Blocks\": [".write(to: badJSON, atomically: true, encoding: .utf8)
        let badField = work.appendingPathComponent("nofield.json")
        try #"{"Blocks": [{"BlockType": "WORD", "Geometry": {"BoundingBox": {"Left": 0.1, "Top": 0.1, "Width": 0.1, "Height": 0.1}}}]}"#
            .write(to: badField, atomically: true, encoding: .utf8)
        let base = ["generate", "--run", imported.path, "--question", "what?"]
        let cases: [([String], [String])] = [
            (["generate", "--run", work.appendingPathComponent("missing").path, "--question", "q", "--context", "c"], ["missing", "no config.yaml"]),
            (base + ["--context", "c", "--beams", "0"], ["--beams", "0", "1…64"]),
            (base + ["--context", "c", "--max-tokens", "0"], ["--max-tokens", "1…512"]),
            (base, ["--pages", "--context"]),
            (base + ["--context", "c", "--pages", badJSON.path], ["not both"]),
            (base + ["--pages", work.appendingPathComponent("absent.json").path], ["absent.json", "not found"]),
            (base + ["--pages", badJSON.path], ["broken.json"]),
            (base + ["--pages", badField.path], ["nofield.json", "Blocks[0]", "Text"]),
            (["generate", "--run", imported.path, "--question", " ", "--context", "c"], ["--question", "empty"]),
        ]
        for (arguments, parts) in cases {
            let result = try mpvqa(arguments)
            XCTAssertNotEqual(result.status, 0, "\(arguments)")
            XCTAssertFalse(result.stderr.contains("Fatal error"), result.stderr)
            let lines = result.stderr.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, "\(arguments): \(result.stderr)")
            for part in parts { XCTAssertTrue(result.stderr.contains(part), "\(arguments): '\(result.stderr)' lacks \(part)") }
        }
    }

    /// A BPE run is untouched by the tokenizer generalisation: its tokenizer.json is the data
    /// directory's trained file, byte for byte.
    func testBPERunWritesTheTrainedTokenizerUnchanged() throws {
        let config = try writeTinyConfig(steps: 2, warmupSteps: 1, evalEvery: 2)
        let data = work.appendingPathComponent("data"), run = work.appendingPathComponent("bpe")
        let trained = try mpvqa(["train", "--config", config.path, "--run-dir", run.path, "--data-dir", data.path])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let files = try FileManager.default.contentsOfDirectory(at: data.appendingPathComponent("tokenizers"), includingPropertiesForKeys: nil)
        XCTAssertEqual(files.count, 1)
        XCTAssertEqual(try Data(contentsOf: run.appendingPathComponent("tokenizer.json")), try Data(contentsOf: files[0]))
        let generated = try mpvqa(["generate", "--run", run.path, "--question", "what is the date?", "--context", "date 2020-01-01", "--json"])
        XCTAssertEqual(generated.status, 0, generated.stderr)
        XCTAssertEqual((try json(generated.stdout)["page_scores"] as? [Double])?.count, 1)
    }
}
