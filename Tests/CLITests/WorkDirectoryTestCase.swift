import Foundation
import XCTest

/// A test case with a fresh scratch directory `work` per test, removed afterwards: the CLI
/// tests write configs, datasets and run directories there.
class WorkDirectoryTestCase: XCTestCase {
    var work: URL!

    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("mpvqa-\(type(of: self))-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: work) }
}
