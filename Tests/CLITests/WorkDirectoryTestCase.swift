import Foundation
import XCTest

/// A test case with a fresh scratch directory `work` per test, removed afterwards: the CLI
/// tests write configs, datasets and run directories there.
class WorkDirectoryTestCase: XCTestCase {
    var work: URL!

    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("mpvqa-\(type(of: self))-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: work) }

    /// The tiny dataset and model of the CLI training tests (24 short documents, d 32, K 4; the
    /// external-feature fixtures of `Fixtures/make_external_features.sh` are made for it):
    /// seconds per run in release.
    static let tinyDataAndModel = """
        dataset: {synthetic: {train: 24, val: 8, test: 4, seed: 5, max_pages: 3}}
        tokenizer: {vocab: 700}
        model: {d_model: 32, heads: 2, encoder_layers: 1, decoder_layers: 1, ffn: 64}
        encoder: {summary_tokens: 4, max_ocr_tokens: 200}
        """

    /// Writes `work/tiny.yaml`: the tiny set and model, `steps` training steps of 4 questions.
    func writeTinyConfig(steps: Int, warmupSteps: Int, evalEvery: Int, extra: String = "") throws -> URL {
        let url = work.appendingPathComponent("tiny.yaml")
        try """
        name: tiny
        \(Self.tinyDataAndModel)
        train: {steps: \(steps), batch_questions: 4, cache_batch_questions: 4, lr: 3e-3, warmup_steps: \(warmupSteps), eval_every: \(evalEvery), eval_questions: 8}
        \(extra)
        """.write(to: url, atomically: true, encoding: .utf8)
        return url
    }
}
