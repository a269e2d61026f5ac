import XCTest
import DocData

/// The dev split carved from train: whole documents, deterministic, disjoint from what trains.
final class DevSplitCarvingTests: XCTestCase {
    func questions(documents: Int) -> [Question] {
        var out: [Question] = []
        for d in 0..<documents {
            for q in 0..<(1 + d % 4) {
                out.append(Question(questionId: out.count + 1, question: "q\(q)", docId: "doc\(d)", pageIds: ["doc\(d)_p0"],
                                    answers: ["a"], answerPageIndex: 0, dataSplit: "train"))
            }
        }
        return out
    }

    func testCarvesWholeDocumentsDeterministicallyAndDisjointly() {
        let all = questions(documents: 200)
        let (train, dev) = DevSplitCarving.carve(all, devQuestions: 60)
        XCTAssertGreaterThanOrEqual(dev.count, 60)
        XCTAssertLessThan(dev.count, 60 + 4, "stops at the first document that reaches the count")
        XCTAssertEqual(train.count + dev.count, all.count)
        XCTAssertTrue(Set(train.map(\.docId)).isDisjoint(with: Set(dev.map(\.docId))), "a document on both sides")
        XCTAssertTrue(Set(train.map(\.questionId)).isDisjoint(with: Set(dev.map(\.questionId))))
        // Same input, same carve; the file's order is kept on both sides.
        let again = DevSplitCarving.carve(all, devQuestions: 60)
        XCTAssertEqual(again.dev, dev)
        XCTAssertEqual(dev.map(\.questionId), dev.map(\.questionId).sorted())
        // Not simply the first documents of the file.
        XCTAssertNotEqual(Set(dev.map(\.docId)), Set(all.prefix(dev.count).map(\.docId)))
    }

    func testAReleasedCopyWithoutDevJSONGetsItsDevFromTrain() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("carve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let all = questions(documents: 30)
        try Data(QuestionFileJSON.encode(all, split: "train")).write(to: root.appendingPathComponent("train.json"))
        var layout = DatasetLayout(root: root)
        layout.carvedDevQuestions = 10
        let train = try MPDocVQADataset(layout: layout, split: "train"), dev = try MPDocVQADataset(layout: layout, split: "dev")
        XCTAssertEqual(train.questions.count + dev.questions.count, all.count)
        XCTAssertTrue(Set(train.documentIds).isDisjoint(with: Set(dev.documentIds)))
        XCTAssertEqual(dev.questions, DevSplitCarving.carve(all, devQuestions: 10).dev)
    }
}
