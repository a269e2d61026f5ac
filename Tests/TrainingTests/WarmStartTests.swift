import Foundation
import Models
import NeuralNet
import TensorCore
import Training
import XCTest

/// `TrainingCheckpoint.loadMatching`: a warm start copies every parameter whose name and shape
/// match and leaves the rest as initialised (a max-pooling head has no attention query).
final class WarmStartTests: XCTestCase {
    func model(_ pooling: HiVT5Configuration.Pooling, seed: UInt64) -> HiVT5 {
        var rng = SeededRNG(seed: seed)
        return HiVT5(HiVT5Configuration(vocabSize: 300, modelDim: 16, heads: 2, encoderLayers: 1, decoderLayers: 1, ffnDim: 32,
                                        summaryTokens: 2, pooling: pooling, pageHeadHidden: 8), rng: &rng)
    }

    func testCopiesMatchingParametersAndKeepsTheRest() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("warm-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let source = model(.attention, seed: 1)
        try SafeTensors.write(source.namedParameters(prefix: "model"), to: url)

        // Into a model with the same head: everything copied.
        let same = model(.attention, seed: 2)
        let all = try TrainingCheckpoint.loadMatching(into: same, from: url)
        XCTAssertEqual(all.copied, source.namedParameters(prefix: "model").count)
        XCTAssertTrue(all.kept.isEmpty)
        for (a, b) in zip(source.namedParameters(prefix: "model"), same.namedParameters(prefix: "model")) {
            XCTAssertEqual(a.tensor.scalars, b.tensor.scalars, a.name)
        }

        // Into an attention-pooling model from a max-pooling one: the shared encoder and decoder
        // are copied; the attention query the source lacks stays as the fresh initialisation made it.
        try SafeTensors.write(model(.max, seed: 4).namedParameters(prefix: "model"), to: url)
        let source2 = model(.max, seed: 4)
        let target = model(.attention, seed: 3)
        let before = Dictionary(uniqueKeysWithValues: target.namedParameters(prefix: "model").map { ($0.name, $0.tensor.scalars) })
        let sourceNames = Set(source2.namedParameters(prefix: "model").map(\.name))
        let partial = try TrainingCheckpoint.loadMatching(into: target, from: url)
        XCTAssertGreaterThan(partial.copied, 0)
        XCTAssertFalse(partial.kept.isEmpty, "an attention head has parameters a max head lacks")
        let sourceValues = Dictionary(uniqueKeysWithValues: source2.namedParameters(prefix: "model").map { ($0.name, $0.tensor.scalars) })
        for p in target.namedParameters(prefix: "model") {
            if partial.kept.contains(p.name) {
                XCTAssertEqual(p.tensor.scalars, before[p.name], "\(p.name) was changed although not copied")
            } else {
                XCTAssertTrue(sourceNames.contains(p.name))
                XCTAssertEqual(p.tensor.scalars, sourceValues[p.name], p.name)
            }
        }
    }
}
