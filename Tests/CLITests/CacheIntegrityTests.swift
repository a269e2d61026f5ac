import FeatureStore
import Foundation
import TestSupport
import XCTest

/// `mpvqa cache verify` on damaged, undamaged and older cache files, and a cache write that
/// fills the disk (a file size limit: `ulimit -f`, with SIGXFSZ ignored so write returns EFBIG),
/// through the built binary.
final class CacheIntegrityTests: WorkDirectoryTestCase {
    func mpvqa(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try BuiltProducts.runMPVQA(arguments)
    }

    /// Rows of `--pages 8` questions: row r belongs to questionId r / 8.
    func writePattern(_ url: URL, rows: Int, extra: [String] = []) throws -> (status: Int32, stdout: String, stderr: String) {
        try mpvqa(["cache", "write-pattern", url.path, "--rows", "\(rows)", "--batch", "16", "--K", "4", "--d", "32", "--no-sync"] + extra)
    }

    func testVerifyRefusesAFlippedByteInEveryDatasetAndPassesAnUndamagedFile() throws {
        let good = work.appendingPathComponent("good.h5")
        XCTAssertEqual(try writePattern(good, rows: 40).status, 0)
        let ok = try mpvqa(["cache", "verify", good.path])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertEqual(ok.stdout, "\(good.path): ok: 40 rows of 5 questions read; summaries finite, slot tokens in range; "
                                  + "row digests match on summaries, question_ids, page_indices, page_ids, slot_tokens\n")

        for dataset in ["summaries", "question_ids", "page_indices", "page_ids", "slot_tokens", "row_digests"] {
            let url = work.appendingPathComponent("\(dataset).h5")
            try FileManager.default.copyItem(at: good, to: url)
            try HDF5ByteDamage.flip(file: url.path, dataset: dataset, row: 17, byte: 1)   // row 17: questionId 2
            let named = dataset == "row_digests" ? "summaries" : dataset                 // byte 1 of the digest row is the summaries digest
            let result = try mpvqa(["cache", "verify", url.path])
            XCTAssertEqual(result.status, 1, "\(dataset): \(result.stdout)")
            // A damaged question id is named as stored (the digest is what says it is wrong).
            let questionId = dataset == "question_ids" ? (result.stderr.split(separator: "(").dropFirst().first?.split(separator: ")").first.map { String($0.dropFirst("questionId ".count)) } ?? "?") : "2"
            XCTAssertEqual(result.stderr, "Error: \(url.path): dataset '\(named)': row 17 (questionId \(questionId)): stored digest does not match its bytes; "
                                          + "the file is damaged — rebuild it with mpvqa cache\n")
        }
    }

    /// A version 2 file (written by the README's h5py script) verifies, saying its bytes went unchecked.
    func testVerifyOfAFileWithoutDigestsSaysSoAndHowToRebuild() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/external_train.h5", withExtension: nil))
        let result = try mpvqa(["cache", "verify", url.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasSuffix("; no row digests (a version 2 file, from before caches carried them), so a flipped byte that leaves a finite value "
                                              + "goes undetected; rebuild it with mpvqa cache (delete it and rerun) to have its bytes checked\n"), result.stdout)
    }

    /// The disk fills mid-write: one line naming the file and saying nothing earlier was lost;
    /// a rerun with space resumes after the committed rows and ends with the file (rows and
    /// digests) of a write that never failed.
    func testAFullDiskIsOneLineAndTheWriteResumes() throws {
        let url = work.appendingPathComponent("full.h5")
        XCTAssertEqual(try writePattern(url, rows: 64, extra: ["--no-finish"]).status, 0)
        let size = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        // `ulimit -f` counts 1024-byte blocks: 64 KiB of room, less than the next growth of the datasets.
        process.arguments = ["-c", "trap '' XFSZ; ulimit -f \(size / 1024 + 64); exec \"$0\" \"$@\"",
                             BuiltProducts.directory.appendingPathComponent("mpvqa").path,
                             "cache", "write-pattern", url.path, "--rows", "100000", "--batch", "16", "--K", "4", "--d", "32", "--no-sync"]
        let outURL = work.appendingPathComponent("full.stdout"), errURL = work.appendingPathComponent("full.stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
        process.waitUntilExit()
        let stdout = try String(contentsOf: outURL, encoding: .utf8), stderr = try String(contentsOf: errURL, encoding: .utf8)
        XCTAssertEqual(process.terminationReason, .exit, stderr)
        XCTAssertEqual(process.terminationStatus, 1, stdout)
        let committed = try XCTUnwrap(stdout.split(separator: "\n").last { $0.hasPrefix("committed ") }.flatMap { Int($0.dropFirst(10)) })
        XCTAssertGreaterThan(committed, 64)
        XCTAssertEqual(stderr.split(separator: "\n").count, 1, stderr)
        XCTAssertTrue(stderr.hasPrefix("Error: \(url.path): no space to write: File too large (writing rows \(committed)…\(committed + 15)); "
                                       + "nothing earlier was lost: the \(committed) rows committed so far stay, and a rerun after freeing space resumes after them"), stderr)
        XCTAssertFalse(stderr.contains("HDF5"), stderr)

        let rerun = try writePattern(url, rows: 400)
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        XCTAssertTrue(rerun.stdout.hasPrefix("resumed \(committed)\n"), rerun.stdout)
        let straight = work.appendingPathComponent("straight.h5")
        XCTAssertEqual(try writePattern(straight, rows: 400).status, 0)
        let a = try FeatureCacheReader(url: straight), b = try FeatureCacheReader(url: url)
        XCTAssertEqual(try a.summaries(rows: 0..<400).scalars, try b.summaries(rows: 0..<400).scalars)
        XCTAssertEqual(try a.rowDigests(rows: 0..<400), try b.rowDigests(rows: 0..<400))
        XCTAssertEqual(try mpvqa(["cache", "verify", url.path]).status, 0)
    }
}
