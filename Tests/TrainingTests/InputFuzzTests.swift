import DocData
import Foundation
import Training
import XCTest

/// Seeded fuzz of the readers of user files: mutated question files, OCR files and
/// submissions never trap (a trap would kill the test process), and mutations that are
/// invalid by construction are always reported.
final class InputFuzzTests: XCTestCase {
    /// SplitMix64: a fixed, portable sequence so every run fuzzes the same cases.
    struct Mix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }
    }

    let questions = Data("""
    {"data": [
      {"questionId": 1, "question": "What is the total?", "doc_id": "d1", "page_ids": ["d1_p0", "d1_p1", "d1_p2"],
       "answers": ["42", "forty-two"], "answer_page_idx": 2, "data_split": "val"},
      {"questionId": 2, "question": "Who signed?", "doc_id": "d2", "page_ids": ["d2_p0"],
       "answers": ["Ann"], "answer_page_idx": 0, "data_split": "val"}
    ]}
    """.utf8)

    let ocr = Data("""
    {"Blocks": [
      {"BlockType": "LINE", "Text": "Total 42", "Geometry": {"BoundingBox": {"Width": 0.5, "Height": 0.05, "Left": 0.1, "Top": 0.05}}, "Id": "l0"},
      {"BlockType": "WORD", "Text": "Total", "Geometry": {"BoundingBox": {"Width": 0.2, "Height": 0.05, "Left": 0.1, "Top": 0.05}}, "Id": "w0"},
      {"BlockType": "WORD", "Text": "42", "Geometry": {"BoundingBox": {"Width": 0.1, "Height": 0.05, "Left": 0.4, "Top": 0.05}}, "Id": "w1"}
    ]}
    """.utf8)

    let submission = Data("""
    [{"questionId": 1, "answer": "42", "answer_page": 2, "page_scores": [0.1, 0.2, 0.7]},
     {"questionId": 2, "answer": "Ann", "answer_page": 0, "page_scores": [1.0]}]
    """.utf8)

    /// Structural mutations: replace a byte, delete a span, duplicate a span, insert a
    /// JSON-significant token.
    func mutate(_ data: Data, _ rng: inout Mix) -> Data {
        var bytes = [UInt8](data)
        let tokens: [[UInt8]] = ["{", "}", "[", "]", ",", ":", "\"", "-1", "1e999", "NaN", "null", "true", "\\u0000", "99999999999999999999", "\u{FF}"]
            .map { Array($0.utf8) } + [[0xFF], [0xC3], [0x00]]
        for _ in 0..<(1 + rng.below(3)) {
            guard !bytes.isEmpty else { break }
            let at = rng.below(bytes.count)
            switch rng.below(4) {
            case 0: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
            case 1: bytes.removeSubrange(at..<min(bytes.count, at + 1 + rng.below(12)))
            case 2: bytes.insert(contentsOf: bytes[at..<min(bytes.count, at + 1 + rng.below(12))], at: at)
            default: bytes.insert(contentsOf: tokens[rng.below(tokens.count)], at: at)
            }
        }
        return Data(bytes)
    }

    func testMutatedQuestionOCRAndSubmissionFilesNeverTrap() throws {
        var rng = Mix(state: 20_261_202)
        let gold = QuestionFile.parse(questions, file: "val.json", expectsAnswers: true)
        XCTAssertTrue(gold.problems.isEmpty, "\(gold.problems)")
        let clean = OCRReader.parse(ocr, file: "ocr.json")
        XCTAssertTrue(clean.problems.isEmpty, "\(clean.problems)")
        XCTAssertEqual(clean.words.count, 2)
        XCTAssertEqual(try Scorer.score(gold: gold.questions, predictions: SubmissionEntry.parse(submission, file: "s.json")).overall.anls, 1)
        var cases = 0
        let started = Date()
        for _ in 0..<900 {
            let q = QuestionFile.parse(mutate(questions, &rng), file: "val.json", expectsAnswers: true)
            XCTAssertTrue(q.problems.allSatisfy { !$0.description.isEmpty })
            _ = OCRReader.parse(mutate(ocr, &rng), file: "ocr.json")
            if let entries = try? SubmissionEntry.parse(mutate(submission, &rng), file: "s.json") {
                _ = try? Scorer.score(gold: gold.questions, predictions: entries)
            }
            cases += 3
        }
        // Invalid by construction: every strict prefix of a file is truncated JSON.
        for data in [questions, ocr, submission] {
            for cut in stride(from: 0, to: data.count - 1, by: 7) {
                let prefix = data.prefix(cut)
                if data == questions {
                    XCTAssertFalse(QuestionFile.parse(prefix, file: "val.json", expectsAnswers: true).problems.isEmpty, "prefix \(cut) accepted")
                } else if data == ocr {
                    XCTAssertFalse(OCRReader.parse(prefix, file: "ocr.json").problems.isEmpty, "OCR prefix \(cut) accepted")
                } else {
                    XCTAssertThrowsError(try SubmissionEntry.parse(prefix, file: "s.json"), "submission prefix \(cut) accepted")
                }
                cases += 1
            }
        }
        // Invalid by construction: out-of-range pages, wrong score counts, non-finite or mistyped values.
        let badSubmissions = [
            #"[{"questionId": 1, "answer": "42", "answer_page": 3}, {"questionId": 2, "answer": "Ann", "answer_page": 0}]"#,
            #"[{"questionId": 1, "answer": "42", "answer_page": -1}, {"questionId": 2, "answer": "Ann", "answer_page": 0}]"#,
            #"[{"questionId": 1, "answer": "42", "answer_page": 0, "page_scores": [1]}, {"questionId": 2, "answer": "Ann", "answer_page": 0}]"#,
            #"[{"questionId": 1, "answer": "42", "answer_page": 0, "page_scores": [1, 2, NaN]}, {"questionId": 2, "answer": "Ann", "answer_page": 0}]"#,
            #"[{"questionId": 1, "answer": "42", "answer_page": 0.5}, {"questionId": 2, "answer": "Ann", "answer_page": 0}]"#,
            #"[{"questionId": "1", "answer": "42", "answer_page": 0}, {"questionId": 2, "answer": "Ann", "answer_page": 0}]"#,
            #"[{"questionId": 1, "answer": 42, "answer_page": 0}, {"questionId": 2, "answer": "Ann", "answer_page": 0}]"#,
            #"{"questionId": 1}"#, "[]", "",
        ]
        for text in badSubmissions {
            XCTAssertThrowsError(try Scorer.score(gold: gold.questions, predictions: SubmissionEntry.parse(Data(text.utf8), file: "s.json")), text)
            cases += 1
        }
        print("input fuzz: \(cases) cases in \(String(format: "%.2f", Date().timeIntervalSince(started))) s")
        XCTAssertGreaterThanOrEqual(cases, 2000)
    }

    /// Every key × {above range, zero, negative, huge, NaN, list, quoted} in-process: never a
    /// trap, and a value outside the key's type or range is always refused naming the key.
    func testConfigValueFuzzInProcess() throws {
        var cases = 0
        for key in ConfigSchema.keys {
            var values: [(String, Bool)] = [("0", false), ("-1", false), ("1e300", false), (".nan", false), ("[1, 2]", true), ("\"3\"", false), ("{a: 1}", true)]
            switch key.type {
            case .int(let r): values.append((String(r.upperBound &+ 1), true)); values.append((String(r.lowerBound - 1), true))
                values = values.map { ($0.0, $0.1 || !(Int($0.0).map(r.contains) ?? false)) }
            case .double(let r): values.append((String(r.upperBound * 2 + 1), true))
                values = values.map { ($0.0, $0.1 || !(Double($0.0).map { $0.isFinite && r.contains($0) } ?? false) || $0.0.hasPrefix("\"")) }
            case .bool, .choice: values = values.map { ($0.0, true) }
            case .text: break
            }
            for (value, mustFail) in values {
                let parts = key.name.split(separator: ".")
                var yaml = ""
                for (depth, part) in parts.enumerated() {
                    yaml += String(repeating: "  ", count: depth) + part + ":" + (depth == parts.count - 1 ? " \(value)\n" : "\n")
                }
                do {
                    _ = try RunSettings(ConfigDocument.parse(yaml, source: "f.yaml").base)
                    XCTAssertFalse(mustFail, "\(key.name) = \(value) accepted")
                } catch {
                    XCTAssertTrue("\(error)".contains(key.name), "\(key.name) = \(value): \(error)")
                }
                cases += 1
            }
        }
        XCTAssertGreaterThanOrEqual(cases, 400)
    }
}
