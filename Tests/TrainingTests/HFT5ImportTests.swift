import Foundation
import Models
import NeuralNet
import TensorCore
import XCTest
import Training

/// Hugging Face T5 import against transformers' own outputs (README "Hugging Face T5 import
/// and export"): fixtures built offline by `Fixtures/hf-t5/make_fixtures.py`.
final class HFT5ImportTests: XCTestCase {
    static func fixture(_ name: String) throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/hf-t5/\(name)", withExtension: nil))
    }

    /// Largest |a − b| over two tensors of one shape.
    static func maxAbs(_ a: Tensor, _ b: Tensor) -> Double {
        XCTAssertEqual(a.shape, b.shape)
        return zip(a.doubles, b.doubles).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    static func ids(_ t: Tensor) -> [Int32] { t.doubles.map { Int32($0) } }

    /// Encoder states, teacher-forced logits and greedy tokens of every fixture case, as
    /// the plain T5 computes them from the imported Hi-VT5 parts.
    func checkParity(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> (encoder: Double, logits: Double) {
        let dir = try Self.fixture(name)
        let model = try HFT5Import(directory: dir).model
        let expected = try SafeTensorsFile(contentsOf: dir.appendingPathComponent("expected.safetensors"))
        var worstEncoder = 0.0, worstLogits = 0.0
        try withNoGrad {
            for i in 0..<8 {
                let input = Self.ids(try expected.tensor("input_ids.\(i)"))
                let target = Self.ids(try expected.tensor("decoder_input_ids.\(i)"))
                let memory = model.pageEncoder.encoder(model.tokenEmbedding(input, shape: [1, input.count]))
                worstEncoder = max(worstEncoder, Self.maxAbs(memory.reshaped([input.count, model.configuration.modelDim]),
                                                             try expected.tensor("encoder.\(i)")))
                let hidden = model.decoder.stack(model.tokenEmbedding(target, shape: [1, target.count]), memory: memory)
                let logits = model.decoder.logits(hidden).reshaped([target.count, model.configuration.vocabSize])
                worstLogits = max(worstLogits, Self.maxAbs(logits, try expected.tensor("logits.\(i)")))

                let greedy = Self.ids(try expected.tensor("greedy.\(i)"))
                var cache = model.decoder.stack.makeCache(memory: memory)
                var tokens: [Int32] = [greedy[0]]
                for _ in 1..<greedy.count {
                    let h = model.decoder.stack.step(model.tokenEmbedding([tokens.last!], shape: [1, 1]), cache: &cache).output
                    let scores = model.decoder.logits(h).doubles
                    tokens.append(Int32(scores.indices.max { scores[$0] < scores[$1] }!))
                }
                XCTAssertEqual(tokens, greedy, "\(name) case \(i) (\(input.count) input tokens): greedy tokens differ", file: file, line: line)
            }
        }
        XCTAssertLessThanOrEqual(worstEncoder, 1e-4, "\(name): encoder states", file: file, line: line)
        XCTAssertLessThanOrEqual(worstLogits, 1e-4, "\(name): logits", file: file, line: line)
        print("\(name): max abs difference to transformers: encoder \(worstEncoder), logits \(worstLogits)")
        return (worstEncoder, worstLogits)
    }

    func testT5V1ReLUTiedMatchesTransformers() throws {
        _ = try checkParity("v1")
        let t5 = try HFT5Import(directory: try Self.fixture("v1"))
        XCTAssertEqual(t5.model.configuration.activation, .relu)
        XCTAssertNil(t5.model.decoder.outputProjection)
        XCTAssertEqual(t5.model.decoder.outputScale, 1 / 8)
    }

    func testFlanGatedUntiedNarrowHeadsMatchesTransformers() throws {
        _ = try checkParity("flan")
        let m = try HFT5Import(directory: try Self.fixture("flan")).model.configuration
        XCTAssertEqual(m.activation, .gatedGELU)
        XCTAssertEqual(m.headDim, 24)  // 4 heads · 24 = 96 ≠ d_model 64
        XCTAssertEqual(m.normEpsilon, 1e-5)
        XCTAssertEqual(m.untiedOutput, true)
        XCTAssertEqual(m.relativeBuckets, 16)
        XCTAssertEqual(m.relativeMaxDistance, 64)
    }

    /// The sharded bf16 copy imports as the float32 weights rounded to bfloat16.
    func testShardedBFloat16IsConvertedFromTheSameWeights() throws {
        let full = try HFT5Import(directory: try Self.fixture("flan")).model
        let half = try HFT5Import(directory: try Self.fixture("flan-bf16"))
        XCTAssertEqual(half.fromCheckpoint.count, HFT5TensorMap(half.t5).pairs.count)
        let reference = Dictionary(uniqueKeysWithValues: full.namedParameters.map { ($0.name, $0.tensor.doubles) })
        for p in half.model.namedParameters where half.fromCheckpoint.contains(p.name) {
            for (a, b) in zip(p.tensor.doubles, reference[p.name]!) {
                // bfloat16 keeps 8 significant bits: rounding to nearest moves a value by at most 2^-8 of it.
                XCTAssertLessThanOrEqual(abs(a - b), abs(b) * 0.00390625 + 1e-30, p.name)
            }
        }
    }

    /// Fresh input embeddings start at zero, so the imported model reads exactly T5's input.
    func testFreshHiVT5PartsAreReportedAndInputEmbeddingsStartAtZero() throws {
        let imported = try HFT5Import(directory: try Self.fixture("v1"))
        XCTAssertTrue(imported.fresh.contains("pageHead.hidden.weight"))
        XCTAssertTrue(imported.fromExtras.isEmpty)
        XCTAssertTrue(imported.model.pageEncoder.segmentEmbedding.weight.doubles.allSatisfy { $0 == 0 })
        XCTAssertTrue(imported.model.pageMemory.pageEmbedding.weight.doubles.allSatisfy { $0 == 0 })
        XCTAssertTrue(imported.summary.joined().contains("start fresh"))
    }

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hft5-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// import → run directory → export → import gives every parameter bit for bit.
    func testImportExportImportIsIdentical() throws {
        for name in ["v1", "flan"] {
            let tmp = try temporaryDirectory()
            let first = try HFT5Import(directory: try Self.fixture(name), seed: 5)
            let run = tmp.appendingPathComponent("run")
            try first.writeRun(to: run)
            for file in ["config.yaml", "model_configuration.json", "checkpoints/latest.safetensors", "import.json"] {
                XCTAssertTrue(FileManager.default.fileExists(atPath: run.appendingPathComponent(file).path), file)
            }
            XCTAssertThrowsError(try first.writeRun(to: run))  // never over an existing run
            let export = tmp.appendingPathComponent("export")
            try HFT5Export.export(run: run, to: export)
            let second = try HFT5Import(directory: export, seed: 99)
            XCTAssertEqual(second.fromExtras.count, first.fresh.count)
            XCTAssertEqual(second.model.configuration, first.model.configuration)
            let a = first.model.namedParameters, b = second.model.namedParameters
            XCTAssertEqual(a.map(\.name), b.map(\.name))
            for (p, q) in zip(a, b) { XCTAssertEqual(p.tensor.doubles, q.tensor.doubles, "\(name): \(p.name)") }
            // The exported T5 checkpoint holds exactly transformers' names.
            let names = Set(try SafeTensorsFile(contentsOf: export.appendingPathComponent("model.safetensors")).names)
            XCTAssertEqual(names, Set(try HFSafeTensorsCheckpoint(directory: try Self.fixture(name)).names))
        }
    }

    /// The run's config.yaml carries the imported shape in config keys, and `train.init_from`
    /// copies every matching parameter into a fresh model of that shape.
    func testImportedRunConfigDescribesTheShapeAndInitialisesATrainingModel() throws {
        let tmp = try temporaryDirectory()
        let imported = try HFT5Import(directory: try Self.fixture("flan"))
        let run = tmp.appendingPathComponent("run")
        try imported.writeRun(to: run)
        let settings = try RunSettings(try Config.load(run.appendingPathComponent("config.yaml")))
        XCTAssertEqual(settings.model.headDim, 24)
        XCTAssertEqual(settings.model.normEps, 1e-5)
        XCTAssertTrue(settings.model.untiedOutput)
        XCTAssertEqual(settings.model.vocabSize, 300)
        XCTAssertEqual(settings.model.activation, .gatedGELU)

        var rng = SeededRNG(seed: 77)
        let fresh = HiVT5(imported.model.configuration, rng: &rng)
        let line = try RunInitialization.initialise(fresh, from: RunDirectory(run))
        XCTAssertTrue(line.contains("initialised \(fresh.namedParameters.count) of \(fresh.namedParameters.count)"), line)
        for (p, q) in zip(fresh.namedParameters, imported.model.namedParameters) {
            XCTAssertEqual(p.tensor.doubles, q.tensor.doubles, p.name)
        }
        // Another vocabulary is refused at the token embedding.
        var other = imported.model.configuration
        other.vocabSize = 320
        let mismatched = HiVT5(other, rng: &rng)
        XCTAssertThrowsError(try RunInitialization.initialise(mismatched, from: RunDirectory(run))) { error in
            XCTAssertTrue("\(error)".contains("model.tokenEmbedding.weight"), "\(error)")
        }
    }

    // MARK: Bad checkpoints: one line naming file and tensor

    /// A copy of fixture `name` in a temporary directory, with `edit` applied to its
    /// tensors and config (JSON object).
    func brokenCopy(_ name: String, tensors edit: (inout [NamedParameter]) -> Void = { _ in },
                    config editConfig: (inout [String: Any]) -> Void = { _ in }) throws -> URL {
        let source = try Self.fixture(name)
        let dir = try temporaryDirectory()
        var tensors = try SafeTensorsFile(contentsOf: source.appendingPathComponent("model.safetensors")).tensors()
        edit(&tensors)
        try SafeTensors.write(tensors, metadata: ["format": "pt"], to: dir.appendingPathComponent("model.safetensors"))
        var config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: source.appendingPathComponent("config.json"))) as? [String: Any])
        editConfig(&config)
        try JSONSerialization.data(withJSONObject: config).write(to: dir.appendingPathComponent("config.json"))
        return dir
    }

    func assertImportFails(_ dir: URL, mentions parts: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try HFT5Import(directory: dir), file: file, line: line) { error in
            let text = "\(error)"
            XCTAssertFalse(text.contains("\n"), "not one line: \(text)", file: file, line: line)
            for part in parts { XCTAssertTrue(text.contains(part), "'\(text)' does not mention \(part)", file: file, line: line) }
        }
    }

    func testMissingTensorIsNamed() throws {
        let name = "encoder.block.1.layer.1.DenseReluDense.wo.weight"
        let dir = try brokenCopy("v1", tensors: { $0.removeAll { $0.name == name } })
        assertImportFails(dir, mentions: ["model.safetensors", name, "missing"])
    }

    func testExtraTensorIsNamed() throws {
        let dir = try brokenCopy("v1", tensors: { $0.append((name: "encoder.block.7.layer.0.layer_norm.weight", tensor: Tensor.zeros([64]))) })
        assertImportFails(dir, mentions: ["model.safetensors", "encoder.block.7.layer.0.layer_norm.weight", "unexpected"])
    }

    func testWrongShapeIsNamed() throws {
        let name = "decoder.block.0.layer.1.EncDecAttention.k.weight"
        let dir = try brokenCopy("flan", tensors: { t in
            let i = t.firstIndex { $0.name == name }!
            t[i] = (name: name, tensor: Tensor.zeros([96, 32]))
        })
        assertImportFails(dir, mentions: ["model.safetensors", name, "[96, 32]", "[96, 64]"])
    }

    func testUnknownFeedForwardProjectionIsRefused() throws {
        let dir = try brokenCopy("flan", config: { $0["feed_forward_proj"] = "gated-silu"; $0.removeValue(forKey: "dense_act_fn") })
        assertImportFails(dir, mentions: ["config.json", "feed_forward_proj", "gated-silu"])
    }

    func testUnknownArchitectureIsRefused() throws {
        let dir = try brokenCopy("v1", config: { $0["architectures"] = ["BartForConditionalGeneration"] })
        assertImportFails(dir, mentions: ["config.json", "architectures", "BartForConditionalGeneration"])
    }

    func testConfigAndWeightsThatDisagreeAreNamed() throws {
        // d_ff 128 in the weights, 256 in the config.
        let dir = try brokenCopy("v1", config: { $0["d_ff"] = 256 })
        assertImportFails(dir, mentions: ["model.safetensors", "DenseReluDense.wi.weight", "config.json", "[256, 64]"])
        // A gated config over v1.0 weights: the gated tensors are missing.
        let gated = try brokenCopy("v1", config: { $0["feed_forward_proj"] = "gated-gelu"; $0["dense_act_fn"] = "gelu_new" })
        assertImportFails(gated, mentions: ["model.safetensors", "wi_0.weight", "missing"])
    }

    func testTruncatedSafeTensorsIsNamed() throws {
        let dir = try brokenCopy("v1")
        let url = dir.appendingPathComponent("model.safetensors")
        let data = try Data(contentsOf: url)
        try data.prefix(data.count - 1000).write(to: url)
        // The tensor whose bytes are cut off, the last one in data order.
        let last = try XCTUnwrap(try SafeTensorsFile(data: data).entries.last?.name)
        assertImportFails(dir, mentions: [url.path, "'\(last)'", "outside"])
    }

    func testShardListedButAbsentTensorIsNamed() throws {
        let source = try Self.fixture("flan-bf16")
        let dir = try temporaryDirectory()
        for file in try FileManager.default.contentsOfDirectory(atPath: source.path) {
            try FileManager.default.copyItem(at: source.appendingPathComponent(file), to: dir.appendingPathComponent(file))
        }
        let index = dir.appendingPathComponent("model.safetensors.index.json")
        var json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: index)) as? [String: Any])
        var map = try XCTUnwrap(json["weight_map"] as? [String: String])
        map["encoder.block.9.layer.0.layer_norm.weight"] = "model-00001-of-00004.safetensors"
        json["weight_map"] = map
        try JSONSerialization.data(withJSONObject: json).write(to: index)
        assertImportFails(dir, mentions: ["model-00001-of-00004.safetensors", "encoder.block.9.layer.0.layer_norm.weight", "missing"])
    }
}
