import Experiments
import Foundation
import Training
import XCTest

/// Manifest errors are caught while loading, before any work, naming file:line, the key path
/// and a suggestion.
final class ManifestValidationTests: XCTestCase {
    var work: URL!

    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("mpvqa-manifest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: work) }

    func load(_ text: String, overrides: [String] = []) throws -> Manifest {
        let url = work.appendingPathComponent("m.yaml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return try Manifest.load(url, overrides: overrides)
    }

    func assertError(_ text: String, overrides: [String] = [], contains parts: [String], file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try load(text, overrides: overrides)
            XCTFail("no error for:\n\(text)", file: file, line: line)
        } catch {
            let message = "\(error)"
            for part in parts { XCTAssertTrue(message.contains(part), "'\(message)' lacks '\(part)'", file: file, line: line) }
        }
    }

    func testUnknownKeyNamesLineAndClosestKey() {
        assertError("name: m\nmodel: {d_model: 64}\ntrain: {steps: 10, lrr: 1e-3}\n", contains: ["m.yaml:3", "train.lrr", "unknown key", "did you mean train.lr?"])
    }

    func testGridKeyThatDoesNotExist() {
        assertError("name: m\ngrid: {page_head.poolin: [max, mean]}\n", contains: ["m.yaml:2", "page_head.poolin", "unknown key", "did you mean page_head.pooling?"])
    }

    func testWrongTypesInGridAndRuns() {
        assertError("name: m\ngrid: {train.steps: [10, ten]}\n", contains: ["m.yaml:2", "train.steps", "ten: expected an integer"])
        assertError("name: m\ngrid: {page_head.pooling: [max, median]}\n", contains: ["page_head.pooling", "one of max, mean, attention, first"])
        assertError("name: m\nruns:\n  - name: a\n    set: {train.lr: fast}\n", contains: ["m.yaml:4", "train.lr", "expected a number"])
        assertError("name: m\nruns:\n  - name: a\n    set: {trian.lr: 1}\n", contains: ["m.yaml:4", "trian.lr", "did you mean train.lr?"])
        assertError("name: m\nseeds: [1, two]\n", contains: ["m.yaml:2", "seeds", "expected an integer"])
    }

    func testValuesOutOfRangeNameTheCell() {
        assertError("name: m\ntrain: {lr: -0.1}\n", contains: ["train.lr", "-0.1", "expected"])
        assertError("name: m\ngrid: {train.batch_questions: [4, 0]}\n", contains: ["m.yaml:2", "train.batch_questions", "0: expected an integer in 1…"])
        // A cross-key rule names the cell it fails in.
        assertError("name: m\ntrain: {steps: 500, warmup_steps: 100}\ngrid: {train.steps: [500, 50]}\n",
                    contains: ["m.yaml:2", "train.warmup_steps", "expected at most train.steps (50)", "cell 'steps=50'"])
        assertError("name: m\nmodel: {d_model: 100, heads: 3}\n", contains: ["model.heads", "divisor of model.d_model"])
        assertError("name: m\ntrain: {steps: 10}\n", overrides: ["train.steps=0"], contains: ["--set", "train.steps", "0: expected an integer in 1…"])
    }

    func testMissingPaths() {
        assertError("name: m\ndataset: {mpdocvqa: {root: /nonexistent/mp-docvqa}}\n", contains: ["dataset.mpdocvqa.root", "no such directory"])
        assertError("name: m\nruns:\n  - name: frozen\n    set: {train.mode: cached, train.encoder_run: /nonexistent/run}\n",
                    contains: ["train.encoder_run", "/nonexistent/run"])
    }

    func testPromptsMustExist() {
        assertError("name: m\nencoder: {prompt: fancy}\n", contains: ["m.yaml:2", "encoder.prompt", "fancy: expected a prompt defined under prompts:"])
    }

    func testExpansionOfGridRunsAndSeeds() throws {
        let m = try load("""
        name: m
        train: {mode: cached, steps: 10, warmup_steps: 2}
        runs:
          - {name: e2e, set: {train.mode: end_to_end, train.steps: 40}, seeds: [9]}
        grid: {page_head.pooling: [max, mean], page_head.probe: [false, true]}
        seeds: [1, 2]
        """)
        XCTAssertEqual(m.variants.map(\.name), ["e2e", "pooling=max,probe=false", "pooling=max,probe=true", "pooling=mean,probe=false", "pooling=mean,probe=true"])
        XCTAssertEqual(m.variants[0].settings.train.steps, 40)
        XCTAssertEqual(m.variants[1].settings.train.steps, 10)
        XCTAssertEqual(m.variants[2].settings.pageHead.probe, true)
        XCTAssertEqual(m.seeds(of: m.variants[0]), [9])
        XCTAssertEqual(m.seeds(of: m.variants[1]), [1, 2])
        XCTAssertEqual(try m.settings(m.variants[1], seed: 2).train.seed, 2)
        XCTAssertTrue(m.variants[1].requestsCachedMode)
        XCTAssertFalse(m.variants[0].requestsCachedMode)
    }
}
