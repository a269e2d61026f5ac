import Foundation
import TestSupport
import XCTest

/// `mpvqa import-hf` and `mpvqa export-hf` through the built tool (README "Hugging Face T5
/// import and export"), on the TrainingTests fixtures.
final class HFImportCommandTests: XCTestCase {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../TrainingTests/Fixtures/hf-t5").standardizedFileURL

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hfcli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func testImportExportReimportAndSaysWhatStartsFresh() throws {
        let tmp = try temporaryDirectory()
        let run = tmp.appendingPathComponent("run").path, export = tmp.appendingPathComponent("export").path
        let imported = try BuiltProducts.runMPVQA(["import-hf", fixtures.appendingPathComponent("flan").path, "--out", run])
        XCTAssertEqual(imported.status, 0, imported.stderr)
        XCTAssertTrue(imported.stdout.contains("start fresh"), imported.stdout)
        let exported = try BuiltProducts.runMPVQA(["export-hf", "--run", run, "--out", export])
        XCTAssertEqual(exported.status, 0, exported.stderr)
        for file in ["config.json", "model.safetensors", "mpvqa_extras.safetensors"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(export)/\(file)"), file)
        }
        let again = try BuiltProducts.runMPVQA(["import-hf", export, "--out", tmp.appendingPathComponent("run2").path])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("from mpvqa_extras.safetensors"), again.stdout)
        // Never over an existing run.
        let twice = try BuiltProducts.runMPVQA(["import-hf", fixtures.appendingPathComponent("flan").path, "--out", run])
        XCTAssertNotEqual(twice.status, 0)
    }

    func testMissingModelDirectoryFailsWithOneLineNamingTheFile() throws {
        let tmp = try temporaryDirectory()
        let result = try BuiltProducts.runMPVQA(["import-hf", tmp.appendingPathComponent("nothing").path, "--out", tmp.appendingPathComponent("run").path])
        XCTAssertNotEqual(result.status, 0)
        let lines = result.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("config.json"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp.appendingPathComponent("run").path))
    }
}
