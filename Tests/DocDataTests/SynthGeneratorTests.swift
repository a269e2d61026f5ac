import XCTest
import DocData
import TensorCore

/// The in-memory synthetic documents: determinism, the one-answer-page guarantee, page-count
/// distribution, distractors, OCR noise, gold variants. Expectations come from README "Data" and are
/// checked with the test's own word matching, not the generator's.
final class SynthGeneratorTests: XCTestCase {
    func config(noise: Double = 0, distractors: Double = 0.5) -> SyntheticConfig {
        var c = SyntheticConfig()
        c.ocrNoiseRate = noise
        c.distractorRate = distractors
        return c
    }

    func documents(_ n: Int, _ config: SyntheticConfig, seed: UInt64 = 11) throws -> [SyntheticDocument] {
        let generator = try SyntheticDocumentGenerator(config: config)
        var rng = SeededRNG(seed: seed)
        return (0..<n).map { generator.document(seed: rng.next(), docId: "d\($0)") }
    }

    /// Lower-cased words with a trailing colon removed (labels print as `Invoice No.:`).
    func tokens<S: Sequence>(_ words: S) -> [String] where S.Element == String {
        words.flatMap { $0.split(separator: " ") }.map { w in
            let t = w.lowercased()
            return t.count > 1 && t.hasSuffix(":") ? String(t.dropLast()) : t
        }
    }

    func contains(_ page: [String], _ phrase: String) -> Bool {
        let needle = tokens([phrase])
        guard !needle.isEmpty, needle.count <= page.count else { return false }
        return (0...(page.count - needle.count)).contains { start in
            needle.indices.allSatisfy { page[start + $0] == needle[$0] }
        }
    }

    func testSameSeedGivesSameDocumentAndDifferentSeedDiffers() throws {
        let generator = try SyntheticDocumentGenerator(config: config(noise: 0.05))
        let a = generator.document(seed: 99, docId: "x")
        let b = generator.document(seed: 99, docId: "x")
        let c = generator.document(seed: 100, docId: "x")
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a.pages.map(\.lineTexts), c.pages.map(\.lineTexts))
    }

    func testOnlineStreamIsSeededAndFresh() throws {
        var c = config()
        c.minQuestionsPerDocument = 2; c.maxQuestionsPerDocument = 3
        var a = try SyntheticDocumentStream(config: c, seed: 4), b = try SyntheticDocumentStream(config: c, seed: 4)
        let first = (0..<5).map { _ in a.next() }
        XCTAssertEqual(first, (0..<5).map { _ in b.next() })
        XCTAssertEqual(Set(first.map(\.docId)).count, 5)
        XCTAssertEqual(Set(first.map { $0.pages.map(\.lineTexts) }).count, 5, "documents must differ")
        XCTAssertTrue(first.allSatisfy { (2...3).contains($0.questions.count) })
        XCTAssertEqual(a.count, 5)
    }

    func testEveryAnswerIsOnItsAnswerPageOnlyAndTheKeyNowhereElse() throws {
        let docs = try documents(300, config(noise: 0))
        var questions = 0
        for doc in docs {
            let pages = doc.pages.map { tokens($0.ocrWords().map(\.text)) }
            XCTAssertTrue((1...20).contains(pages.count))
            XCTAssertEqual(Set(doc.questions.map(\.fieldName)).count, doc.questions.count, "\(doc.docId): a key asked twice")
            for q in doc.questions {
                questions += 1
                let a = q.answerPageIndex
                XCTAssertTrue(pages.indices.contains(a))
                let key = try XCTUnwrap(FieldCatalog.key(named: q.fieldName))
                XCTAssertTrue(key.labels.contains(q.label))
                XCTAssertTrue(q.answers.contains { contains(pages[a], $0) }, "\(doc.docId): \(q.question) \(q.answers) not on page \(a)")
                XCTAssertTrue(contains(pages[a], q.label), "\(doc.docId): label \(q.label) not on page \(a)")
                for p in pages.indices where p != a {
                    for gold in q.answers { XCTAssertFalse(contains(pages[p], gold), "\(doc.docId): \(gold) also on page \(p)") }
                    for label in key.labels { XCTAssertFalse(contains(pages[p], label), "\(doc.docId): key \(label) also on page \(p)") }
                }
                XCTAssertTrue(q.question.hasSuffix("?"))
            }
        }
        XCTAssertGreaterThan(questions, 600)
    }

    func testPageCountsFollowAnMPDocVQALikeDistribution() throws {
        let docs = try documents(1000, config())
        var histogram = [Int](repeating: 0, count: 21)
        for doc in docs { histogram[doc.pages.count] += 1 }
        XCTAssertEqual(histogram[0], 0)
        let mean = Double(docs.reduce(0) { $0 + $1.pages.count }) / Double(docs.count)
        XCTAssertEqual(mean, 8.0, accuracy: 0.8, "mean pages per document; histogram \(histogram)")
        // Every length occurs; short documents are more common than long ones (but 20 has a bump).
        XCTAssertTrue(histogram[1...20].allSatisfy { $0 > 0 }, "\(histogram)")
        XCTAssertGreaterThan(histogram[1...5].reduce(0, +), histogram[11...15].reduce(0, +) * 2)
        XCTAssertGreaterThan(histogram[20], histogram[19])

        var narrow = config()
        narrow.minPages = 3; narrow.maxPages = 5
        XCTAssertTrue(try documents(200, narrow).allSatisfy { (3...5).contains($0.pages.count) })
    }

    func testDistractorRateControlsSameKindFieldsOnOtherPages() throws {
        func sameKindShare(_ rate: Double) throws -> Double {
            var hits = 0, pairs = 0
            for doc in try documents(150, config(distractors: rate), seed: 5) {
                let pages = doc.pages.map { tokens($0.words.map(\.text)) }
                let asked = Set(doc.questions.map(\.fieldName))
                for q in doc.questions {
                    // Fields of other questions are not distractors in the knob's sense.
                    let kind = FieldCatalog.key(named: q.fieldName)!.kind
                    let labels = FieldCatalog.keys.filter { $0.kind == kind && !asked.contains($0.name) }.flatMap(\.labels)
                    for p in pages.indices where p != q.answerPageIndex {
                        pairs += 1
                        if labels.contains(where: { contains(pages[p], $0) }) { hits += 1 }
                    }
                }
            }
            return Double(hits) / Double(max(pairs, 1))
        }
        let none = try sameKindShare(0), half = try sameKindShare(0.5), all = try sameKindShare(1)
        XCTAssertEqual(none, 0, "distractor rate 0 must leave no same-kind field on other pages")
        XCTAssertGreaterThan(half, 0.2)
        XCTAssertGreaterThan(all, half + 0.15)
    }

    func testOCRNoiseChangesOnlyTheOCRTextNotTheDrawing() throws {
        let clean = try documents(40, config(noise: 0), seed: 3)
        let noisy = try documents(40, config(noise: 0.1), seed: 3)
        var words = 0, changed = 0, characters = 0
        for (c, n) in zip(clean, noisy) {
            XCTAssertEqual(c.questions, n.questions)
            for (pc, pn) in zip(c.pages, n.pages) {
                XCTAssertEqual(pc.words.map(\.text), pn.words.map(\.text))
                XCTAssertEqual(pc.words.map(\.box), pn.words.map(\.box))
                XCTAssertEqual(pc.rules, pn.rules)
                XCTAssertTrue(pc.words.allSatisfy { $0.ocrText == $0.text })
                for w in pn.words {
                    words += 1
                    characters += w.text.count
                    if w.ocrText != w.text { changed += 1; XCTAssertLessThan(w.confidence, 90) }
                    XCTAssertFalse(w.ocrText.isEmpty)
                }
            }
        }
        // A word of L characters stays clean with probability 0.9^L.
        let expected = Double(words) - clean.flatMap(\.pages).flatMap(\.words).reduce(0.0) { $0 + pow(0.9, Double($1.text.count)) }
        XCTAssertEqual(Double(changed), expected, accuracy: 0.1 * expected, "\(changed) of \(words) words changed, \(characters) characters")
    }

    func testGoldVariantsCoverTheUsualFormats() throws {
        let money = try NSRegularExpression(pattern: #"^\$[0-9]{1,3}(,[0-9]{3})*\.[0-9]{2}$"#)
        let plainMoney = try NSRegularExpression(pattern: #"^[0-9]{1,3}(,[0-9]{3})*\.[0-9]{2}$"#)
        let numericDate = try NSRegularExpression(pattern: #"^[01][0-9]/[0-3][0-9]/20[0-9]{2}$"#)
        let longDate = try NSRegularExpression(pattern: #"^(January|February|March|April|May|June|July|August|September|October|November|December) [1-9][0-9]?, 20[0-9]{2}$"#)
        func matches(_ r: NSRegularExpression, _ s: String) -> Bool {
            r.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
        }
        var amounts = 0, dates = 0, multi = 0, total = 0
        for doc in try documents(300, config()) {
            for q in doc.questions {
                total += 1
                XCTAssertEqual(Set(q.answers).count, q.answers.count, "duplicate golds \(q.answers)")
                if q.answers.count > 1 { multi += 1 }
                switch FieldCatalog.key(named: q.fieldName)!.kind {
                case .amount:
                    amounts += 1
                    XCTAssertTrue(q.answers.contains { matches(money, $0) } && q.answers.contains { matches(plainMoney, $0) }, "\(q.answers)")
                case .date:
                    dates += 1
                    XCTAssertTrue(q.answers.contains { matches(numericDate, $0) } && q.answers.contains { matches(longDate, $0) }, "\(q.answers)")
                default: break
                }
            }
        }
        XCTAssertGreaterThan(amounts, 20)
        XCTAssertGreaterThan(dates, 20)
        XCTAssertGreaterThan(Double(multi) / Double(total), 0.4, "share of questions with several gold answers")
    }

    func testCatalogLabelsNeverOccurInsideOtherLabelsOrTheVocabulary() {
        let keys = FieldCatalog.keys
        XCTAssertEqual(Set(keys.map(\.name)).count, keys.count)
        var boilerplate = SyntheticVocabulary.sentences + SyntheticVocabulary.items + SyntheticVocabulary.documentTypes
        boilerplate += SyntheticVocabulary.tableHeaders.flatMap { $0 }
        for a in keys {
            XCTAssertFalse(a.labels.isEmpty || a.phrases.isEmpty)
            for label in a.labels {
                XCTAssertTrue(label.utf8.allSatisfy { $0 >= 32 && $0 < 127 }, label)
                for b in keys where b.name != a.name {
                    for other in b.labels { XCTAssertFalse(contains(tokens([other]), label), "'\(label)' inside '\(other)'") }
                }
                for text in boilerplate { XCTAssertFalse(contains(tokens([text]), label), "'\(label)' inside '\(text)'") }
            }
        }
    }

    func testSplitPlanNumbersQuestionsOfEverySplit() throws {
        var c = config()
        c.trainQuestions = 40; c.valQuestions = 13; c.testQuestions = 7; c.devQuestions = 5
        c.minQuestionsPerDocument = 2; c.maxQuestionsPerDocument = 4
        let splits = try SyntheticSplitPlan.make(config: c)
        XCTAssertEqual(splits.map(\.name), ["train", "val", "test", "dev"])
        XCTAssertEqual(splits.map(\.questions.count), [40, 13, 7, 5])
        let all = splits.flatMap(\.questions)
        XCTAssertEqual(all.map(\.questionId), Array(1...65))
        for split in splits {
            for doc in split.documents { XCTAssertTrue((1...4).contains(doc.questions.count)) }
            for q in split.questions {
                XCTAssertEqual(q.dataSplit, split.name)
                XCTAssertNotNil(q.answers)  // the writer leaves test answers out of test.json
                XCTAssertNotNil(q.answerPageIndex)
                XCTAssertEqual(q.pageIds.first, q.docId + "_p0")
            }
        }
        XCTAssertEqual(Set(all.map(\.docId)).count, splits.reduce(0) { $0 + $1.documents.count })
        XCTAssertThrowsError(try SyntheticSplitPlan.make(config: { var b = c; b.maxPages = 21; return b }()))
    }
}

import Foundation
