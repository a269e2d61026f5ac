import DocData
import Foundation
import XCTest

/// The tokenizer's training corpus from a dataset split (the hand-made fixture in Fixtures/dataset/good).
final class TokenizerCorpusTests: XCTestCase {
    func testCorpusHoldsQuestionsAnswersAndEachPageOnce() throws {
        let root = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/dataset/good", withExtension: nil))
        let val = try MPDocVQADataset(layout: DatasetLayout(root: root), split: "val")
        let texts = try TokenizerCorpus.texts(of: val, threads: 1, showProgress: false)
        XCTAssertEqual(texts, [
            "What does it say?", "Hello",
            "What is the invoice number?", "4711",
            "Hello",                      // docC_p1 (documents in order of first appearance)
            "Invoice No. 4711",           // docA_p1
            "Café $1,234.00 Total",       // docA_p2
        ])
        // Two questions on the same pages read them once.
        let twice = MPDocVQADataset(layout: val.layout, split: "val", questions: val.questions + val.questions)
        XCTAssertEqual(try TokenizerCorpus.texts(of: twice, threads: 2, showProgress: false).count, 2 * 4 + 3)
    }
}
