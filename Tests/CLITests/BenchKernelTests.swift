import XCTest
import Foundation
import TestSupport

/// `mpvqa bench --check-kernel` runs the built binary's sgemm under the kernel that launch
/// selection left in place and compares it with a naive triple loop; these tests check the
/// verdict and that the kernel it ran is the one selection chose, on the three launch paths.
final class BenchKernelTests: XCTestCase {
    /// Kernels at AVX2 level or above (what an AVX2 CPU must end up with).
    let fastKernels: Set<String> = ["haswell", "zen", "skylakex", "cooperlake", "sapphirerapids"]

    /// This machine's CPU flags, read independently of the code under test.
    lazy var cpuFlags: Set<String> = {
        let text = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let line = text.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
        return Set(line.split(separator: ":").last?.split(separator: " ").map(String.init) ?? [])
    }()

    /// The kernel selection should pick for a fallback on this CPU: SkylakeX with the four
    /// AVX-512 subsets, Haswell with AVX2+FMA, none otherwise.
    var kernelForThisCPU: String? {
        if ["avx512f", "avx512bw", "avx512vl", "avx512dq"].allSatisfy(cpuFlags.contains) { return "SkylakeX" }
        if cpuFlags.contains("avx2") && cpuFlags.contains("fma") { return "Haswell" }
        return nil
    }

    /// The test's environment without any kernel settings, plus `extra`.
    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        for key in ["OPENBLAS_CORETYPE", "MPVQA_BLAS_REEXEC_FROM", "MPVQA_BLAS_TEST_ASSUME_LOADED"] { env[key] = nil }
        return env.merging(extra) { $1 }
    }

    func checkKernel(_ env: [String: String], file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let result = try BuiltProducts.runMPVQA(["bench", "--check-kernel", "--json"], environment: env)
        XCTAssertEqual(result.status, 0, "bench --check-kernel failed:\n\(result.stdout)\n\(result.stderr)", file: file, line: line)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let json = try XCTUnwrap(object, "not a JSON object: \(result.stdout)", file: file, line: line)
        XCTAssertEqual(json["passed"] as? Bool, true, "\(json)", file: file, line: line)
        XCTAssertGreaterThan(json["cases"] as? Int ?? 0, 10, file: file, line: line)
        return json
    }

    func testOpenBLASsOwnDetectionIsKeptOrReplacedByTheSelectedKernel() throws {
        let json = try checkKernel(environment())
        let kernel = try XCTUnwrap(json["blas_kernel"] as? String)
        if let from = json["reexecuted_from"] as? String {
            // Selection replaced a fallback: the kernel that ran is the one it set.
            XCTAssertEqual(json["openblas_coretype"] as? String, kernel, "re-executed from \(from)")
            XCTAssertEqual(kernel, kernelForThisCPU)
        } else {
            XCTAssertNil(json["openblas_coretype"], "nothing set, nothing selected")
        }
        if kernelForThisCPU != nil {
            XCTAssertTrue(fastKernels.contains(kernel.lowercased()), "an AVX2 CPU runs \(kernel)")
        }
    }

    func testFallbackIsReplacedByReexecutingWithThePreferredKernel() throws {
        guard let expected = kernelForThisCPU else { throw XCTSkip("CPU without AVX2+FMA: no kernel to select") }
        let json = try checkKernel(environment(["MPVQA_BLAS_TEST_ASSUME_LOADED": "Prescott"]))
        XCTAssertEqual(json["reexecuted_from"] as? String, "Prescott")
        XCTAssertEqual(json["openblas_coretype"] as? String, expected)
        XCTAssertEqual(json["blas_kernel"] as? String, expected, "the re-executed process runs the selected kernel")
        XCTAssertTrue((json["blas_summary"] as? String ?? "").contains("selected by mpvqa"), "\(json)")
    }

    func testAKernelSetByTheUserIsNeverOverridden() throws {
        let json = try checkKernel(environment(["OPENBLAS_CORETYPE": "Prescott"]))
        XCTAssertEqual(json["blas_kernel"] as? String, "Prescott")
        XCTAssertNil(json["reexecuted_from"])
    }

    func testPrintCoretypeGivesWhatTheMakefileExports() throws {
        let plain = try BuiltProducts.runMPVQA(["bench", "--print-coretype"], environment: environment())
        XCTAssertEqual(plain.status, 0, plain.stderr)
        let kernel = plain.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        if !kernel.isEmpty { XCTAssertEqual(kernel, kernelForThisCPU) }
        guard let expected = kernelForThisCPU else { return }
        let fallback = try BuiltProducts.runMPVQA(["bench", "--print-coretype"],
                                                  environment: environment(["MPVQA_BLAS_TEST_ASSUME_LOADED": "Prescott"]))
        XCTAssertEqual(fallback.stdout.trimmingCharacters(in: .whitespacesAndNewlines), expected)
    }

    func testZeroThreadsIsRejectedWithTheOptionNamed() throws {
        let result = try BuiltProducts.runMPVQA(["bench", "--threads", "0"], environment: environment())
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("--threads"), result.stderr)
    }
}
