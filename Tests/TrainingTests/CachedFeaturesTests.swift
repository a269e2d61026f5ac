import DocData
import FeatureStore
import Foundation
import TensorCore
import Training
import XCTest

/// `CachedFeatures` refuses a cache that does not fit the run, naming the file, the attribute
/// and both values, and reads a batch as padded `EncodedQuestions` with slot tokens.
final class CachedFeaturesTests: XCTestCase {
    var url: URL!
    let header = FeatureCacheHeader(summaryTokens: 2, modelDim: 3, dtype: .float32, encoderHash: "enc-a",
                                    promptTemplate: "question: {question}", split: "val", cacheKey: "key-a", tokenizerHash: "tok-a")
    /// Question 7 with 2 pages, question 9 with 1.
    let items = [BatchItem(questionId: 7, question: "q", answers: ["a"], answerPageIndex: 0, pages: [PageInput(words: []), PageInput(words: [])]),
                 BatchItem(questionId: 9, question: "q", answers: ["a"], answerPageIndex: 0, pages: [PageInput(words: [])])]

    override func setUpWithError() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("cached-features-\(UUID().uuidString).h5")
        let writer = try FeatureCacheWriter(url: url, header: header, options: .init(reserveRows: 3, syncToDisk: false))
        try writer.append(summaries: Tensor((0..<18).map { Float($0) }, shape: [3, 2, 3]), slotTokens: [1, 2, 3, 4, 5, -1],
                          questionIds: [7, 7, 9], pageIndices: [0, 1, 0], pageIds: ["a", "b", "c"])
        try writer.finish()
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: url) }

    func expectation(_ change: (inout FeatureCacheHeader) -> Void = { _ in }) -> CachedFeatures.Expectation {
        var wanted = header
        change(&wanted)
        return CachedFeatures.Expectation(summaryTokens: 2, modelDim: 3, header: wanted, tokenizerHash: "tok-a")
    }

    func assertRefused(_ expected: CachedFeatures.Expectation, items: [BatchItem]? = nil, _ texts: [String], line: UInt = #line) {
        XCTAssertThrowsError(try CachedFeatures(answer: url, probe: nil, items: items ?? self.items, expected: expected), line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains(url.lastPathComponent), message, line: line)
            for text in texts { XCTAssertTrue(message.contains(text), "'\(text)' not in \(message)", line: line) }
        }
    }

    func testMismatchesAreRefusedNamingAttributeAndBothValues() {
        assertRefused(expectation { $0.encoderHash = "enc-b" }, ["attribute 'encoder_hash'", "enc-a", "enc-b"])
        assertRefused(expectation { $0.promptTemplate = "p: {question}" }, ["attribute 'prompt_template'", "question: {question}", "p: {question}"])
        assertRefused(expectation { $0.dtype = .float16 }, ["attribute 'dtype'", "float32", "float16"])
        assertRefused(expectation { $0.split = "train" }, ["attribute 'split'", "'val'", "'train'"])
        assertRefused(expectation { $0.cacheKey = "key-b" }, ["attribute 'cache_key'", "key-a", "key-b"])
        assertRefused(CachedFeatures.Expectation(summaryTokens: 2, modelDim: 3, tokenizerHash: "tok-b"), ["attribute 'tokenizer_hash'", "tok-a", "tok-b"])
        assertRefused(CachedFeatures.Expectation(summaryTokens: 2, modelDim: 4), ["attribute 'd'", "is 3", "d = 4"])
        let missing = items + [BatchItem(questionId: 11, question: "q", answers: [], answerPageIndex: nil, pages: [PageInput(words: [])])]
        assertRefused(expectation(), items: missing, ["questionId 11"])
        let longer = [BatchItem(questionId: 9, question: "q", answers: [], answerPageIndex: nil, pages: [PageInput(words: []), PageInput(words: [])])]
        assertRefused(expectation(), items: longer, ["dataset 'page_indices'", "question 9"])
    }

    /// Both ways of reading rows: from the file held in memory (the default for a cache this
    /// small) and batch by batch from HDF5 (a cache above the resident limit).
    func testBatchReadsPaddedSummariesAndSlotTokens() throws {
        for limit in [CachedFeatures.defaultResidentLimitBytes, 0] {
            let features = try CachedFeatures(answer: url, probe: nil, items: items, expected: expectation(), residentLimitBytes: limit)
            let encoded = try features.encoded([items[1], items[0]])
            XCTAssertEqual(encoded.pageCount, 2)
            XCTAssertEqual(encoded.summaries.shape, [4, 2, 3])
            XCTAssertEqual(encoded.pageValid, [true, false, true, true])
            XCTAssertEqual(encoded.summaries.scalars, (12..<18).map { Float($0) } + [Float](repeating: 0, count: 6) + (0..<12).map { Float($0) },
                           "resident limit \(limit)")
            XCTAssertEqual(encoded.slotTokens, [5, -1, -1, -1, 1, 2, 3, 4], "resident limit \(limit)")
            XCTAssertEqual(features.records.map(\.key), ["key-a"])
        }
    }
}
