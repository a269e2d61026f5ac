import TensorCore

/// Pages per synthetic document, shaped like MP-DocVQA's: many short documents, a long tail,
/// and a bump at 20 (the release truncates longer documents to 20 pages). Mean 8.24 over 1…20
/// (MP-DocVQA: about 8).
public struct PageCountDistribution: Sendable, Equatable {
    /// Relative weight of a document with `n` pages is `weights[n - 1]`, n = 1…20.
    public static let weights: [Double] = [
        10, 9, 9, 8.5, 8, 7.5, 7, 6.5, 6, 5.5,  // 1–10
        5, 4.5, 4, 3.5, 3, 2.5, 2, 2, 2, 7,     // 11–20
    ]

    public let range: ClosedRange<Int>
    private let cumulative: [Double]

    /// The distribution restricted to `range` (within 1…20) and renormalised.
    public init(range: ClosedRange<Int>) {
        precondition(range.lowerBound >= 1 && range.upperBound <= 20, "PageCountDistribution: range \(range) must lie in 1…20")
        self.range = range
        var total = 0.0
        cumulative = range.map { n in total += Self.weights[n - 1]; return total }
    }

    /// Probability of `n` pages.
    public func probability(_ n: Int) -> Double {
        guard range.contains(n) else { return 0 }
        return Self.weights[n - 1] / cumulative.last!
    }

    /// Expected page count.
    public var mean: Double { range.reduce(0.0) { $0 + Double($1) * probability($1) } }

    /// Draws a page count.
    public func sample(_ rng: inout SeededRNG) -> Int {
        let u = rng.nextUniform() * cumulative.last!
        for (i, c) in cumulative.enumerated() where u < c { return range.lowerBound + i }
        return range.upperBound
    }
}
