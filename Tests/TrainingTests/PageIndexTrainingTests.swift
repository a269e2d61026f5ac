import Foundation
import Models
import TensorCore
import Training
import XCTest

/// Trained with 2-page windows on 20-page documents, every page-index embedding row the
/// evaluator uses moves away from its initial value (windows keep their document page
/// indexes); with `train.window_page_offsets: false` rows 2–19 never train.
final class PageIndexTrainingTests: XCTestCase {
    func trainedRowsThatMoved(offsets: Bool) throws -> [Int] {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("mpvqa-page-index-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        var config = try ConfigDocument.parse("""
            name: page-index
            dataset: {synthetic: {train: 16, val: 2, test: 2, seed: 5, min_pages: 20, max_pages: 20}}
            tokenizer: {vocab: 600}
            model: {d_model: 32, heads: 2, encoder_layers: 1, decoder_layers: 1, ffn: 64}
            encoder: {summary_tokens: 2, max_ocr_tokens: 48}
            train: {steps: 60, batch_questions: 8, lr: 1e-3, warmup_steps: 5, eval_every: 60, eval_questions: 2,
                    page_window: 2, weight_decay: 0}
            """, source: "page-index.yaml").base
        try config.apply(overrides: ["train.window_page_offsets=\(offsets)"])
        let settings = try RunSettings(config)
        let trainer = try Trainer(settings: settings, run: RunDirectory(work.appendingPathComponent("run")),
                                  dataDirectory: work.appendingPathComponent("data"), resume: false)
        try trainer.run()
        var rng = SeededRNG(seed: settings.train.seed)
        let initial = HiVT5(trainer.model.configuration, rng: &rng).pageMemory.pageEmbedding.weight.doubles
        let trained = trainer.model.pageMemory.pageEmbedding.weight.doubles
        let d = trainer.model.configuration.modelDim
        return (0..<trainer.model.configuration.maxPages).filter { row in
            (0..<d).contains { initial[row * d + $0] != trained[row * d + $0] }
        }
    }

    func testEveryPageIndexRowTrains() throws {
        XCTAssertEqual(try trainedRowsThatMoved(offsets: true), Array(0..<20))
        XCTAssertEqual(try trainedRowsThatMoved(offsets: false), [0, 1])
    }
}
