import FeatureStore
import Foundation
import TestSupport
import XCTest

/// A writer process killed with SIGKILL at arbitrary moments: every commit it reported
/// survives, no row of an uncommitted batch becomes visible, and a rerun resumes exactly
/// after the committed rows.
///
/// The child is the hidden `mpvqa cache write-pattern FILE`, which writes rows whose values
/// follow S[r, k, j] = (131·r + 7·k + j) mod 2048 (question r / pages, page r mod pages,
/// page id "q<question>-p<page>") and prints `committed <rows>` after each commit.
final class CrashTests: XCTestCase {
    private let summaryTokens = 4, modelDim = 32, pages = 8

    /// Checks every committed row of `url` against the formula; returns the committed count.
    private func verifyPattern(_ url: URL, file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        let reader = try FeatureCacheReader(url: url)
        let rows = reader.rows
        let got = try reader.summaries(rows: 0..<rows).scalars
        var mismatches = 0
        for r in 0..<rows {
            for k in 0..<summaryTokens {
                for j in 0..<modelDim where got[(r * summaryTokens + k) * modelDim + j] != Float((131 * r + 7 * k + j) % 2048) {
                    mismatches += 1
                }
            }
        }
        XCTAssertEqual(mismatches, 0, "summary values differ from the pattern in \(mismatches) places", file: file, line: line)
        XCTAssertEqual(reader.questionIds, (0..<rows).map { Int64($0 / pages) }, file: file, line: line)
        XCTAssertEqual(reader.pageIndices, (0..<rows).map { Int32($0 % pages) }, file: file, line: line)
        XCTAssertEqual(reader.pageIds, (0..<rows).map { "q\($0 / pages)-p\($0 % pages)" }, file: file, line: line)
        return rows
    }

    /// Starts the writer; once it reports at least `killAfter` committed rows (and a further
    /// `delayMicroseconds`), SIGKILLs it. Returns the rows it said it resumed at and the last
    /// commit it reported before dying.
    private func runAndKill(_ arguments: [String], killAfter: Int, delayMicroseconds: UInt32) throws -> (resumed: Int, lastReported: Int) {
        let dir = try FeatureStoreFixtures.temporaryDirectory(self)
        let outURL = dir.appendingPathComponent("stdout"), errURL = dir.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = BuiltProducts.directory.appendingPathComponent("mpvqa")
        process.arguments = ["cache", "write-pattern"] + arguments
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
        func reported() -> [String] { (try? String(contentsOf: outURL, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? [] }
        func lastCommitted() -> Int { reported().last { $0.hasPrefix("committed ") }.flatMap { Int($0.dropFirst(10)) } ?? -1 }
        let deadline = Date().addingTimeInterval(60)
        while lastCommitted() < killAfter && process.isRunning && Date() < deadline { usleep(1000) }
        usleep(delayMicroseconds)
        XCTAssertTrue(process.isRunning, "the writer finished before it could be killed; stderr: \((try? String(contentsOf: errURL, encoding: .utf8)) ?? "")")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal)
        let resumed = reported().first { $0.hasPrefix("resumed ") }.flatMap { Int($0.dropFirst(8)) } ?? -1
        return (resumed, max(lastCommitted(), 0))
    }

    private func killRepeatedly(dtypeArguments: [String], reserve: Int, file: String) throws {
        let url = try FeatureStoreFixtures.temporaryDirectory(self).appendingPathComponent(file)
        let total = 4000, batch = 16
        let arguments = [url.path, "--rows", "\(total)", "--batch", "\(batch)", "--pages", "\(pages)", "--K", "\(summaryTokens)",
                         "--d", "\(modelDim)", "--reserve", "\(reserve)"] + dtypeArguments
        var committed = 0
        // Kill points: after the first commits, then a few hundred rows further each time, at
        // staggered sub-millisecond offsets so some kills land inside a write or a flush.
        for (cycle, delay) in [(0, 0), (1, 150), (2, 700), (3, 1900), (4, 40)] as [(Int, UInt32)] {
            let (resumed, lastReported) = try runAndKill(arguments, killAfter: committed + 96, delayMicroseconds: delay)
            XCTAssertEqual(resumed, committed, "cycle \(cycle): the rerun must start after the committed rows")
            let rows = try verifyPattern(url)
            XCTAssertGreaterThanOrEqual(rows, lastReported, "cycle \(cycle): a reported commit was lost")
            XCTAssertEqual(rows % batch, 0, "cycle \(cycle): a partial batch became visible")
            XCTAssertFalse(try FeatureCacheReader(url: url).isComplete, "cycle \(cycle)")
            committed = rows
        }
        XCTAssertGreaterThanOrEqual(committed, 5 * 96)

        let final = try BuiltProducts.runMPVQA(["cache", "write-pattern"] + arguments)
        XCTAssertEqual(final.status, 0, final.stderr)
        XCTAssertTrue(final.stdout.hasPrefix("resumed \(committed)\n"), final.stdout)
        XCTAssertEqual(try verifyPattern(url), total)
        let info = try FeatureCacheInspection(url: url)
        XCTAssertTrue(info.complete)
        XCTAssertEqual(info.datasets.map { $0.shape[0] }, [total, total, total, total, total, total])
    }

    /// The guaranteed path: rows reserved up front, so commits touch no HDF5 metadata.
    func testKilledWriterWithReservedRowsLosesNothingCommitted() throws {
        try killRepeatedly(dtypeArguments: ["--dtype", "float32"], reserve: 4000, file: "reserved.h5")
    }

    func testKilledFloat16WriterResumes() throws {
        try killRepeatedly(dtypeArguments: ["--dtype", "float16"], reserve: 4000, file: "reserved16.h5")
    }

    /// Killed while building a large new file: the cache name shows either nothing or a
    /// valid file, and the next writer removes the dead creator's temporary.
    func testKillDuringCreationNeverExposesAHalfBuiltFile() throws {
        let dir = try FeatureStoreFixtures.temporaryDirectory(self)
        let url = dir.appendingPathComponent("big.h5")
        for delay: UInt32 in [20_000, 60_000, 120_000] {
            try? FileManager.default.removeItem(at: url)
            let process = Process()
            process.executableURL = BuiltProducts.directory.appendingPathComponent("mpvqa")
            process.arguments = ["cache", "write-pattern", url.path, "--rows", "0", "--reserve", "3000000", "--no-finish", "--no-sync"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(delay)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if FileManager.default.fileExists(atPath: url.path) {
                XCTAssertEqual(try FeatureCacheReader(url: url).rows, 0, "a visible file must be a valid one (kill after \(delay) µs)")
            }
        }
        try? FileManager.default.removeItem(at: url)
        let rerun = try BuiltProducts.runMPVQA(["cache", "write-pattern", url.path, "--rows", "16", "--K", "\(summaryTokens)", "--d", "\(modelDim)"])
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        XCTAssertEqual(try verifyPattern(url), 16)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".creating-") }
        XCTAssertEqual(leftovers, [], "temporaries of killed creators are removed")
    }
}
