import DocData
import Foundation
import Models
import XCTest
import Training

/// `mpvqa generate`'s library path (`RunGenerator`) on imported T5s with a SentencePiece
/// Unigram tokenizer, against transformers' `generate()` (README "`mpvqa generate`"):
/// `Fixtures/hf-t5/make_fixtures.py --generation` wrote the encoder rows and the greedy and
/// 3-beam tokens of the committed v1 and Flan checkpoints, the decoder reading the first K
/// encoder states (the memory of one page).
final class HFT5GenerationTests: XCTestCase {
    struct Expected: Decodable {
        let slots: Int
        let max_new_tokens: Int
        let models: [String: [Case]]
    }

    struct Case: Decodable {
        let question: String
        let context: String
        let input_ids: [Int32]
        let greedy: [Int32]
        let beam3: [Int32]
    }

    static func expected() throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: try HFT5ImportTests.fixture("generate/expected.json")))
    }

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hft5gen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Fixture `name`'s checkpoint with the generation fixture's Unigram tokenizer, imported into a run.
    func importedRun(_ name: String) throws -> RunDirectory {
        let tmp = try temporaryDirectory()
        let source = tmp.appendingPathComponent("hf")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        let fixture = try HFT5ImportTests.fixture(name)
        for file in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(at: fixture.appendingPathComponent(file), to: source.appendingPathComponent(file))
        }
        try FileManager.default.copyItem(at: try HFT5ImportTests.fixture("generate/tokenizer.json"),
                                         to: source.appendingPathComponent("tokenizer.json"))
        let run = tmp.appendingPathComponent("run")
        try HFT5Import(directory: source).writeRun(to: run)
        return RunDirectory(run)
    }

    /// transformers' output row → (tokens without start, EOS and padding; whether it ended with EOS).
    static func answer(_ row: [Int32], pad: Int32 = 0, eos: Int32 = 1) -> (tokens: [Int32], ended: Bool) {
        var tokens = Array(row.dropFirst())
        while tokens.last == pad { tokens.removeLast() }
        let ended = tokens.last == eos
        if ended { tokens.removeLast() }
        return (tokens, ended)
    }

    func testGreedyAndBeamTokensEqualTransformersOnOneContext() throws {
        let expected = try Self.expected()
        for name in ["v1", "flan"] {
            let generator = try RunGenerator(run: try importedRun(name))
            XCTAssertEqual(generator.tokenizer.modelType, "Unigram")
            XCTAssertEqual(generator.model.configuration.summaryTokens, expected.slots)
            let cases = try XCTUnwrap(expected.models[name])
            var ended = 0
            for (i, c) in cases.enumerated() {
                let pages = [RunGenerator.contextPage(c.context)]
                // The encoder row, independently encoded by Python `tokenizers`.
                XCTAssertEqual(generator.encoderTokens(question: c.question, pages: pages), [c.input_ids], "\(name) case \(i): encoder row")
                for (beams, row) in [(1, c.greedy), (3, c.beam3)] {
                    let result = try generator.answer(question: c.question, pages: pages,
                                                      options: generator.options(beams: beams, maxTokens: expected.max_new_tokens))
                    let reference = Self.answer(row)
                    XCTAssertEqual(result.tokens, reference.tokens, "\(name) case \(i), \(beams) beam(s)")
                    XCTAssertEqual(result.endedWithEOS, reference.ended, "\(name) case \(i), \(beams) beam(s): EOS")
                    XCTAssertEqual(result.pageScores.count, 1)
                    XCTAssertEqual(result.page, 0)
                    if reference.ended { ended += 1 }
                }
            }
            if name == "flan" { XCTAssertGreaterThan(ended, 0, "some Flan cases stop at EOS before the limit") }
        }
    }

    /// Several pages: each is encoded alone with the question, so a page's summaries (and the
    /// page head's score of it) do not depend on the other pages; the answer reads them all.
    func testPagesAreEncodedIndependentlyAndScoredByTheHead() throws {
        let generator = try RunGenerator(run: try importedRun("flan"))
        let cases = try XCTUnwrap(try Self.expected().models["flan"])
        let pages = cases.prefix(3).map { RunGenerator.contextPage($0.context) }
        let question = cases[0].question
        let rows = generator.encoderTokens(question: question, pages: pages)
        XCTAssertEqual(rows.count, 3)
        for (p, page) in pages.enumerated() {
            XCTAssertEqual(rows[p], generator.encoderTokens(question: question, pages: [page])[0], "page \(p) row")
        }
        let all = try generator.answer(question: question, pages: pages, options: generator.options())
        XCTAssertEqual(all.pageScores.count, 3)
        XCTAssertEqual(all.page, all.pageScores.indices.max { all.pageScores[$0] < all.pageScores[$1] })
        for (p, page) in pages.enumerated() {
            let alone = try generator.answer(question: question, pages: [page], options: generator.options())
            XCTAssertEqual(alone.pageScores[0], all.pageScores[p], accuracy: 1e-4, "page \(p): head score alone and among others")
        }
        XCTAssertEqual(all.attentionScores.reduce(0, +), 1, accuracy: 1e-4, "decoder-attention mass over the pages")
    }

    func testBadRequestsAreRefusedInOneLine() throws {
        let generator = try RunGenerator(run: try importedRun("v1"))
        let page = RunGenerator.contextPage("total 12")
        XCTAssertThrowsError(try generator.answer(question: "q", pages: [], options: generator.options())) { error in
            XCTAssertTrue("\(error)".contains("0 pages: expected 1…20"), "\(error)")
        }
        XCTAssertThrowsError(try generator.answer(question: "q", pages: Array(repeating: page, count: 21), options: generator.options())) { error in
            XCTAssertTrue("\(error)".contains("21 pages"), "\(error)")
        }
        XCTAssertThrowsError(try RunGenerator(run: RunDirectory(try temporaryDirectory().appendingPathComponent("none")))) { error in
            XCTAssertTrue("\(error)".contains("no config.yaml"), "\(error)")
            XCTAssertFalse("\(error)".contains("\n"))
        }
    }

    /// The context grid: reading order left to right, then down; boxes inside the page.
    func testContextPageLaysWordsOutInReadingOrder() {
        let words = (0..<30).map { "w\($0)" }
        let page = RunGenerator.contextPage(" " + words.joined(separator: "  \n") + " ")
        XCTAssertEqual(page.words.map(\.text), words)
        XCTAssertEqual(page.words[1].left, page.words[0].right)
        XCTAssertEqual(page.words[12].left, 0)
        XCTAssertEqual(page.words[12].top, page.words[0].bottom)
        XCTAssertTrue(page.words.allSatisfy { $0.left >= 0 && $0.right <= 1 && $0.top >= 0 && $0.bottom <= 1 && $0.left < $0.right })
    }
}
