import Foundation

/// One cell against the base on one metric, paired by question (README "Experiments"):
///
/// 1. each question's value is averaged over each side's seeds, so a question counts once
///    however many seeds ran (the seeds are not independent samples of questions);
/// 2. the per-question differences (cell − base) are averaged;
/// 3. their 95% interval comes from a bootstrap that resamples documents
///    (``ClusteredBootstrap``), because questions of one document share pages and errors;
/// 4. the minimum detectable effect is (z₀.₉₇₅ + z₀.₈₀) × the clustered standard error
///    ≈ 2.80 × SE: the true difference a two-sided 5% test finds with 80% power. A "no
///    difference" verdict states it, so "no difference" is never read as "equal".
///
/// The interval treats the trained seeds as fixed: it covers question and document
/// sampling; how much each cell's mean moves between seeds is ``SeedInterval``'s.
public struct PairedComparison: Codable, Equatable, Sendable {
    /// One question's value in one seed's run.
    public struct Observation: Equatable, Sendable {
        public var questionId: Int
        public var document: String
        public var seed: Int
        public var value: Double

        public init(questionId: Int, document: String, seed: Int, value: Double) {
            self.questionId = questionId
            self.document = document
            self.seed = seed
            self.value = value
        }
    }

    /// The two sides do not hold the same questions, or a seed's run misses some.
    public struct Mismatch: Error, CustomStringConvertible {
        public var description: String
    }

    public enum Verdict: String, Codable, Sendable {
        /// The interval lies above 0.
        case higher
        /// The interval lies below 0.
        case lower
        /// The interval contains 0.
        case noDifference = "no_difference"
    }

    public var metric: String
    public var base: String
    public var cell: String
    public var baseSeeds: Int
    public var cellSeeds: Int
    /// Means over questions of the seed-averaged values.
    public var baseMean: Double
    public var cellMean: Double
    /// The mean difference (cell − base) and its clustered-bootstrap interval.
    public var difference: ClusteredBootstrap.Interval
    /// ``detectableEffectFactor`` × the clustered standard error.
    public var minimumDetectableEffect: Double
    /// Questions whose seed-averaged value is higher / lower in the cell than in the base.
    public var better: Int
    public var worse: Int
    public var verdict: Verdict

    enum CodingKeys: String, CodingKey {
        case metric, base, cell, difference, better, worse, verdict
        case baseSeeds = "base_seeds", cellSeeds = "cell_seeds", baseMean = "base_mean", cellMean = "cell_mean"
        case minimumDetectableEffect = "minimum_detectable_effect"
    }

    /// z₀.₉₇₅ + z₀.₈₀ = 1.95996 + 0.84162 = 2.80158: a two-sided 5% test, 80% power.
    public static let detectableEffectFactor = StandardNormal.quantile(0.975) + StandardNormal.quantile(0.80)

    /// Compares `cell` with `base` on `metric`. Both sides must hold the same questions, each
    /// once in every seed's run, on the same documents. Nil with fewer than two documents.
    public static func compare(metric: String, base: (name: String, observations: [Observation]),
                               cell: (name: String, observations: [Observation]),
                               bootstrap: ClusteredBootstrap = ClusteredBootstrap()) throws -> PairedComparison? {
        let b = try seedAverages(base.observations, side: base.name)
        let c = try seedAverages(cell.observations, side: cell.name)
        let onlyBase = b.values.keys.filter { c.values[$0] == nil }, onlyCell = c.values.keys.filter { b.values[$0] == nil }
        guard onlyBase.isEmpty && onlyCell.isEmpty else {
            throw Mismatch(description: "\(metric): \(cell.name) and \(base.name) were scored on different questions "
                           + "(\(onlyBase.count) only in \(base.name), \(onlyCell.count) only in \(cell.name), e.g. questionId "
                           + "\((onlyBase + onlyCell).min()!)); a paired comparison needs the same split")
        }
        let ids = b.values.keys.sorted()
        if let id = ids.first(where: { b.documents[$0] != c.documents[$0] }) {
            throw Mismatch(description: "\(metric): questionId \(id) is on document \(b.documents[id]!) in \(base.name) but \(c.documents[id]!) in \(cell.name)")
        }
        let differences = ids.map { c.values[$0]! - b.values[$0]! }
        guard let interval = bootstrap.interval(values: differences, clusters: ids.map { b.documents[$0]! }) else { return nil }
        let verdict: Verdict = interval.lower > 0 ? .higher : interval.upper < 0 ? .lower : .noDifference
        let n = Double(ids.count)
        return PairedComparison(metric: metric, base: base.name, cell: cell.name, baseSeeds: b.seeds, cellSeeds: c.seeds,
                                baseMean: ids.reduce(0) { $0 + b.values[$1]! } / n, cellMean: ids.reduce(0) { $0 + c.values[$1]! } / n,
                                difference: interval, minimumDetectableEffect: detectableEffectFactor * interval.standardError,
                                better: differences.filter { $0 > 1e-9 }.count, worse: differences.filter { $0 < -1e-9 }.count,
                                verdict: verdict)
    }

    /// Each question's mean over the seeds, its document, and the number of seeds.
    static func seedAverages(_ observations: [Observation], side: String) throws
        -> (values: [Int: Double], documents: [Int: String], seeds: Int) {
        var bySeed: [Int: [Int: Double]] = [:]
        var documents: [Int: String] = [:]
        for o in observations {
            if bySeed[o.seed, default: [:]].updateValue(o.value, forKey: o.questionId) != nil {
                throw Mismatch(description: "\(side): questionId \(o.questionId) appears twice in seed \(o.seed)")
            }
            documents[o.questionId] = o.document
        }
        let seeds = bySeed.keys.sorted()
        guard let first = seeds.first else { throw Mismatch(description: "\(side): no questions") }
        let ids = Set(bySeed[first]!.keys)
        for s in seeds.dropFirst() where Set(bySeed[s]!.keys) != ids {
            throw Mismatch(description: "\(side): seed \(s) was scored on other questions than seed \(first)")
        }
        var values: [Int: Double] = [:]
        for id in ids { values[id] = seeds.reduce(0) { $0 + bySeed[$1]![id]! } / Double(seeds.count) }
        return (values, documents, seeds.count)
    }
}
