import Foundation
import XCTest
import Training

/// A cached run's frozen encoder is its encoder run's, and a group continues from the encoder
/// run only with the settings it was trained with (README "Cached training").
final class EncoderRunAgreementTests: XCTestCase {
    var encoderRun: URL!

    /// The encoder run's config: the schema defaults with a few sizes of its own.
    let encoderYAML = """
    model: {d_model: 64, heads: 4, encoder_layers: 2, decoder_layers: 1, ffn: 128}
    encoder: {summary_tokens: 4, summarizer: page_tokens}
    decoder: {copy: true}
    page_head: {pooling: attention}
    """

    override func setUpWithError() throws {
        encoderRun = FileManager.default.temporaryDirectory.appendingPathComponent("encoder-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: encoderRun, withIntermediateDirectories: true)
        let config = try ConfigDocument.parse(encoderYAML, source: "encoder.yaml").base
        try config.yaml.write(to: encoderRun.appendingPathComponent("config.yaml"), atomically: true, encoding: .utf8)
        try "{}".write(to: encoderRun.appendingPathComponent("tokenizer.json"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: encoderRun) }

    /// The cached run's settings: the encoder run's config in cached mode, plus `overrides`.
    func cachedSettings(_ overrides: [String]) throws -> RunSettings {
        var config = try ConfigDocument.parse(encoderYAML, source: "cached.yaml").base
        try config.apply(overrides: ["train.mode=cached", "train.encoder_run=\(encoderRun.path)"] + overrides)
        return try RunSettings(config)
    }

    func message(_ overrides: [String]) -> String? {
        do { _ = try cachedSettings(overrides); return nil } catch { return "\(error)" }
    }

    /// Another valid value of `key` (the next integer, the other option, the flipped switch).
    func otherValue(_ key: ConfigKey, current: String) -> String {
        switch key.type {
        case .int(let range): return String(Int(current)! < range.upperBound ? Int(current)! + 1 : Int(current)! - 1)
        case .double: return String(Double(current)! + 0.5)
        case .bool: return current == "true" ? "false" : "true"
        case .choice(let options): return options.first { $0 != current }!
        case .text: return current + "x"
        }
    }

    func testMatchingSettingsAreAcceptedAndThePageHeadStartsFreshByDefault() throws {
        let settings = try cachedSettings([])
        XCTAssertEqual(settings.train.initialisation.pageHead, .fresh)
        XCTAssertEqual(settings.train.initialisation.decoder, .continued)
        XCTAssertEqual(settings.train.initialisation.pageMemory, .continued)
        // Another pooling with a fresh head is a fair cell.
        XCTAssertNil(message(["page_head.pooling=max"]))
    }

    func testEveryEncoderKeyThatDiffersIsRefusedNamingTheKeyAndBothValues() throws {
        let keys = EncoderRunAgreement.encoderKeys
        for required in ["encoder.summary_tokens", "encoder.summarizer", "encoder.max_ocr_tokens", "encoder.max_question_tokens",
                         "encoder.question_match", "encoder.layout", "encoder.visual", "model.d_model", "model.heads",
                         "model.encoder_layers", "model.ffn", "tokenizer.vocab", "decoder.copy"] {
            XCTAssertTrue(keys.contains(required), "\(required) is not an encoder key")
        }
        let encoder = try ConfigDocument.parse(encoderYAML, source: "e.yaml").base
        let defaults = try RunSettings(encoder).config
        for name in keys {
            let key = try XCTUnwrap(ConfigSchema.key(name))
            let current = defaults.values[name]!.description
            let other = otherValue(key, current: current)
            let text = try XCTUnwrap(message(["\(name)=\(other)"]), "\(name)=\(other) (encoder run: \(current)) was accepted")
            XCTAssertTrue(text.contains("\(name): \(other): expected \(current), the value of the encoder run"), "\(name): \(text)")
        }
        let prompt = try XCTUnwrap(message(["prompts.plain=q: {question}"]))
        XCTAssertTrue(prompt.contains("encoder.prompt") && prompt.contains("q: {question}") && prompt.contains("question: {question}"), prompt)
    }

    func testContinuingAGroupWhoseSettingsDifferIsRefusedNamingTheSetting() throws {
        let pooling = try XCTUnwrap(message(["page_head.pooling=max", "train.init.page_head=continue"]))
        XCTAssertTrue(pooling.contains("train.init.page_head: continue: page_head.pooling is max here but attention in the encoder run"), pooling)
        let hidden = try XCTUnwrap(message(["page_head.hidden=32", "train.init.page_head=continue"]))
        XCTAssertTrue(hidden.contains("page_head.hidden is 32 here but 256"), hidden)
        let layers = try XCTUnwrap(message(["model.decoder_layers=2"]))
        XCTAssertTrue(layers.contains("train.init.decoder: continue: model.decoder_layers is 2 here but 1"), layers)
        XCTAssertNil(message(["model.decoder_layers=2", "train.init.decoder=fresh"]))
        XCTAssertNil(message(["train.init.page_head=continue"]), "the same head may continue")
        XCTAssertNil(message(["train.init.page_head=untrained"]))
    }
}
