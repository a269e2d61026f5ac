import XCTest
import Foundation
import DocData

final class SynthScratchDump: XCTestCase {
    func testDump() throws {
        var config = SyntheticConfig()
        config.ocrNoiseRate = 0.05
        let gen = try SyntheticDocumentGenerator(config: config)
        let doc = gen.document(seed: 3, docId: "tr00000")
        for q in doc.questions { print("Q:", q.question, q.answers, q.answerPageIndex, q.label) }
        for (i, page) in doc.pages.prefix(3).enumerated() {
            let c = PageRenderer.render(page)
            var data = Data("P5\n\(c.width) \(c.height)\n255\n".utf8)
            data.append(contentsOf: c.pixels)
            try data.write(to: URL(fileURLWithPath: "/tmp/synth_scratch/p\(i).pgm"))
            print(page.lineTexts.joined(separator: "\n"))
            print(page.words.filter { $0.text != $0.ocrText }.map { "\($0.text)->\($0.ocrText)" })
        }
    }
}
