import XCTest
import Training

final class ConfigTests: XCTestCase {
    let manifest = """
    name: pooling-ablation
    dataset: {synthetic: {train: 40, val: 5, seed: 7}}
    model: {d_model: 64, heads: 4}
    prompts: {plain: "question: {question}", terse: "q: {question}"}
    page_head: {pooling: attention, probe: false}
    train: {steps: 20, lr: 3e-4, page_loss_weight: 1.0}
    grid: {page_head.pooling: [max, mean], page_head.probe: [false, true]}
    seeds: [1, 2]
    """

    func testManifestParsesIntoTypedValuesAndGridCells() throws {
        let doc = try ConfigDocument.parse(manifest, source: "m.yaml")
        XCTAssertEqual(doc.base.string("name"), "pooling-ablation")
        XCTAssertEqual(doc.base.int("dataset.synthetic.train"), 40)
        XCTAssertEqual(doc.base.double("train.lr"), 3e-4)
        XCTAssertEqual(doc.base.int("model.ffn"), 1024, "default")
        XCTAssertEqual(try doc.base.prompt("terse", referencedBy: "encoder.prompt"), "q: {question}")
        let cells = doc.cells()
        XCTAssertEqual(cells.count, 8)
        XCTAssertEqual(cells.first?.name, "pooling=max,probe=false,seed=1")
        XCTAssertEqual(cells.last?.config.string("page_head.pooling"), "mean")
        XCTAssertEqual(cells.last?.config.bool("page_head.probe"), true)
        XCTAssertEqual(cells.last?.config.int("train.seed"), 2)
    }

    func testUnknownKeysAndWrongTypesAreRefusedWithTheClosestKey() {
        XCTAssertThrowsError(try ConfigDocument.parse("train: {lrr: 0.1}", source: "c.yaml")) {
            XCTAssertEqual("\($0)", "c.yaml:1: train.lrr: unknown key (did you mean train.lr?)")
        }
        XCTAssertThrowsError(try ConfigDocument.parse("train:\n  steps: many\n", source: "c.yaml")) {
            XCTAssertEqual("\($0)", "c.yaml:2: train.steps: expected an integer, got 'many'")
        }
        XCTAssertThrowsError(try ConfigDocument.parse("page_head: {pooling: median}", source: "c.yaml")) {
            XCTAssertEqual("\($0)", "c.yaml:1: page_head.pooling: expected one of max, mean, attention, first, got 'median'")
        }
        XCTAssertThrowsError(try ConfigDocument.parse("grid: {model.dmodel: [1, 2]}", source: "c.yaml")) {
            XCTAssertEqual("\($0)", "c.yaml:1: model.dmodel: unknown key (did you mean model.d_model?)")
        }
        var config = Config()
        XCTAssertThrowsError(try config.apply(overrides: ["train.stepz=3"])) {
            XCTAssertEqual("\($0)", "--set: train.stepz: unknown key (did you mean train.steps?)")
        }
        XCTAssertThrowsError(try config.apply(overrides: ["train.steps=\"3\""])) {
            XCTAssertEqual("\($0)", "--set: train.steps: expected an integer, got '3'")
        }
    }

    func testOverridesAndResolvedYamlRoundTrip() throws {
        var config = try ConfigDocument.parse(manifest, source: "m.yaml").base
        try config.apply(overrides: ["train.lr=0.001", "encoder.prompt=terse", "prompts.probe2=is it here: {question}"])
        XCTAssertEqual(config.double("train.lr"), 0.001)
        let reparsed = try ConfigDocument.parse(config.yaml, source: "resolved.yaml").base
        XCTAssertEqual(reparsed.values, config.values)
        XCTAssertEqual(reparsed.prompts, config.prompts)
    }
}
