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

/// The launch check of the CPU features the numeric modules are compiled for (README
/// "Performance"): a CPU without AVX2/FMA gets a message and exit status 1, never SIGILL.
final class CPUFeatureCheckTests: XCTestCase {
    /// `mpvqa --help` on a CPU whose `/proc/cpuinfo` lists `flags`.
    func runHelp(flags: String) throws -> (status: Int32, stdout: String, stderr: String) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cpuinfo-\(UUID().uuidString)")
        try "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: \(flags)\n\n".write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        var environment = ProcessInfo.processInfo.environment
        environment["MPVQA_CPUINFO"] = url.path
        return try BuiltProducts.runMPVQA(["--help"], environment: environment)
    }

    func testCPUWithoutAVX2IsRefusedWithAMessage() throws {
        let result = try runHelp(flags: "fpu sse sse2 ssse3 sse4_1 sse4_2 popcnt avx")
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("lacks avx2, fma, f16c, bmi2"), result.stderr)
        XCTAssertTrue(result.stderr.contains("numericTargetCPU"), result.stderr)
    }

    func testCPUWithTheFeaturesRuns() throws {
        let result = try runHelp(flags: "fpu sse sse2 avx avx2 fma f16c bmi1 bmi2")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("USAGE: mpvqa"), result.stdout)
    }
}
