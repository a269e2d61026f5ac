import DocData
import Foundation
import Synchronization
import XCTest

/// The tokenizer against Hugging Face `tokenizers` (fixtures in Fixtures/tokenizer, written by
/// check_tokenizer.py and unicode_classes.py): training determinism, ids, decoding, pre-tokenisation
/// and the Unicode classes of the split pattern.
final class TokenizerTests: XCTestCase {
    static let fixtures = ["tokenizer.json": DigitSplitting.grouped, "tokenizer_digits.json": .individual]

    func fixtureURL(_ name: String) throws -> URL {
        let base = (name as NSString).deletingPathExtension, ext = (name as NSString).pathExtension
        return try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/tokenizer/\(base)", withExtension: ext), "fixture \(name)")
    }

    struct ExpectedRow: Decodable {
        var text: String
        var ids: [Int32]
        var decoded: String
        var decoded_with_special: String
        var pieces: [String]
    }

    func expectedRows(_ tokenizerFile: String) throws -> [ExpectedRow] {
        let data = try Data(contentsOf: fixtureURL("expected_ids.json"))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let rows = try XCTUnwrap(object[tokenizerFile], "expected_ids.json has no \(tokenizerFile)")
        return try JSONDecoder().decode([ExpectedRow].self, from: JSONSerialization.data(withJSONObject: rows))
    }

    /// Training on the committed corpus reproduces the committed tokenizer.json byte for byte.
    func testTrainingIsDeterministicAndMatchesCommittedFile() throws {
        let corpus = try String(contentsOf: fixtureURL("train_corpus.txt"), encoding: .utf8)
        let lines = corpus.split(whereSeparator: \.isNewline).map(String.init)
        for (file, digits) in Self.fixtures {
            var trainer = try BPETrainer(vocabularySize: 800, digits: digits)
            for line in lines { trainer.add(line) }
            let trained = trainer.train()
            let committed = try String(contentsOf: fixtureURL(file), encoding: .utf8)
            let text = trained.jsonText()
            if text != committed {
                let a = text.split(separator: "\n"), b = committed.split(separator: "\n")
                let first = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }
                XCTFail("\(file): retrained JSON differs from the committed file at line \((first?.offset ?? min(a.count, b.count)) + 1): "
                        + "\(first.map { "\($0.element.0) vs \($0.element.1)" } ?? "lengths \(a.count) vs \(b.count)")")
            }
            XCTAssertEqual(trained.vocabularySize, 800, file)
            // Same texts in another order: same tokenizer.
            var shuffled = try BPETrainer(vocabularySize: 800, digits: digits)
            for line in lines.reversed() { shuffled.add(line) }
            XCTAssertEqual(shuffled.train().jsonText(), text, "\(file): training depends on text order")
        }
    }

    /// Encoding the test corpus gives Python's ids; decoding gives Python's text and round-trips.
    func testIdsAndDecodingMatchHuggingFace() throws {
        for (file, digits) in Self.fixtures {
            let tokenizer = try BPETokenizer(contentsOf: fixtureURL(file))
            XCTAssertEqual(tokenizer.preTokenizer.digits, digits, file)
            for (k, row) in try expectedRows(file).enumerated() {
                let what = "\(file) string \(k) \(row.text.debugDescription)"
                XCTAssertEqual(tokenizer.encode(row.text), row.ids, what)
                XCTAssertEqual(tokenizer.decode(row.ids), row.decoded, what)
                XCTAssertEqual(tokenizer.decode(row.ids, skipSpecialTokens: false), row.decoded_with_special, what)
                XCTAssertEqual(tokenizer.decode(tokenizer.encode(row.text), skipSpecialTokens: false), row.text, "round trip of \(what)")
                // Encoding twice (the second time from the word cache) gives the same ids.
                XCTAssertEqual(tokenizer.encode(row.text), row.ids, "cached \(what)")
            }
        }
    }

    /// Concurrent callers (one holds the word cache, the others encode without it) get the same ids.
    func testConcurrentEncodingGivesTheSameIds() throws {
        let tokenizer = try BPETokenizer(contentsOf: fixtureURL("tokenizer.json"))
        let rows = try expectedRows("tokenizer.json")
        let results = Mutex([Int: [[Int32]]]())
        DispatchQueue.concurrentPerform(iterations: 8) { k in
            var mine: [[Int32]] = []
            for _ in 0..<20 { mine = rows.map { tokenizer.encode($0.text) } }
            results.withLock { $0[k] = mine }
        }
        let all = results.withLock { $0 }
        for k in 0..<8 { XCTAssertEqual(all[k], rows.map(\.ids), "thread \(k)") }
    }

    /// The hand-written GPT-2 split (and Digits) gives Python's pieces.
    func testPreTokenizerPiecesMatchHuggingFace() throws {
        for (file, digits) in Self.fixtures {
            let preTokenizer = PreTokenizer(digits: digits)
            for (k, row) in try expectedRows(file).enumerated() {
                let pieces = preTokenizer.split(row.text).map { ByteLevelAlphabet.spell(Array($0.utf8)) }
                XCTAssertEqual(pieces, row.pieces, "\(file) string \(k) \(row.text.debugDescription)")
                XCTAssertEqual(preTokenizer.split(row.text).joined(), row.text)
            }
        }
    }

    /// Every code point's class (letter / number / whitespace / other, and numeric for Digits)
    /// equals the one Python's tokenizers shows (unicode_classes.json, from unicode_classes.py).
    func testScalarClassesMatchHuggingFaceForEveryCodePoint() throws {
        let data = try Data(contentsOf: fixtureURL("unicode_classes.json"))
        let ranges = try JSONDecoder().decode([[ClassRangeField]].self, from: data)
        var mismatches: [String] = []
        var checked = 0
        for range in ranges {
            guard case .int(let lo) = range[0], case .int(let hi) = range[1], case .name(let name) = range[2] else {
                return XCTFail("unicode_classes.json: malformed range \(range)")
            }
            for value in lo...hi {
                guard let scalar = Unicode.Scalar(UInt32(value)) else { continue }
                let c = ScalarClass.of(scalar)
                let letter: Character = switch c.pattern {
                case .letter: "L"
                case .number: "N"
                case .whitespace: "W"
                case .other: "P"
                }
                let got = String(letter) + (c.isNumeric ? "d" : "")
                checked += 1
                if got != name && mismatches.count < 10 { mismatches.append("U+\(String(value, radix: 16, uppercase: true)): \(got), expected \(name)") }
            }
        }
        XCTAssertEqual(checked, 0x110000 - 0x800, "every scalar value is covered")
        XCTAssertTrue(mismatches.isEmpty, "classes differ from tokenizers': \(mismatches.joined(separator: "; "))")
    }

    enum ClassRangeField: Decodable {
        case int(Int), name(String)
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let i = try? c.decode(Int.self) { self = .int(i) } else { self = .name(try c.decode(String.self)) }
        }
    }

    /// Special tokens: ids in the documented order, roles found, saved and reloaded unchanged.
    func testSpecialTokensAndSaveLoadRoundTrip() throws {
        var trainer = try BPETrainer(vocabularySize: 400, specialTokens: SpecialTokens(pageSlotCount: 4))
        trainer.add("the cat sat on the mat; the cat ate 12 rats")
        let tokenizer = trainer.train()
        XCTAssertEqual(Array(tokenizer.vocabulary.prefix(10)),
                       ["<pad>", "</s>", "<s>", "<question>", "<ocr>", "<image>", "<page_0>", "<page_1>", "<page_2>", "<page_3>"])
        XCTAssertEqual(tokenizer.paddingID, 0)
        XCTAssertEqual(tokenizer.endOfSequenceID, 1)
        XCTAssertEqual(tokenizer.startOfSequenceID, 2)
        XCTAssertEqual(tokenizer.questionSeparatorID, 3)
        XCTAssertEqual(tokenizer.ocrSeparatorID, 4)
        XCTAssertEqual(tokenizer.imageSeparatorID, 5)
        XCTAssertEqual(tokenizer.pageSlotIDs, [6, 7, 8, 9])
        XCTAssertEqual(tokenizer.vocabulary[10], "Ā", "byte tokens follow the special tokens in byte order (byte 0 is Ā)")
        XCTAssertEqual(tokenizer.vocabulary[10 + 0x21], "!", "printable bytes spell themselves")
        XCTAssertEqual(tokenizer.id(of: "Ġ"), 10 + 0x20, "byte 0x20 is spelled Ġ (GPT-2 alphabet)")
        XCTAssertEqual(tokenizer.id(of: "Ċ"), 10 + 0x0A, "byte 0x0A is spelled Ċ")
        XCTAssertEqual(tokenizer.id(of: "Ń"), 10 + 0xAD, "byte 0xAD (soft hyphen, not printable) is spelled Ń")
        XCTAssertTrue(tokenizer.isSpecialToken(0))
        XCTAssertFalse(tokenizer.isSpecialToken(10))

        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mpvqa-tok-\(UUID().uuidString)/tokenizer.json")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        try tokenizer.save(to: url)
        let loaded = try BPETokenizer(contentsOf: url)
        XCTAssertEqual(loaded.vocabulary, tokenizer.vocabulary)
        XCTAssertEqual(loaded.merges, tokenizer.merges)
        XCTAssertEqual(loaded.jsonText(), tokenizer.jsonText())
        XCTAssertEqual(loaded.encode("the cat <page_3> sat"), tokenizer.encode("the cat <page_3> sat"))
    }

    /// Merges in the newer `[["a", "b"], …]` form load like the `"a b"` strings.
    func testLoadsPairFormMerges() throws {
        let original = try BPETokenizer(contentsOf: fixtureURL("tokenizer.json"))
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(original.jsonText().utf8)) as? [String: Any])
        var model = try XCTUnwrap(object["model"] as? [String: Any])
        let merges = try XCTUnwrap(model["merges"] as? [String])
        model["merges"] = merges.map { $0.split(separator: " ").map(String.init) }
        object["model"] = model
        let reloaded = try BPETokenizer(jsonData: JSONSerialization.data(withJSONObject: object))
        XCTAssertEqual(reloaded.merges, original.merges)
    }

    /// Files this tokenizer cannot reproduce exactly are refused, naming the field.
    func testRejectsUnsupportedConfigurations() throws {
        let text = try String(contentsOf: fixtureURL("tokenizer.json"), encoding: .utf8)
        let cases: [(String, String, String)] = [
            ("\"add_prefix_space\": false, \"trim_offsets\": true, \"use_regex\": true},\n  \"post",
             "\"add_prefix_space\": true, \"trim_offsets\": true, \"use_regex\": true},\n  \"post", "pre_tokenizer.add_prefix_space"),
            ("\"normalizer\": null", "\"normalizer\": {\"type\": \"NFC\"}", "normalizer"),
            ("\"type\": \"BPE\"", "\"type\": \"WordPiece\"", "model.type"),
            ("\"version\": \"1.0\"", "\"version\": \"2.0\"", "version"),
            ("\"Ġ t\",", "\"Ġ zzz\",", "model.merges"),
        ]
        for (find, replacement, field) in cases {
            XCTAssertTrue(text.contains(find), "fixture text to replace: \(find)")
            let broken = text.replacingOccurrences(of: find, with: replacement)
            XCTAssertThrowsError(try BPETokenizer(jsonData: Data(broken.utf8), source: "broken.json"), field) { error in
                let message = "\(error)"
                XCTAssertTrue(message.hasPrefix("broken.json"), message)
                XCTAssertTrue(message.contains(field), "\(message) should name \(field)")
            }
        }
    }

    /// Hand-checked pieces of the split pattern (independent of the fixtures).
    func testPreTokenizerHandCases() {
        let grouped = PreTokenizer()
        XCTAssertEqual(grouped.split("Hello  world's 42"), ["Hello", " ", " world", "'s", " 42"])
        XCTAssertEqual(grouped.split("a\n\n b"), ["a", "\n\n", " b"])
        XCTAssertEqual(grouped.split("x   "), ["x", "   "])
        XCTAssertEqual(grouped.split("$1,234.00"), ["$", "1", ",", "234", ".", "00"])
        XCTAssertEqual(grouped.split("'sam ''s"), ["'s", "am", " ''", "s"])
        let individual = PreTokenizer(digits: .individual)
        XCTAssertEqual(individual.split("a 42b"), ["a", " ", "4", "2", "b"])
        XCTAssertEqual(individual.split("x²"), ["x", "²"])
    }

    /// A tiny corpus whose merges can be worked out by hand: "aaab" ×3 and "ab" ×1 (one piece
    /// each): pair counts aa 6, ab 4, so "aa" is merged first; then (aa, a) 3 vs (a, b) 4 → "ab";
    /// then (aa, ab) 3.
    func testTrainerMergesByHand() throws {
        var trainer = try BPETrainer(vocabularySize: 6 + 256 + 3, specialTokens: SpecialTokens(pageSlotCount: 0))
        for text in ["aaab", "aaab", "aaab", "ab"] { trainer.add(text) }
        let tokenizer = trainer.train()
        XCTAssertEqual(tokenizer.merges.map { "\(tokenizer.vocabulary[Int($0.left)]) \(tokenizer.vocabulary[Int($0.right)])" },
                       ["a a", "a b", "aa ab"])
        XCTAssertEqual(tokenizer.encode("aaab").map { tokenizer.vocabulary[Int($0)] }, ["aaab"])
        XCTAssertEqual(tokenizer.encode("aaaa").map { tokenizer.vocabulary[Int($0)] }, ["aa", "aa"])
        // Ties break on bytes: "yx" and "xy" once each → (x, y) first.
        var tie = try BPETrainer(vocabularySize: 6 + 256 + 1, minimumPairCount: 1, specialTokens: SpecialTokens(pageSlotCount: 0))
        tie.add("yx")
        tie.add("xy")
        let tied = tie.train()
        XCTAssertEqual(tied.merges.map { "\(tied.vocabulary[Int($0.left)]) \(tied.vocabulary[Int($0.right)])" }, ["x y"])
    }
}
