import Experiments
import Foundation
import TensorCore
import XCTest

/// Student t and normal quantiles against scipy (`Fixtures/student_t_reference.py`), the t
/// interval over seeds, and the clustered bootstrap against the analytic cluster-robust
/// standard error.
final class StatisticsTests: XCTestCase {
    struct Reference: Decodable {
        struct Quantile: Decodable { var df: Double; var p: Double; var t: Double }
        struct CDF: Decodable { var df: Double; var t: Double; var p: Double }
        struct Normal: Decodable { var p: Double; var z: Double }
        var t_quantiles: [Quantile]
        var t_cdf: [CDF]
        var normal_quantiles: [Normal]
    }

    func reference() throws -> Reference {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/student_t_reference", withExtension: "json"))
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }

    func testStudentTQuantilesMatchScipy() throws {
        let r = try reference()
        XCTAssertEqual(r.t_quantiles.count, 256)
        for q in r.t_quantiles {
            let t = StudentT(degreesOfFreedom: q.df).quantile(q.p)
            XCTAssertEqual(t, q.t, accuracy: 1e-9 * max(1, abs(q.t)), "df \(q.df) p \(q.p)")
        }
        // The values the report uses most: three and five seeds.
        XCTAssertEqual(StudentT(degreesOfFreedom: 2).quantile(0.975), 4.302652729911275, accuracy: 1e-9)
        XCTAssertEqual(StudentT(degreesOfFreedom: 4).quantile(0.975), 2.7764451051977987, accuracy: 1e-9)
    }

    func testStudentTCDFMatchesScipy() throws {
        for c in try reference().t_cdf {
            XCTAssertEqual(StudentT(degreesOfFreedom: c.df).cdf(c.t), c.p, accuracy: 1e-12 + 1e-9 * c.p, "df \(c.df) t \(c.t)")
        }
    }

    func testNormalQuantilesMatchScipy() throws {
        for n in try reference().normal_quantiles {
            XCTAssertEqual(StandardNormal.quantile(n.p), n.z, accuracy: 1e-9 * max(1, abs(n.z)), "p \(n.p)")
        }
        XCTAssertEqual(PairedComparison.detectableEffectFactor, 2.801585218, accuracy: 1e-8)
    }

    /// mean ± t(0.975, n − 1) · s / √n, computed by hand for three seeds; none for one.
    func testSeedIntervalIsTheStudentTInterval() {
        let s = SeedInterval([0.61, 0.64, 0.70])
        let sd = ((0.04 * 0.04 + 0.01 * 0.01 + 0.05 * 0.05) / 2).squareRoot()
        XCTAssertEqual(s.mean, 0.65, accuracy: 1e-12)
        XCTAssertEqual(s.standardDeviation, sd, accuracy: 1e-12)
        XCTAssertEqual(s.halfWidth!, 4.302652729911275 * sd / 3.0.squareRoot(), accuracy: 1e-9)
        XCTAssertNil(SeedInterval([0.5]).halfWidth)
    }

    /// The bootstrap's standard error matches the analytic cluster-robust one,
    /// √Σ_c (S_c − n_c·mean)² / N, and a seed fixes the interval exactly.
    func testBootstrapStandardErrorMatchesTheClusterRobustFormula() throws {
        var rng = SeededRNG(seed: 3)
        var values: [Double] = [], clusters: [Int] = []
        for c in 0..<60 {
            let effect = rng.nextNormal() * 0.3
            for _ in 0..<(1 + rng.nextInt(below: 6)) { values.append(effect + rng.nextNormal() * 0.2); clusters.append(c) }
        }
        let ci = try XCTUnwrap(ClusteredBootstrap(resamples: 8000, seed: 11).interval(values: values, clusters: clusters))
        let mean = values.reduce(0, +) / Double(values.count)
        var residual: [Int: Double] = [:]
        for (v, c) in zip(values, clusters) { residual[c, default: 0] += v - mean }
        let analytic = residual.values.reduce(0) { $0 + $1 * $1 }.squareRoot() / Double(values.count)
        XCTAssertEqual(ci.estimate, mean, accuracy: 1e-12)
        XCTAssertEqual(ci.standardError / analytic, 1, accuracy: 0.05)
        XCTAssertEqual(ci.clusters, 60)
        XCTAssertEqual(ci, ClusteredBootstrap(resamples: 8000, seed: 11).interval(values: values, clusters: clusters))
        // Ignoring the clusters (every question its own) understates it: the documents' effects are shared.
        let iid = try XCTUnwrap(ClusteredBootstrap(resamples: 8000, seed: 11).interval(values: values, clusters: Array(values.indices)))
        XCTAssertLessThan(iid.standardError, 0.8 * ci.standardError)
        XCTAssertNil(ClusteredBootstrap().interval(values: [1, 2], clusters: ["a", "a"]))
    }

    /// Expanded percentiles: few clusters widen the interval a lot, many hardly at all.
    func testExpandedPercentileAlpha() {
        // k = 2: √2 · t(0.975, 1) = √2 · 12.706 → α′ = 2Φ(−17.97), essentially 0.
        XCTAssertLessThan(ClusteredBootstrap.expandedAlpha(confidence: 0.95, clusters: 2), 1e-10)
        // k = 50: √(50/49) · 2.009575 = 2.030 → α′ = 0.042359 (scipy: 2*norm.cdf(-sqrt(50/49)*t.ppf(.975, 49))).
        XCTAssertEqual(ClusteredBootstrap.expandedAlpha(confidence: 0.95, clusters: 50), 0.0423588224, accuracy: 1e-8)
        XCTAssertEqual(ClusteredBootstrap.expandedAlpha(confidence: 0.95, clusters: 100_000), 0.05, accuracy: 1e-4)
    }

    func testTypeSevenQuantile() {
        XCTAssertEqual(ClusteredBootstrap.quantile(sorted: [1, 2, 3, 4], 0.5), 2.5)
        XCTAssertEqual(ClusteredBootstrap.quantile(sorted: [1, 2, 3, 4], 0.025), 1.075, accuracy: 1e-12)
        XCTAssertEqual(ClusteredBootstrap.quantile(sorted: [1, 2, 3, 4], 1), 4)
    }
}
