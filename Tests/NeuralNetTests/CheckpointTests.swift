import Foundation
import NeuralNet
import TensorCore
import XCTest

final class CheckpointTests: XCTestCase {
    final class Tiny: Module {
        let projection: Linear
        let heads: [Linear]
        init(inFeatures: Int = 3, rng: inout SeededRNG) {
            projection = Linear(inFeatures, 2, bias: true, rng: &rng)
            heads = [Linear(2, 1, rng: &rng), Linear(2, 1, rng: &rng)]
        }
        var namedParameters: [NamedParameter] {
            projection.namedParameters(prefix: "projection") + heads.namedParameters(prefix: "heads")
        }
    }

    func testNamesAreStableAndDotted() {
        var rng = SeededRNG(seed: 1)
        let model = Tiny(rng: &rng)
        XCTAssertEqual(model.namedParameters.map(\.name),
                       ["projection.weight", "projection.bias", "heads.0.weight", "heads.1.weight"])
        XCTAssertEqual(model.namedParameters(prefix: "m").map(\.name).first, "m.projection.weight")
        XCTAssertEqual(model.parameterCount, 6 + 2 + 2 + 2)
        XCTAssertTrue(model.parameters.allSatisfy(\.requiresGrad))
    }

    func testLoadWritesInPlaceAndConvertsDtype() throws {
        var rng = SeededRNG(seed: 2)
        let model = Tiny(rng: &rng)
        let weightHeldElsewhere = model.projection.weight
        let values: [NamedParameter] = [
            ("projection.weight", Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3], as: Double.self)),
            ("projection.bias", Tensor([7, 8], shape: [2])),
            ("heads.0.weight", Tensor([9, 10], shape: [1, 2])),
            ("heads.1.weight", Tensor([11, 12], shape: [1, 2])),
        ]
        let url = try FixtureFiles.temporaryDirectory().appendingPathComponent("tiny.safetensors")
        try SafeTensors.write(values, to: url)
        try model.loadParameters(contentsOf: url)
        XCTAssertEqual(weightHeldElsewhere.scalars, [1, 2, 3, 4, 5, 6], "parameter storage is updated in place")
        XCTAssertEqual(model.heads[1].weight.scalars, [11, 12])
        XCTAssertEqual(model.projection(Tensor([1, 0, 0], shape: [1, 3])).scalars, [1 + 7, 4 + 8])

        let copyURL = url.deletingLastPathComponent().appendingPathComponent("saved.safetensors")
        try model.saveParameters(to: copyURL, prefix: "tiny")
        let saved = try SafeTensorsFile(contentsOf: copyURL)
        XCTAssertEqual(saved.names, model.namedParameters(prefix: "tiny").map(\.name))
        XCTAssertEqual(try saved.tensor("tiny.heads.0.weight").scalars, [9, 10])
    }

    func testMissingTensorErrorNamesItAndTheExpectedShape() throws {
        var rng = SeededRNG(seed: 3)
        let model = Tiny(rng: &rng)
        let data = SafeTensors.encode(model.namedParameters.filter { $0.name != "projection.bias" })
        XCTAssertThrowsError(try model.loadParameters(from: SafeTensorsFile(data: data, source: "ckpt.safetensors"))) { error in
            XCTAssertEqual("\(error)", "ckpt.safetensors: missing tensor 'projection.bias' (model expects shape [2])")
        }
    }

    func testMisShapedTensorErrorNamesItAndBothShapesAndWritesNothing() throws {
        var rng = SeededRNG(seed: 4)
        let model = Tiny(rng: &rng)
        let before = model.projection.weight.scalars
        var other = SeededRNG(seed: 5)
        let wider = Tiny(inFeatures: 4, rng: &other)
        let data = SafeTensors.encode(wider.namedParameters)
        XCTAssertThrowsError(try model.loadParameters(from: SafeTensorsFile(data: data, source: "wide.safetensors"))) { error in
            XCTAssertEqual(error as? CheckpointError,
                           .shapeMismatch(name: "projection.weight", expected: [2, 3], found: [2, 4], file: "wide.safetensors"))
            XCTAssertEqual("\(error)", "wide.safetensors: tensor 'projection.weight' has shape [2, 4], model expects [2, 3]")
        }
        XCTAssertEqual(model.projection.weight.scalars, before)
    }

    func testUnusedTensorsUnderThePrefixAreReportedUnlessAllowed() throws {
        var rng = SeededRNG(seed: 6)
        let model = Tiny(rng: &rng)
        let data = SafeTensors.encode(model.namedParameters(prefix: "model") + [("model.extra", Tensor.zeros([1])),
                                                                              ("optimizer.firstMoment.x", Tensor.zeros([1]))])
        let file = try SafeTensorsFile(data: data)
        XCTAssertThrowsError(try model.loadParameters(from: file, prefix: "model")) { error in
            XCTAssertEqual(error as? CheckpointError, .unexpectedTensors(names: ["model.extra"], file: nil))
        }
        XCTAssertNoThrow(try model.loadParameters(from: file, prefix: "model", allowUnused: true))
    }
}
