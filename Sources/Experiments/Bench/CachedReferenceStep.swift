import FeatureStore
import Foundation
import NeuralNet
import TensorCore

/// The cached-mode training step at the reference shape, as `mpvqa bench` times it: the
/// question's page summaries are read from a feature cache (written once by the model's own
/// encoder), then page embedding + decoder + vocabulary head run forward and backward and
/// AdamW updates them. No encoder pass; the token embedding is frozen, as in cached training.
///
/// ```swift
/// let step = try CachedReferenceStep(shape: .spec, seed: 1, directory: FileManager.default.temporaryDirectory)
/// step.trainStep()
/// ```
public final class CachedReferenceStep: BenchmarkStep {
    public let model: ReferenceModel
    public let optimizer: AdamW
    let reader: FeatureCacheReader
    let answerInputs: [Int32], answerTargets: [Int32]
    let url: URL

    public init(shape: ReferenceShape, seed: UInt64, directory: URL) throws {
        let reference = ReferenceStep(shape: shape, seed: seed)
        model = reference.model
        answerInputs = reference.answerInputs
        answerTargets = reference.answerTargets
        optimizer = AdamW(parameters: model.pageEmbedding.namedParameters(prefix: "pageEmbedding")
                            + model.decoder.namedParameters(prefix: "decoder")
                            + model.vocabularyHead.namedParameters(prefix: "vocabularyHead"),
                          learningRate: 1e-4, weightDecay: 0.01)
        for p in model.tokenEmbedding.namedParameters + model.encoder.namedParameters { p.tensor.setFrozen(true) }
        let p = shape.pages, l = shape.tokensPerPage, k = shape.summaryTokens
        let encoderModel = reference.model
        let summaries = withNoGrad {
            encoderModel.encoder(encoderModel.tokenEmbedding(reference.pageTokens, shape: [p, l])).slice(axis: 1, 0..<k).copy()
        }
        url = directory.appendingPathComponent("mpvqa-cached-step-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).h5")
        let header = FeatureCacheHeader(summaryTokens: k, modelDim: shape.dModel, dtype: .float32, encoderHash: "bench", promptTemplate: "{question}")
        let writer = try FeatureCacheWriter(url: url, header: header, options: .init(reserveRows: p, syncToDisk: false))
        try writer.append(summaries: summaries, questionIds: [Int64](repeating: 0, count: p), pageIndices: (0..<p).map { Int32($0) },
                          pageIds: (0..<p).map { "p\($0)" })
        try writer.finish()
        reader = try FeatureCacheReader(url: url)
    }

    deinit {
        reader.close()
        try? FileManager.default.removeItem(at: url)
    }

    func logits() -> Tensor {
        let shape = model.shape, p = shape.pages, k = shape.summaryTokens, d = shape.dModel, t = answerInputs.count
        let summaries = Tensor.zeros([p, k, d])
        // Read failures cannot happen on this private, just-written file; a zero memory would only mis-time the step.
        try? summaries.withUnsafeMutableBufferPointer(as: Float.self) { try reader.readSummaries(rows: 0..<p, into: $0) }
        let pageVectors = model.pageEmbedding((0..<p).map { Int32($0) }, shape: [p, 1])
        let memory = (summaries + pageVectors).reshaped([1, p * k, d])
        let decoded = model.decoder(model.tokenEmbedding(answerInputs, shape: [1, t]), memory: memory)
        return model.vocabularyHead(decoded).reshaped([t, shape.vocab])
    }

    public func loss() -> Tensor { logits().crossEntropy(targets: answerTargets) }

    public func forward() { withNoGrad { _ = logits() } }

    public func update() {
        optimizer.update()
        optimizer.zeroGrad()
    }
}
