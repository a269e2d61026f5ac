import XCTest
import Foundation
import Models
import TensorCore

final class ConfigurationTests: XCTestCase {
    func testValidationNamesTheField() {
        var config = HiVT5Configuration(vocabSize: 100)
        XCTAssertNoThrow(try config.validate())
        config.heads = 3
        XCTAssertThrowsError(try config.validate()) { error in
            XCTAssertEqual((error as? ModelConfigurationError)?.field, "heads")
        }
        config = HiVT5Configuration(vocabSize: 100, visual: .patches)
        XCTAssertThrowsError(try config.validate()) { error in
            XCTAssertEqual((error as? ModelConfigurationError)?.field, "patchPixels")
        }
        config = HiVT5Configuration(vocabSize: 100, eosTokenId: 100)
        XCTAssertThrowsError(try config.validate()) { error in
            XCTAssertEqual((error as? ModelConfigurationError)?.field, "eosTokenId")
        }
    }

    /// Switch values are spelled as in the training config (`page_tokens`, `patches`, …).
    func testCodableUsesConfigSpellings() throws {
        let config = HiVT5Configuration(vocabSize: 64, summarizer: .pageTokens, visual: .patches, patchPixels: 12, pooling: .first)
        let json = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        XCTAssertTrue(json.contains("\"page_tokens\""), json)
        XCTAssertTrue(json.contains("\"patches\""), json)
        XCTAssertTrue(json.contains("\"first\""), json)
        XCTAssertEqual(try JSONDecoder().decode(HiVT5Configuration.self, from: Data(json.utf8)), config)
    }

    /// Parameter names are stable, unique and prefixed by component.
    func testParameterNames() {
        var rng = SeededRNG(seed: 1)
        let model = HiVT5(TinyModels.configuration(summarizer: .queries, visual: .patches), rng: &rng)
        let names = model.namedParameters.map(\.name)
        XCTAssertEqual(Set(names).count, names.count, "names are unique")
        for expected in ["tokenEmbedding.weight", "pageEncoder.segmentEmbedding.weight", "pageEncoder.layout.x.weight",
                         "pageEncoder.patchEmbedding.projection.weight", "pageEncoder.encoder.layers.0.selfAttention.query.weight",
                         "pageEncoder.querySummarizer.queries", "pageMemory.pageEmbedding.weight",
                         "decoder.stack.layers.1.crossAttention.key.weight", "pageHead.poolingQuery", "spanHead.projection.weight"] {
            XCTAssertTrue(names.contains(expected), "missing \(expected)")
        }
        let prefixes = Set(names.map { String($0.prefix { $0 != "." }) })
        XCTAssertEqual(prefixes, ["tokenEmbedding", "pageEncoder", "pageMemory", "decoder", "pageHead", "spanHead"])
    }
}
