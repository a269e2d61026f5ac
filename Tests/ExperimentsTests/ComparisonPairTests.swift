import Experiments
import Foundation
import Training
import XCTest

/// Each cell is compared with the cell that differs from it only in what the pair names
/// (`compare:` and `base:`), and without either with the first cell.
final class ComparisonPairTests: XCTestCase {
    func load(_ text: String) throws -> Manifest {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pairs-\(UUID().uuidString).yaml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        return try Manifest.load(url)
    }

    static let study = """
    name: s
    dataset: {synthetic: {train: 20, val: 8, test: 4, max_pages: 3}}
    train: {mode: cached, steps: 10, warmup_steps: 2}
    page_head: {pooling: attention}
    compare: {page_head.pooling: attention, encoder.summarizer: pointer}
    runs:
      - {name: enc-pointer, set: {encoder.summarizer: pointer, train.mode: end_to_end}}
      - {name: enc-page_tokens, set: {encoder.summarizer: page_tokens, train.mode: end_to_end}}
      - {name: control, set: {encoder.summarizer: page_tokens, train.init.page_head: untrained}, base: "summarizer=page_tokens,pooling=attention"}
    grid: {encoder.summarizer: [page_tokens, pointer], page_head.pooling: [max, attention]}
    seeds: [1, 2]
    """

    func testPairsDifferInOneNamedSettingOrAreNamedExplicitly() throws {
        let pairs = try load(Self.study).comparisons.map { "\($0.cell) vs \($0.base)" }
        XCTAssertEqual(pairs, [
            "control vs summarizer=page_tokens,pooling=attention",
            "enc-page_tokens vs enc-pointer",                                   // only the summarizer differs
            "summarizer=page_tokens,pooling=max vs summarizer=page_tokens,pooling=attention",
            "summarizer=page_tokens,pooling=max vs summarizer=pointer,pooling=max",
            "summarizer=page_tokens,pooling=attention vs summarizer=pointer,pooling=attention",
            "summarizer=pointer,pooling=max vs summarizer=pointer,pooling=attention",
        ])
    }

    func testWithoutRulesEveryCellIsComparedWithTheFirst() throws {
        let text = Self.study.replacingOccurrences(of: "compare: {page_head.pooling: attention, encoder.summarizer: pointer}\n", with: "")
            .replacingOccurrences(of: ", base: \"summarizer=page_tokens,pooling=attention\"", with: "")
        let manifest = try load(text)
        XCTAssertEqual(manifest.comparisons.map(\.base), Array(repeating: "enc-pointer", count: manifest.variants.count - 1))
        XCTAssertEqual(manifest.comparisons.map(\.cell), manifest.variants.dropFirst().map(\.name))
    }

    func testAnUnknownBaseOrCompareKeyIsRefusedNamingIt() throws {
        XCTAssertThrowsError(try load(Self.study.replacingOccurrences(of: "base: \"summarizer=page_tokens,pooling=attention\"", with: "base: nothere"))) { error in
            XCTAssertTrue("\(error)".contains("runs.base: 'nothere': expected another cell of this manifest"), "\(error)")
        }
        XCTAssertThrowsError(try load(Self.study.replacingOccurrences(of: "compare: {page_head.pooling", with: "compare: {page_head.poolin"))) { error in
            XCTAssertTrue("\(error)".contains("compare.page_head.poolin: unknown key (did you mean page_head.pooling?)"), "\(error)")
        }
    }
}
