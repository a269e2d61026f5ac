import Experiments
import Foundation
import TensorCore
import XCTest

/// The paired comparison: seed averaging, pairing, refusals, and the coverage of its
/// intervals on simulated studies with a known effect.
final class PairedComparisonTests: XCTestCase {
    typealias Observation = PairedComparison.Observation

    /// A simulated study: `documents` documents of 1–6 questions; a question's base value is
    /// its document's level + its own + per-run noise; the cell adds `effect` plus a
    /// document-level deviation (the effect varies by document, mean `effect`) and noise.
    static func simulate(documents: Int, seeds: [Int], effect: Double, rng: inout SeededRNG)
        -> (base: [Observation], cell: [Observation]) {
        var base: [Observation] = [], cell: [Observation] = []
        var id = 0
        for d in 0..<documents {
            let level = rng.nextNormal() * 0.25, deviation = rng.nextNormal() * 0.15
            for _ in 0..<(1 + rng.nextInt(below: 6)) {
                let own = rng.nextNormal() * 0.2
                for s in seeds {
                    base.append(.init(questionId: id, document: "d\(d)", seed: s, value: level + own + rng.nextNormal() * 0.1))
                    cell.append(.init(questionId: id, document: "d\(d)", seed: s,
                                      value: level + own + effect + deviation + rng.nextNormal() * 0.1))
                }
                id += 1
            }
        }
        return (base, cell)
    }

    /// ≥ 0.90 of 95% intervals contain the true effect over 240 simulated studies (50
    /// documents, 3 seeds, effect 0.05); the same studies' intervals from a bootstrap that
    /// ignores the documents cover far less (so the test tells clustering from not).
    func testIntervalsCoverTheKnownEffect() throws {
        var rng = SeededRNG(seed: 2024)
        // $MPVQA_COVERAGE_REPLICATIONS runs more (for measuring the coverage closely, not for CI).
        let effect = 0.05, replications = ProcessInfo.processInfo.environment["MPVQA_COVERAGE_REPLICATIONS"].flatMap { Int($0) } ?? 240
        var covered = 0, coveredIgnoringDocuments = 0, detected = 0
        for r in 0..<replications {
            let (base, cell) = Self.simulate(documents: 50, seeds: [1, 2, 3], effect: effect, rng: &rng)
            let result = try XCTUnwrap(PairedComparison.compare(metric: "x", base: ("base", base), cell: ("cell", cell),
                                                                bootstrap: ClusteredBootstrap(resamples: 2000, seed: UInt64(r))))
            if result.difference.contains(effect) { covered += 1 }
            if result.verdict == .higher { detected += 1 }
            let unclustered = base.map { Observation(questionId: $0.questionId, document: "q\($0.questionId)", seed: $0.seed, value: $0.value) }
            let unclusteredCell = cell.map { Observation(questionId: $0.questionId, document: "q\($0.questionId)", seed: $0.seed, value: $0.value) }
            let naive = try XCTUnwrap(PairedComparison.compare(metric: "x", base: ("base", unclustered), cell: ("cell", unclusteredCell),
                                                               bootstrap: ClusteredBootstrap(resamples: 2000, seed: UInt64(r))))
            if naive.difference.contains(effect) { coveredIgnoringDocuments += 1 }
        }
        let coverage = Double(covered) / Double(replications)
        print("coverage at nominal 0.95: \(covered)/\(replications) clustered, \(coveredIgnoringDocuments)/\(replications) ignoring documents; "
              + "effect detected in \(detected)")
        XCTAssertGreaterThanOrEqual(coverage, 0.90, "coverage \(coverage)")
        XCTAssertLessThanOrEqual(coverage, 0.99, "intervals far too wide: coverage \(coverage)")
        XCTAssertLessThan(Double(coveredIgnoringDocuments) / Double(replications), 0.85, "the unclustered bootstrap covered as well")
        XCTAssertGreaterThan(detected, 0)
    }

    /// With no effect, the verdict is "no difference" about 95% of the time, and the stated
    /// minimum detectable effect is one the study does detect about 80% of the time.
    func testMinimumDetectableEffectHasItsPower() throws {
        var rng = SeededRNG(seed: 7)
        var mdes: [Double] = []
        var nullRejections = 0
        for r in 0..<200 {
            let (base, cell) = Self.simulate(documents: 50, seeds: [1, 2, 3], effect: 0, rng: &rng)
            let result = try XCTUnwrap(PairedComparison.compare(metric: "x", base: ("b", base), cell: ("c", cell),
                                                                bootstrap: ClusteredBootstrap(resamples: 1000, seed: UInt64(r))))
            mdes.append(result.minimumDetectableEffect)
            if result.verdict != .noDifference { nullRejections += 1 }
        }
        XCTAssertLessThanOrEqual(nullRejections, 20, "false positives \(nullRejections)/200")
        let mde = mdes.sorted()[mdes.count / 2]
        var detected = 0
        for r in 0..<200 {
            let (base, cell) = Self.simulate(documents: 50, seeds: [1, 2, 3], effect: mde, rng: &rng)
            let result = try XCTUnwrap(PairedComparison.compare(metric: "x", base: ("b", base), cell: ("c", cell),
                                                                bootstrap: ClusteredBootstrap(resamples: 1000, seed: UInt64(r))))
            if result.verdict == .higher { detected += 1 }
        }
        print("false positives at no effect: \(nullRejections)/200; detected at the median stated MDE \(mde): \(detected)/200")
        XCTAssertEqual(Double(detected) / 200, 0.80, accuracy: 0.10, "power at the stated MDE \(mde)")
    }

    /// Each question is averaged over seeds before differencing; better/worse count questions.
    func testAveragesSeedsThenPairs() throws {
        let base = [Observation(questionId: 1, document: "a", seed: 1, value: 0), Observation(questionId: 1, document: "a", seed: 2, value: 1),
                    Observation(questionId: 2, document: "b", seed: 1, value: 1), Observation(questionId: 2, document: "b", seed: 2, value: 1)]
        let cell = [Observation(questionId: 1, document: "a", seed: 5, value: 1), Observation(questionId: 2, document: "b", seed: 5, value: 0)]
        let r = try XCTUnwrap(PairedComparison.compare(metric: "m", base: ("base", base), cell: ("cell", cell)))
        XCTAssertEqual(r.baseMean, 0.75)
        XCTAssertEqual(r.cellMean, 0.5)
        XCTAssertEqual(r.difference.estimate, -0.25)   // (+0.5 − 1) / 2
        XCTAssertEqual(r.better, 1)
        XCTAssertEqual(r.worse, 1)
        XCTAssertEqual(r.baseSeeds, 2)
        XCTAssertEqual(r.cellSeeds, 1)
        XCTAssertEqual(r.difference.clusters, 2)
    }

    func testRefusesUnpairedQuestions() {
        let base = [Observation(questionId: 1, document: "a", seed: 1, value: 0), Observation(questionId: 2, document: "b", seed: 1, value: 0)]
        let cell = [Observation(questionId: 1, document: "a", seed: 1, value: 0), Observation(questionId: 3, document: "b", seed: 1, value: 0)]
        XCTAssertThrowsError(try PairedComparison.compare(metric: "m", base: ("base", base), cell: ("cell", cell))) {
            XCTAssertTrue("\($0)".contains("different questions"), "\($0)")
        }
        let uneven = base + [Observation(questionId: 1, document: "a", seed: 2, value: 0)]
        XCTAssertThrowsError(try PairedComparison.compare(metric: "m", base: ("base", uneven), cell: ("cell", base))) {
            XCTAssertTrue("\($0)".contains("seed 2"), "\($0)")
        }
    }
}
