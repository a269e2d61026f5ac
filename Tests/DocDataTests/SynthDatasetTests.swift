import XCTest
import Foundation
import DocData

/// `SyntheticDatasetWriter` end to end: byte-identical output for a seed, the release layout
/// read back by the dataset's own loader and validator, images that decode to the rendering.
final class SynthDatasetTests: XCTestCase {
    var temporary: [URL] = []

    override func tearDownWithError() throws {
        for url in temporary { try? FileManager.default.removeItem(at: url) }
    }

    func directory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("synth-test-\(UUID().uuidString)")
        temporary.append(url)
        return url
    }

    func smallConfig(seed: UInt64 = 1, format: SyntheticImageFormat = .png) -> SyntheticConfig {
        var c = SyntheticConfig()
        c.trainQuestions = 14; c.valQuestions = 5; c.testQuestions = 4; c.devQuestions = 3
        c.maxPages = 5
        c.imageWidth = 425; c.imageHeight = 550
        c.imageFormat = format
        c.seed = seed
        return c
    }

    /// Every file under `root`, relative path → bytes.
    func files(_ root: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let base = root.standardizedFileURL.path
        let walker = try XCTUnwrap(FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]))
        for case let url as URL in walker where try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true {
            let path = url.standardizedFileURL.path
            out[String(path.dropFirst(base.count + 1))] = try Data(contentsOf: url)
        }
        return out
    }

    func testSameSeedWritesIdenticalBytesAndAnotherSeedDoesNot() throws {
        for format in SyntheticImageFormat.allCases {
            let a = directory(), b = directory(), c = directory()
            _ = try SyntheticDatasetWriter(config: smallConfig(format: format)).write(to: a, threads: 2, showProgress: false)
            _ = try SyntheticDatasetWriter(config: smallConfig(format: format)).write(to: b, threads: 1, showProgress: false)
            _ = try SyntheticDatasetWriter(config: smallConfig(seed: 2, format: format)).write(to: c, threads: 2, showProgress: false)
            let fa = try files(a), fb = try files(b), fc = try files(c)
            XCTAssertEqual(Set(fa.keys), Set(fb.keys))
            for (path, bytes) in fa { XCTAssertEqual(bytes, fb[path], "\(format): \(path) differs between two runs with one seed") }
            XCTAssertTrue(fa.keys.contains("train.json") && fa.keys.contains("val.json") && fa.keys.contains("test.json"))
            XCTAssertTrue(fa.keys.contains { $0.hasPrefix("images/") && $0.hasSuffix(".\(format.fileExtension)") })
            XCTAssertFalse(fa.keys.contains { $0.contains(".tmp") }, "temporary files left behind")
            XCTAssertNotEqual(fa["train.json"], fc["train.json"])
            let sharedImages = fa.keys.filter { $0.hasPrefix("images/") && fc[$0] != nil }
            XCTAssertFalse(sharedImages.isEmpty)
            XCTAssertTrue(sharedImages.contains { fa[$0] != fc[$0] }, "another seed must draw other pages")
        }
    }

    func testWrittenDatasetValidatesAndLoadsBackAsGenerated() throws {
        var config = smallConfig()
        config.ocrNoiseRate = 0
        let root = directory()
        let summary = try SyntheticDatasetWriter(config: config).write(to: root, threads: 2, showProgress: false)
        let layout = DatasetLayout(root: root)

        let report = DatasetValidator(layout: layout, threads: 2).validate()
        XCTAssertEqual(report.problems, [], report.text)
        XCTAssertEqual(report.questions, 26)
        XCTAssertEqual(report.pages, summary.pages)
        XCTAssertEqual(report.documents, summary.documents)

        let plan = try SyntheticSplitPlan.make(config: config)
        for split in plan {
            let dataset = try MPDocVQADataset(layout: layout, split: split.name)
            // test.json is answerless, as released; its answers are in test_gold.json.
            XCTAssertEqual(dataset.questions, split.name == "test" ? split.questions.map(\.withoutAnswers) : split.questions)
            if split.name == "test" {
                let gold = try XCTUnwrap(try MPDocVQADataset.gold(layout: layout, split: "test"))
                XCTAssertEqual(gold.questions, split.questions)
            }
            for doc in split.documents {
                for page in doc.pages {
                    // OCR through the release reader: same words, same boxes.
                    let words = try dataset.ocrWords(pageId: page.pageId)
                    XCTAssertEqual(words.map(\.text), page.words.map(\.text))
                    for (read, word) in zip(words, page.words) {
                        XCTAssertEqual(Double(read.left) * Double(page.width), Double(word.box.left), accuracy: 0.01)
                        XCTAssertEqual(Double(read.right) * Double(page.width), Double(word.box.right), accuracy: 0.01)
                        XCTAssertEqual(Double(read.top) * Double(page.height), Double(word.box.top), accuracy: 0.01)
                        XCTAssertEqual(Double(read.bottom) * Double(page.height), Double(word.box.bottom), accuracy: 0.01)
                    }
                    // PNG is lossless: the decoded file is the rendering.
                    let image = try XCTUnwrap(try dataset.image(pageId: page.pageId))
                    XCTAssertEqual(image.channels, 1)
                    XCTAssertEqual(image.pixels, PageRenderer.render(page).pixels, "\(page.pageId)")
                }
                // The printed answer is among the words of the answer page read from disk, and of no other page.
                for q in doc.questions where split.name != "test" {
                    let onPage = try doc.pages.map { page in
                        try dataset.ocrWords(pageId: page.pageId).map(\.text).joined(separator: " ")
                    }
                    let holders = onPage.indices.filter { p in q.answers.contains { (" " + onPage[p] + " ").contains(" \($0) ") } }
                    XCTAssertEqual(holders, [q.answerPageIndex], "\(doc.docId): \(q.question) \(q.answers)")
                }
            }
        }
    }

    func testJPEGPagesDecodeCloseToTheRenderingAndReplaceStalePNGs() throws {
        let root = directory()
        _ = try SyntheticDatasetWriter(config: smallConfig(format: .png)).write(to: root, threads: 2, showProgress: false)
        _ = try SyntheticDatasetWriter(config: smallConfig(format: .jpeg)).write(to: root, threads: 2, showProgress: false)
        let images = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("images").path)
        XCTAssertFalse(images.isEmpty)
        XCTAssertTrue(images.allSatisfy { $0.hasSuffix(".jpg") }, "PNG pages of the earlier run must be gone")

        let plan = try SyntheticSplitPlan.make(config: smallConfig(format: .jpeg))
        for page in plan[0].documents[0].pages {
            let decoded = try ImageCodec.decode(contentsOf: root.appendingPathComponent("images/\(page.pageId).jpg"))
            let rendered = PageRenderer.render(page)
            XCTAssertEqual(decoded.width, rendered.width)
            XCTAssertEqual(decoded.height, rendered.height)
            let meanError = zip(decoded.pixels, rendered.pixels).reduce(0.0) { $0 + abs(Double($1.0) - Double($1.1)) } / Double(rendered.pixels.count)
            XCTAssertLessThan(meanError, 6, "\(page.pageId): mean |JPEG − rendering|")
        }
    }

    func testConfigErrorsNameTheKnob() {
        var c = SyntheticConfig()
        c.maxPages = 25
        XCTAssertThrowsError(try SyntheticDatasetWriter(config: c)) { error in
            XCTAssertEqual((error as? DataError)?.field, "max_pages")
        }
        c = SyntheticConfig()
        c.imageHeight = 200
        XCTAssertThrowsError(try c.validate()) { error in
            XCTAssertEqual((error as? DataError)?.field, "image_height")
        }
        c = SyntheticConfig()
        c.distractorRate = 1.5
        XCTAssertThrowsError(try c.validate()) { error in XCTAssertEqual((error as? DataError)?.field, "distractor_rate") }
    }
}
