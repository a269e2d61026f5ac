import Foundation
import Models
import NeuralNet
import TensorCore
import TestSupport
import XCTest

/// Hi-VT5's spatial embedding (`encoder.layout_embedding: spatial`): values against numpy
/// (`Fixtures/spatial-embedding/make_fixture.py`) and gradients against finite differences.
final class SpatialEmbeddingTests: XCTestCase {
    struct Fixture: Decodable {
        var d: Int, rows: Int, length: Int
        var x: [Float], y: [Float]
        var norm_weight: [Float], norm_bias: [Float], projection_weight: [Float], projection_bias: [Float]
        var segments: [Int32], boxes: [Int32], expected: [Double]
    }

    func testValuesEqualNumpys() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/spatial-embedding/fixture", withExtension: "json"))
        let f = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        var rng = SeededRNG(seed: 1)
        let embedding = SpatialEmbedding(dimension: f.d, rng: &rng)
        try embedding.assignParameters([
            "x.weight": Tensor(f.x, shape: [1001, f.d]), "y.weight": Tensor(f.y, shape: [1001, f.d]),
            "norm.weight": Tensor(f.norm_weight, shape: [f.d]), "norm.bias": Tensor(f.norm_bias, shape: [f.d]),
            "projection.weight": Tensor(f.projection_weight, shape: [f.d, f.d]), "projection.bias": Tensor(f.projection_bias, shape: [f.d]),
        ])
        // Fixture segments: 0 summary slot, 1 question, 2 OCR (PageSegment's numbering).
        XCTAssertEqual([PageSegment.summary, .question, .ocr].map(\.rawValue), [0, 1, 2])
        let out = withNoGrad { embedding(boxes: f.boxes, segments: f.segments, rows: f.rows, length: f.length) }
        XCTAssertEqual(out.shape, [f.rows, f.length, f.d])
        assertClose(out.doubles, f.expected, rtol: 1e-4, atol: 1e-4)
    }

    /// The whole model with the spatial embedding: its parameters get gradients that match
    /// central differences of the loss in Float64.
    func testGradientsMatchFiniteDifferences() {
        var rng = SeededRNG(seed: 71)
        var config = TinyModels.configuration(modelDim: 8)
        config.layoutKind = .spatial
        let model = HiVT5(config, dtype: .float64, rng: &rng)
        XCTAssertNil(model.pageEncoder.layout, "the spatial embedding replaces the bucketed one")
        let batch = TinyModels.randomBatch(pagesPerQuestion: [2, 1], length: 9, seed: 72)
        model.zeroGrad()
        GradientFlowTests.loss(model, batch).total.backward()
        let spatial = model.namedParameters.filter { $0.name.hasPrefix("pageEncoder.spatial.") }
        XCTAssertEqual(Set(spatial.map(\.name)), Set(["x.weight", "y.weight", "norm.weight", "norm.bias", "projection.weight", "projection.bias"]
            .map { "pageEncoder.spatial." + $0 }))
        let eps = 1e-5
        var pick = SeededRNG(seed: 73)
        for (name, parameter) in spatial {
            guard let grad = parameter.grad?.doubles else { XCTFail("\(name): no gradient"); continue }
            // The largest entry, and a random one among the nonzero entries (table rows no box used get none).
            let nonzero = grad.indices.filter { grad[$0] != 0 }
            XCTAssertFalse(nonzero.isEmpty, "\(name): all-zero gradient")
            guard !nonzero.isEmpty else { continue }
            for i in [grad.indices.max { abs(grad[$0]) < abs(grad[$1]) }!, nonzero[pick.nextInt(below: nonzero.count)]] {
                let saved = parameter.doubles[i]
                func loss(at value: Double) -> Double {
                    parameter.withUnsafeMutableBufferPointer(as: Double.self) { $0[i] = value }
                    return withNoGrad { GradientFlowTests.loss(model, batch).total.item }
                }
                let numeric = (loss(at: saved + eps) - loss(at: saved - eps)) / (2 * eps)
                parameter.withUnsafeMutableBufferPointer(as: Double.self) { $0[i] = saved }
                XCTAssertEqual(grad[i], numeric, accuracy: 1e-6 + 1e-4 * abs(numeric), "d loss / d \(name)[\(i)]")
            }
        }
    }
}
