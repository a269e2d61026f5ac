import DocData
import Foundation
import XCTest

/// SentencePiece (Unigram) tokenizers against Python `tokenizers` (fixtures in Fixtures/unigram,
/// written by make_fixture.py): ids with and without T5's `</s>`, pieces and decoding on
/// synthetic OCR text and hostile Unicode, added page tokens, writing back, and refusals.
final class UnigramTokenizerTests: XCTestCase {
    static let files = ["tokenizer.json", "tokenizer_variant.json", "tokenizer_bytes.json"]

    func fixtureURL(_ name: String) throws -> URL {
        let base = (name as NSString).deletingPathExtension, ext = (name as NSString).pathExtension
        return try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/unigram/\(base)", withExtension: ext), "fixture \(name)")
    }

    struct ExpectedRow: Decodable {
        var text: String
        var ids: [Int32]
        var ids_with_special: [Int32]
        var pieces: [String]
        var decoded: String
        var decoded_with_special: String
    }

    func expectedRows() throws -> [String: [ExpectedRow]] {
        try JSONDecoder().decode([String: [ExpectedRow]].self, from: Data(contentsOf: fixtureURL("expected.json")))
    }

    /// Every string's ids (with and without the post-processor), pieces and decodings equal Python's:
    /// 2,450 strings on the T5 layout, 450 on each variant, 750 with prepend_scheme "first".
    func testIdsPiecesAndDecodingMatchHuggingFace() throws {
        let expected = try expectedRows()
        var compared = 0
        // The fourth case: tokenizer.json with Metaspace's prepend_scheme "first" (patched in the
        // text, as make_fixture.py does).
        let firstScheme = try String(contentsOf: fixtureURL("tokenizer.json"), encoding: .utf8)
            .replacingOccurrences(of: "\"prepend_scheme\":\"always\"", with: "\"prepend_scheme\":\"first\"")
        let cases = try Self.files.map { ($0, try UnigramTokenizer(contentsOf: fixtureURL($0))) }
            + [("tokenizer.json, prepend_scheme first", try UnigramTokenizer(jsonData: Data(firstScheme.utf8), source: "first"))]
        for (file, tokenizer) in cases {
            let rows = try XCTUnwrap(expected[file], "expected.json has no \(file)")
            var failures: [String] = []
            for (k, row) in rows.enumerated() {
                let ids = tokenizer.encode(row.text)
                var problems: [String] = []
                if ids != row.ids { problems.append("ids \(ids) vs \(row.ids)") }
                let withSpecial = tokenizer.encode(row.text, addingSpecialTokens: true)
                if withSpecial != row.ids_with_special { problems.append("ids with special \(withSpecial) vs \(row.ids_with_special)") }
                // HF shows a fused unknown token by its text; every other piece is the token's own text.
                for (id, piece) in zip(row.ids, row.pieces) where id != tokenizer.model.unknownID && tokenizer.token(of: id) != piece {
                    problems.append("piece of \(id): \(tokenizer.token(of: id) ?? "nil") vs \(piece)")
                }
                let decoded = tokenizer.decode(row.ids_with_special)
                if decoded != row.decoded { problems.append("decoded \(decoded.debugDescription) vs \(row.decoded.debugDescription)") }
                let decodedAll = tokenizer.decode(row.ids_with_special, skipSpecialTokens: false)
                if decodedAll != row.decoded_with_special {
                    problems.append("decoded with special \(decodedAll.debugDescription) vs \(row.decoded_with_special.debugDescription)")
                }
                if !problems.isEmpty && failures.count < 8 {
                    failures.append("\(file) string \(k) \(row.text.debugDescription): " + problems.joined(separator: "; "))
                }
                compared += 1
            }
            XCTAssertTrue(failures.isEmpty, failures.joined(separator: "\n"))
            if file == "tokenizer.json" { XCTAssertGreaterThanOrEqual(rows.count, 2000, "strings compared for the T5-layout file") }
        }
        XCTAssertEqual(compared, 4100)
    }

    /// The T5 layout is read as T5 has it: unknown piece 2, `</s>` appended, 100 sentinel tokens.
    func testT5LayoutIsRead() throws {
        let tokenizer = try UnigramTokenizer(contentsOf: fixtureURL("tokenizer.json"))
        XCTAssertEqual(tokenizer.paddingID, 0)
        XCTAssertEqual(tokenizer.endOfSequenceID, 1)
        XCTAssertEqual(tokenizer.model.unknownID, 2)
        // Scores are the doubles Python wrote (not an ulp off).
        XCTAssertEqual(tokenizer.model.scores[3], -3.250185489654541)
        XCTAssertEqual(tokenizer.model.scores.firstIndex(of: -5.657568454742432).map { tokenizer.model.pieces[$0] }, "\u{2581}corp")
        XCTAssertEqual(tokenizer.vocabularySize, 2100)
        XCTAssertEqual(tokenizer.id(of: "<extra_id_0>"), 2099)
        XCTAssertEqual(tokenizer.id(of: "<extra_id_99>"), 2000)
        XCTAssertTrue(tokenizer.isSpecialToken(2099))
        XCTAssertEqual(tokenizer.template, [.sequence, .special("</s>", ids: [1])])
        XCTAssertEqual(tokenizer.encode(""), [])
        XCTAssertEqual(tokenizer.encode("   "), [])
        XCTAssertEqual(tokenizer.encode("", addingSpecialTokens: true), [1])
        let preTokenizer = try XCTUnwrap(tokenizer.preTokenizer)
        XCTAssertEqual(preTokenizer.steps, [.whitespaceSplit, .metaspace(Metaspace(replacement: "\u{2581}", prependScheme: .always, split: true))])
    }

    /// `loadAnyTokenizer` picks the kind by `model.type`; both kinds answer through `TextTokenizer`.
    func testLoadAnyTokenizerChoosesByModelType() throws {
        let unigram = try loadAnyTokenizer(from: fixtureURL("tokenizer.json"))
        XCTAssertTrue(unigram is UnigramTokenizer)
        XCTAssertEqual(unigram.modelType, "Unigram")
        let bpeURL = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/tokenizer/tokenizer", withExtension: "json"))
        let bpe = try loadAnyTokenizer(from: bpeURL)
        XCTAssertTrue(bpe is BPETokenizer)
        let direct = try BPETokenizer(contentsOf: bpeURL)
        let text = "Invoice total: $1,234.00"
        XCTAssertEqual(bpe.encode(text), direct.encode(text))
        XCTAssertEqual(bpe.encode(text, addingSpecialTokens: true), direct.encode(text))
        XCTAssertEqual(bpe.decode(bpe.encode(text), skipSpecialTokens: true), text)
        XCTAssertEqual(bpe.jsonText(), direct.jsonText())
        XCTAssertEqual(unigram.decode(unigram.encode("Total due 12"), skipSpecialTokens: true), "Total due 12")
    }

    /// Hi-VT5's page tokens added to a loaded vocabulary get the next ids, are matched in text
    /// before anything else, survive writing the file back, and change nothing else.
    func testAddedPageTokensAndWritingBack() throws {
        let base = try UnigramTokenizer(contentsOf: fixtureURL("tokenizer.json"))
        let pages = (0..<4).map { "[PAGE_\($0)]" }
        let tokenizer = base.addingTokens(pages + ["</s>"])
        XCTAssertEqual(tokenizer.vocabularySize, base.vocabularySize + 4)
        XCTAssertEqual(pages.map { tokenizer.id(of: $0) }, [2100, 2101, 2102, 2103])
        XCTAssertEqual(tokenizer.id(of: "</s>"), 1, "an existing token keeps its id")
        let total = base.encode("total")
        XCTAssertEqual(tokenizer.encode("[PAGE_2]total[PAGE_0]"), [2102] + total + [2100])
        // "▁total" is not the first token, so its marker decodes as a space (as in tokenizers).
        XCTAssertEqual(tokenizer.decode([2102] + total, skipSpecialTokens: false), "[PAGE_2] total")

        let rows = try XCTUnwrap(try expectedRows()["tokenizer.json"])
        for file in Self.files {
            let original = try UnigramTokenizer(contentsOf: fixtureURL(file))
            let written = original.addingTokens(pages).jsonText()
            let reread = try UnigramTokenizer(jsonData: Data(written.utf8), source: "written \(file)")
            XCTAssertEqual(reread.jsonText(), written, "\(file): writing is stable")
            // tokenizer_variant.json already has [PAGE_0], which keeps its id.
            XCTAssertEqual(reread.vocabularySize, original.vocabularySize + pages.filter { original.id(of: $0) == nil }.count)
            for row in rows.prefix(600) where !row.text.contains("[PAGE_") {
                XCTAssertEqual(reread.encode(row.text, addingSpecialTokens: true), original.encode(row.text, addingSpecialTokens: true),
                               "\(file) after writing back: \(row.text.debugDescription)")
            }
        }
    }

    /// A file this tokenizer cannot reproduce is refused naming the file, the field and what was expected.
    func testUnsupportedFilesAreRefusedNamingTheField() throws {
        let data = try Data(contentsOf: fixtureURL("tokenizer.json"))
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        func refused(_ change: (inout [String: Any]) -> Void, _ expected: [String], line: UInt = #line) throws {
            var copy = root
            change(&copy)
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("unigram-\(UUID().uuidString).json")
            try JSONSerialization.data(withJSONObject: copy).write(to: url)
            defer { try? FileManager.default.removeItem(at: url) }
            XCTAssertThrowsError(try loadAnyTokenizer(from: url), line: line) { error in
                let message = "\(error)"
                XCTAssertTrue(message.hasPrefix(url.path), "names the file: \(message)", line: line)
                for part in expected { XCTAssertTrue(message.contains(part), "\"\(message)\" lacks \"\(part)\"", line: line) }
            }
        }
        try refused({ $0["normalizer"] = ["type": "Sequence", "normalizers": [["type": "NFKC"]]] },
                    ["normalizer.normalizers[0].type", "\"NFKC\""])
        try refused({ $0["normalizer"] = ["type": "Replace", "pattern": ["Regex": "\\s+"], "content": " "] },
                    ["normalizer.pattern.Regex", "\\s+"])
        try refused({ $0["pre_tokenizer"] = ["type": "ByteLevel"] }, ["pre_tokenizer.type", "\"ByteLevel\""])
        try refused({ $0["pre_tokenizer"] = ["type": "Metaspace", "replacement": "▁", "prepend_scheme": "sometimes"] },
                    ["pre_tokenizer.prepend_scheme", "\"sometimes\""])
        try refused({ $0["decoder"] = ["type": "WordPiece"] }, ["decoder.type", "\"WordPiece\""])
        try refused({ $0["post_processor"] = ["type": "BertProcessing"] }, ["post_processor.type", "BertProcessing"])
        try refused({ var m = $0["model"] as! [String: Any]; m["type"] = "WordPiece"; $0["model"] = m }, ["model.type", "\"WordPiece\""])
        try refused({ var m = $0["model"] as! [String: Any]; m["unk_id"] = NSNull(); $0["model"] = m }, ["model.unk_id"])
        try refused({ var m = $0["model"] as! [String: Any]; m["vocab"] = [["a"]]; $0["model"] = m }, ["model.vocab[0]", "[piece, score]"])
        try refused({ var n = $0["normalizer"] as! [String: Any]; n["normalizers"] = [["type": "Precompiled", "precompiled_charsmap": "AAA"]]
                      $0["normalizer"] = n }, ["normalizer.normalizers[0].precompiled_charsmap", "base64"])
        try refused({ var list = $0["added_tokens"] as! [[String: Any]]; list[0]["lstrip"] = true; $0["added_tokens"] = list },
                    ["added_tokens[0].lstrip", "expected false"])
        try refused({ var list = $0["added_tokens"] as! [[String: Any]]; list[0]["content"] = "<PAD>"; $0["added_tokens"] = list },
                    ["added_tokens (<PAD>)", "<pad>"])
    }

    /// The normalizer's regex runs are parsed as the regex means them.
    func testCharacterRunPatterns() {
        XCTAssertEqual(UnigramTokenizer.characterRun(" {2,}"), .run(" ", min: 2, max: nil, source: " {2,}"))
        XCTAssertEqual(UnigramTokenizer.characterRun("x+"), .run("x", min: 1, max: nil, source: "x+"))
        XCTAssertEqual(UnigramTokenizer.characterRun("\\.{3}"), .run(".", min: 3, max: 3, source: "\\.{3}"))
        XCTAssertNil(UnigramTokenizer.characterRun("\\s+"))
        XCTAssertNil(UnigramTokenizer.characterRun(" {2,}x"))
        XCTAssertNil(UnigramTokenizer.characterRun("[ab]+"))
        let normalizer = TextNormalizer(steps: [.replace(pattern: .run(" ", min: 2, max: 3, source: " {2,3}"), content: "_")])
        XCTAssertEqual(normalizer.normalize("a b  c     d").text, "a b_c__d")
    }
}
