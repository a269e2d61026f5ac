import Foundation
import Training
import XCTest

/// `JSONLinesReader`: the strict reader `mpvqa report` checks metrics.jsonl and predictions.jsonl with.
final class JSONLinesReaderTests: XCTestCase {
    func testReadsRecordsAndRefusesADamagedLineNamingFileAndLine() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("jsonl-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: url) }
        try "{\"step\": 1}\n\n{\"step\": 2}\n".write(to: url, atomically: true, encoding: .utf8)
        XCTAssertEqual(try JSONLinesReader.objects(url).compactMap { ($0["step"] as? NSNumber)?.intValue }, [1, 2])
        // Two writers' lines interleaved: the kind of damage a report must not skip silently.
        try "{\"step\": 1}\n{\"step\": 2, \"lo{\"step\": 3}\nss\": 1}\n".write(to: url, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try JSONLinesReader.objects(url)) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(url.path):2: not a JSON object"), "\(error)")
        }
        XCTAssertEqual(try JSONLinesReader.objects(url.appendingPathExtension("missing")).count, 0)
    }
}
