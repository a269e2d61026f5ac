import XCTest
import DocData
import Training

final class AnswerMetricsTests: XCTestCase {
    /// README "Metrics" golden vectors.
    func testGoldenVectors() {
        XCTAssertEqual(AnswerMetrics.anls(prediction: "ab", golds: ["ac"]), 0.5)
        XCTAssertEqual(AnswerMetrics.anls(prediction: "", golds: [""]), 1)
        XCTAssertEqual(AnswerMetrics.anls(prediction: "Coca   Cola", golds: ["coca cola"]), 1)
        XCTAssertEqual(AnswerMetrics.anls(prediction: "abc", golds: [""]), 0)
        XCTAssertEqual(AnswerMetrics.anls(prediction: "coca  colx", golds: ["coca cola"]), 0.9, accuracy: 1e-12)
    }

    func testEdgeCases() {
        XCTAssertEqual(AnswerMetrics.anls(prediction: "x", golds: []), 0, "no golds")
        XCTAssertEqual(AnswerMetrics.anls(prediction: "abcd", golds: ["abxy"]), 0.5, "exactly 0.5 is kept")
        XCTAssertEqual(AnswerMetrics.anls(prediction: "abcde", golds: ["abxyz"]), 0, "0.4 is cut to 0")
        XCTAssertEqual(AnswerMetrics.anls(prediction: "1,234.00", golds: ["$1,234.00", "1,234.00"]), 1, "best gold wins")
        XCTAssertEqual(AnswerMetrics.anls(prediction: "日本", golds: ["日本"]), 1, "Unicode scalars")
        XCTAssertEqual(AnswerMetrics.exactMatch(prediction: " Coca\u{00A0}COLA ", golds: ["coca cola"]), 1, "Python whitespace")
        XCTAssertEqual(AnswerMetrics.exactMatch(prediction: "coca col", golds: ["coca cola"]), 0)
        XCTAssertEqual(AnswerMetrics.levenshtein(Array("kitten".unicodeScalars), Array("sitting".unicodeScalars)), 3)
    }

    /// 1,200 random pairs scored by an independent Python implementation of the official semantics.
    func testAgreesWithIndependentReference() throws {
        struct Case: Decodable { let prediction: String; let golds: [String]; let anls: Double; let exact: Double }
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/anls_reference", withExtension: "json"))
        let cases = try JSONDecoder().decode([Case].self, from: Data(contentsOf: url))
        XCTAssertGreaterThanOrEqual(cases.count, 1000)
        var mismatches = 0
        for (i, c) in cases.enumerated() {
            let anls = AnswerMetrics.anls(prediction: c.prediction, golds: c.golds)
            let exact = AnswerMetrics.exactMatch(prediction: c.prediction, golds: c.golds)
            if abs(anls - c.anls) > 1e-12 || exact != c.exact {
                mismatches += 1
                if mismatches <= 5 { XCTFail("case \(i): \(c.prediction.debugDescription) vs \(c.golds): got \(anls)/\(exact), expected \(c.anls)/\(c.exact)") }
            }
        }
        XCTAssertEqual(mismatches, 0)
    }
}
