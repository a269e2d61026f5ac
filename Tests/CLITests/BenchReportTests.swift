import XCTest
import Foundation
import TestSupport

/// `mpvqa bench --json` end to end on the reference shape (one quick round).
final class BenchReportTests: XCTestCase {
    func testJSONHasTheSpecKeysAndTheHandCountedFLOPs() throws {
        let result = try BuiltProducts.runMPVQA(["bench", "--json", "--threads", "1", "--repeats", "1", "--warmup", "0", "--profile", "--profile-steps", "1"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let json = try XCTUnwrap(object, result.stdout)
        XCTAssertFalse((json["blas_kernel"] as? String ?? "").isEmpty)
        XCTAssertEqual(json["threads"] as? Int, 1, "--threads is applied")
        let reference = try XCTUnwrap(json["reference"] as? [String: Any], "\(json)")
        for key in ["forward_ms", "train_step_ms", "pages_per_s", "train_gflops", "sgemm_ceiling_gflops"] {
            let value = try XCTUnwrap(reference[key] as? Double, "reference.\(key) missing: \(reference)")
            XCTAssertGreaterThan(value, 0, key)
        }
        // The reference shape (README "Performance") counted by hand: forward 9,020,375,040 FLOPs of matrix products
        // (encoder 4 × 2,222,981,120, decoder 2 × 47,448,064, vocabulary head 33,554,432), train = 3 × forward.
        let analytic = try XCTUnwrap(reference["train_gflop_per_step"] as? Double)
        XCTAssertEqual(analytic, 27.06112512, accuracy: 1e-8)
        XCTAssertEqual(reference["forward_gflop_per_step"] as? Double ?? 0, 9.02037504, accuracy: 1e-8)
        // The profiler counts every BLAS call the real step makes: the analytic count is complete.
        let counted = try XCTUnwrap(reference["gemm_gflop_per_step_counted"] as? Double)
        XCTAssertEqual(counted, analytic, accuracy: 1e-8, "BLAS FLOPs actually run in one training step")
        let trainMs = try XCTUnwrap(reference["train_step_ms"] as? Double)
        XCTAssertEqual(reference["train_gflops"] as? Double ?? 0, analytic / trainMs * 1e3, accuracy: 1e-6)
        let rss = try XCTUnwrap(json["peak_rss_mb"] as? Double)
        XCTAssertLessThan(rss, 500, "peak RSS of the bench (the ≤ 500 MB budget)")
    }

    func testTableNamesKernelThreadsAndCeiling() throws {
        let result = try BuiltProducts.runMPVQA(["bench", "--threads", "2", "--repeats", "1", "--warmup", "0"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("kernel "), result.stdout)
        XCTAssertTrue(result.stdout.contains("2 worker threads"), result.stdout)
        XCTAssertTrue(result.stdout.contains("sgemm ceiling, same shapes"), result.stdout)
        XCTAssertTrue(result.stdout.contains("train step per question"), result.stdout)
    }
}
