import XCTest
import TestSupport

final class HelpTests: XCTestCase {
    func testHelpListsTheToolAndExitsZero() throws {
        let result = try BuiltProducts.runMPVQA(["--help"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("USAGE: mpvqa"), result.stdout)
    }

    func testUnknownCommandFailsWithOneLineCause() throws {
        let result = try BuiltProducts.runMPVQA(["no-such-command"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("Error:"), result.stderr)
    }
}
