import XCTest
import Training

final class ConfigTests: XCTestCase {
    let manifest = """
    name: pooling-ablation
    dataset: {synthetic: {train: 40, val: 5, seed: 7}}
    model: {d_model: 64, heads: 4}
    prompts: {plain: "question: {question}", terse: "q: {question}"}
    page_head: {pooling: attention, probe: false}
    train: {steps: 20, warmup_steps: 5, lr: 3e-4, page_loss_weight: 1.0}
    grid: {page_head.pooling: [max, mean], page_head.probe: [false, true]}
    seeds: [1, 2]
    """

    func testManifestParsesIntoTypedValuesAndGridCells() throws {
        let doc = try ConfigDocument.parse(manifest, source: "m.yaml")
        let base = try RunSettings(doc.base)
        XCTAssertEqual(base.name, "pooling-ablation")
        XCTAssertEqual(base.dataset.synthetic.train, 40)
        XCTAssertEqual(base.train.lr, 3e-4)
        XCTAssertEqual(base.model.ffn, 1024, "default")
        XCTAssertEqual(try doc.base.prompt("terse", referencedBy: "encoder.prompt"), "q: {question}")
        let cells = try doc.cells()
        XCTAssertEqual(cells.count, 8)
        XCTAssertEqual(cells.first?.name, "pooling=max,probe=false,seed=1")
        let last = try XCTUnwrap(cells.last.map { try RunSettings($0.config) })
        XCTAssertEqual(last.pageHead.pooling, .mean)
        XCTAssertEqual(last.pageHead.probe, true)
        XCTAssertEqual(last.train.seed, 2)
    }

    func testUnknownKeysAndWrongTypesAreRefusedWithTheClosestKey() {
        XCTAssertThrowsError(try ConfigDocument.parse("train: {lrr: 0.1}", source: "c.yaml")) {
            XCTAssertEqual("\($0)", "c.yaml:1: train.lrr: unknown key (did you mean train.lr?)")
        }
        XCTAssertThrowsError(try ConfigDocument.parse("train:\n  steps: many\n", source: "c.yaml")) {
            XCTAssertEqual("\($0)", "c.yaml:2: train.steps: many: expected an integer in 1…100000000")
        }
        XCTAssertThrowsError(try ConfigDocument.parse("page_head: {pooling: median}", source: "c.yaml")) {
            XCTAssertEqual("\($0)", "c.yaml:1: page_head.pooling: median: expected one of max, mean, attention, first")
        }
        XCTAssertThrowsError(try ConfigDocument.parse("grid: {model.dmodel: [1, 2]}", source: "c.yaml")) {
            XCTAssertEqual("\($0)", "c.yaml:1: model.dmodel: unknown key (did you mean model.d_model?)")
        }
        var config = Config()
        XCTAssertThrowsError(try config.apply(overrides: ["train.stepz=3"])) {
            XCTAssertEqual("\($0)", "--set: train.stepz: unknown key (did you mean train.steps?)")
        }
        XCTAssertThrowsError(try config.apply(overrides: ["train.steps=\"3\""])) {
            XCTAssertEqual("\($0)", "--set: train.steps: \"3\": expected an integer in 1…100000000 (without quotes: a quoted value is text)")
        }
    }

    func testOverridesAndResolvedYamlRoundTrip() throws {
        var config = try ConfigDocument.parse(manifest, source: "m.yaml").base
        try config.apply(overrides: ["train.lr=0.001", "encoder.prompt=terse", "prompts.probe2=is it here: {question}"])
        XCTAssertEqual(try RunSettings(config).train.lr, 0.001)
        XCTAssertEqual(try RunSettings(config).encoder.prompt, "q: {question}")
        let reparsed = try ConfigDocument.parse(config.yaml, source: "resolved.yaml").base
        XCTAssertEqual(reparsed.values, config.values)
        XCTAssertEqual(reparsed.prompts, config.prompts)
    }

    func testDefaultsDecodeAndEveryKeyHasARangeOrOptions() throws {
        let settings = try RunSettings(Config())
        XCTAssertEqual(settings.train.steps, 2000)
        XCTAssertEqual(settings.encoder.prompt, "question: {question}")
        XCTAssertEqual(settings.model.activation, .gelu)
    }

    func testRangesAndCrossKeyRulesNameFileLineKeyValueAndExpectation() throws {
        func problem(_ yaml: String, _ overrides: [String] = []) -> String {
            do {
                var config = try ConfigDocument.parse(yaml, source: "c.yaml").base
                try config.apply(overrides: overrides)
                _ = try RunSettings(config)
                return "no problem"
            } catch { return "\(error)" }
        }
        XCTAssertEqual(problem("train: {steps: 0}"), "c.yaml:1: train.steps: 0: expected an integer in 1…100000000")
        XCTAssertEqual(problem("train: {lr: .nan}"), "c.yaml:1: train.lr: .nan: expected a number in 1e-12…1e12")
        XCTAssertEqual(problem("name: x\nmodel:\n  d_model: 30\n"),
                       "c.yaml:3: model.d_model: 30: expected a multiple of model.heads (4, the default)")
        XCTAssertEqual(problem("model: {d_model: 64, heads: 5}"), "c.yaml:1: model.heads: 5: expected a divisor of model.d_model (64)")
        XCTAssertEqual(problem("train: {steps: 10}"), "c.yaml:1: train.steps: 10: expected at least train.warmup_steps (100, the default)")
        XCTAssertEqual(problem("name: x", ["train.warmup_steps=5000"]), "--set: train.warmup_steps: 5000: expected at most train.steps (2000, the default)")
        XCTAssertEqual(problem("tokenizer: {vocab: 10}"), "c.yaml:1: tokenizer.vocab: 10: expected at least 294 (256 byte tokens + 38 special tokens)")
        XCTAssertEqual(problem("dataset: {synthetic: {max_pages: 3}}\ntrain: {page_window: 4}"),
                       "c.yaml:2: train.page_window: 4: expected at most dataset.synthetic.max_pages (3), or 0 for all pages")
        XCTAssertEqual(problem("encoder: {prompt: nope}"), "c.yaml:1: encoder.prompt: nope: expected a prompt defined under prompts: (plain, probe)")
        XCTAssertEqual(problem(""), "c.yaml: holds no settings (only comments or blank lines): expected YAML sections (name:, train:, ...)")
        XCTAssertEqual(problem("model: [1, 2]"),
                       "c.yaml:1: model: expected a mapping of keys (model.d_model, model.heads, model.encoder_layers, ...), got a list")
        XCTAssertEqual(problem("train: {steps: -1, threads: -1}"),
                       "c.yaml:1: train.steps: -1: expected an integer in 1…100000000\nc.yaml:1: train.threads: -1: expected an integer in 0…1024",
                       "every problem of the file at once")
    }
}
