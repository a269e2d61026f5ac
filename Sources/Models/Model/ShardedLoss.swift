import TensorCore

/// One batch's loss and parameter gradients computed in shards: contiguous groups of its
/// questions, each run forward and backward on its own thread (README "Cached training",
/// data-parallel steps). Gradients are gathered per shard and added to the parameters only
/// by `addGradientsToParameters()`, shard by shard in order, so the result does not depend
/// on thread timing.
public struct ShardedLoss: Sendable {
    /// The batch's losses: each term is the full batch's mean, as `HiVT5.loss` reports it.
    public let total: Double
    public let answer: Double
    public let page: Double
    public let contains: Double
    /// The question ranges of the shards.
    public let shards: [Range<Int>]
    let gradients: [LeafGradients]

    /// Adds the shards' gradients to the parameters' `grad`, as `total.backward()` of the
    /// unsharded loss would (equal up to float summation order).
    public func addGradientsToParameters() {
        for g in gradients { g.addToLeaves() }
    }
}

/// How many of a batch's rows each loss term averages over; a shard's term is weighted by
/// its share of these, so the shards' weighted sum is the batch's mean.
struct LossTermCounts {
    var answer = 0, page = 0, contains = 0
}

extension HiVT5 {
    /// The batch's loss, computed as `shards` groups of questions in parallel (each group's
    /// kernels on one thread), with the gradients kept back for
    /// `ShardedLoss.addGradientsToParameters()`. The same loss and gradients as
    /// `loss(encoded, …).total.backward()` up to float rounding; dropout (when `rng` is given)
    /// draws a separate stream per shard. The summaries must be constants (cached training), and
    /// the span term, which reads encoder token states, is not sharded: `weights.span` must be 0.
    /// `alongside` runs once on whichever thread finishes its shard first (the trainer reads
    /// the next batch there), so it fills the idle end of the step instead of taking a core
    /// from a shard.
    public func shardedLossAndGradients(_ encoded: EncodedQuestions, targets: AnswerTargets, weights: LossWeights,
                                        shards: Int, rng: SeededRNG?, alongside: (@Sendable () -> Void)? = nil) -> ShardedLoss {
        precondition(weights.span == 0, "HiVT5.shardedLossAndGradients: the span term cannot be sharded (weight \(weights.span))")
        // Shards may share leaves only: summaries computed with gradients (an encoder pass
        // on the tape) would be one graph read from both threads.
        precondition(!encoded.summaries.requiresGrad && !(encoded.probeSummaries?.requiresGrad ?? false),
                     "HiVT5.shardedLossAndGradients: the summaries must be constants (cached features or an encoding under withNoGrad)")
        let ranges = Self.shardRanges(costs: Self.shardCosts(encoded, targets: targets), count: shards)
        let parts = ranges.map { (encoded.questions($0), targets.questions($0, pageCount: encoded.pageCount)) }
        let counts = parts.map { lossTermCounts($0.0, targets: $0.1) }
        let all = counts.reduce(into: LossTermCounts()) { s, c in s.answer += c.answer; s.page += c.page; s.contains += c.contains }
        var base = rng
        let seeds = ranges.map { _ in base?.next() }
        func share(_ n: Int, of total: Int) -> Double { total > 0 ? Double(n) / Double(total) : 0 }

        var outcomes = [(loss: LossBreakdown, total: Double, gradients: LeafGradients)?](repeating: nil, count: ranges.count)
        outcomes.withUnsafeMutableBufferPointer { slots in
            let out = UncheckedSendable(slots)
            // Jobs are taken in index order: the shards first, then `alongside` by the first free thread.
            Parallel.forEach(ranges.count + (alongside == nil ? 0 : 1)) { s in
                guard s < ranges.count else { alongside?(); return }
                let (shardEncoded, shardTargets) = parts[s]
                let c = counts[s]
                let shardWeights = LossWeights(page: weights.page * share(c.page, of: all.page), span: 0,
                                               contains: weights.contains * share(c.contains, of: all.contains))
                var shardRNG = seeds[s].map { SeededRNG(seed: $0) }
                let loss = self.loss(shardEncoded, targets: shardTargets, weights: shardWeights,
                                     answerWeight: share(c.answer, of: all.answer), rng: &shardRNG)
                let total = loss.total.item
                // A non-finite shard loss is reported, not propagated: the caller stops the run.
                let gradients = total.isFinite ? loss.total.backwardCollectingLeafGradients() : LeafGradients()
                out.value[s] = (loss, total, gradients)
            }
        }
        let done = outcomes.map { $0! }
        func combined(_ value: (LossBreakdown) -> Double, _ count: (LossTermCounts) -> Int, _ total: Int) -> Double {
            zip(done, counts).reduce(0) { $0 + value($1.0.loss) * share(count($1.1), of: total) }
        }
        return ShardedLoss(total: done.reduce(0) { $0 + $1.total },
                           answer: combined(\.answer, \.answer, all.answer),
                           page: combined(\.page, \.page, all.page),
                           contains: combined(\.contains, \.contains, all.contains),
                           shards: ranges, gradients: done.map(\.gradients))
    }

    /// The rows each term of `loss` averages over: answer positions with a target, questions
    /// with an answer page, real pages with a contains label.
    func lossTermCounts(_ encoded: EncodedQuestions, targets: AnswerTargets) -> LossTermCounts {
        LossTermCounts(answer: targets.labels.filter { $0 >= 0 }.count,
                       page: targets.answerPage.filter { $0 != AnswerTargets.ignoreIndex }.count,
                       contains: containsLabels(targets, encoded).filter { $0 != AnswerTargets.ignoreIndex }.count)
    }

    /// Each question's share of a step's work, in units of about 3 µs of one-thread time:
    /// `T·(32 + P) + 4·P` for T answer positions and P real pages. Per answer position the vocab
    /// projection, pointer-generator loss and decoder layers cost about 100 µs and the
    /// cross-attention about 3 µs more per page; per page the page head and memory about 12 µs
    /// (one-thread op profile of the default cached step, README "Cached training"). Answer
    /// lengths thus weigh more than page counts.
    public static func shardCosts(_ encoded: EncodedQuestions, targets: AnswerTargets) -> [Int] {
        let p = encoded.pageCount, t = targets.length
        return (0..<encoded.batchSize).map { q in
            let pages = max(1, (0..<p).filter { encoded.pageValid[q * p + $0] }.count)
            let positions = targets.labels[(q * t)..<((q + 1) * t)].filter { $0 >= 0 }.count
            return positions * (32 + pages) + 4 * pages
        }
    }

    /// At most `count` contiguous, non-empty ranges of questions with these `costs` whose
    /// largest total is as small as a contiguous split allows (the slowest shard sets the
    /// step's time).
    public static func shardRanges(costs: [Int], count: Int) -> [Range<Int>] {
        let b = costs.count
        let shards = max(1, min(count, b))
        guard b > 0 else { return [] }
        var prefix = [0]
        for n in costs { prefix.append(prefix.last! + n) }
        // largest[k][j]: the smallest possible largest shard when questions 0..<j form k + 1
        // shards; cut[k][j]: where the last of those shards starts.
        var largest = [[Int]](repeating: [Int](repeating: .max, count: b + 1), count: shards)
        var cut = [[Int]](repeating: [Int](repeating: 0, count: b + 1), count: shards)
        for j in 1...b { largest[0][j] = prefix[j] }
        for k in stride(from: 1, to: shards, by: 1) {
            for j in (k + 1)...b {
                for i in k..<j where largest[k - 1][i] != .max {
                    let candidate = max(largest[k - 1][i], prefix[j] - prefix[i])
                    if candidate < largest[k][j] {
                        largest[k][j] = candidate
                        cut[k][j] = i
                    }
                }
            }
        }
        var ranges: [Range<Int>] = [], end = b
        for k in stride(from: shards - 1, through: 0, by: -1) {
            let start = k == 0 ? 0 : cut[k][end]
            ranges.append(start..<end)
            end = start
        }
        return ranges.reversed()
    }
}

extension EncodedQuestions {
    /// The questions in `range` (their page slots, summaries and flags), page count unchanged.
    /// The tensors are views of this batch's (no copy).
    public func questions(_ range: Range<Int>) -> EncodedQuestions {
        let p = pageCount, rows = (range.lowerBound * p)..<(range.upperBound * p)
        let k = summaries.shape[1]
        return EncodedQuestions(batchSize: range.count, pageCount: p, summaries: summaries.rows(rows),
                                probeSummaries: probeSummaries?.rows(rows), tokenStates: tokenStates?.rows(rows),
                                pageValid: Array(pageValid[rows]),
                                slotTokens: slotTokens.map { Array($0[(rows.lowerBound * k)..<(rows.upperBound * k)]) },
                                pageIndices: pageIndices.map { Array($0[rows]) })
    }
}

extension AnswerTargets {
    /// The targets of the questions in `range` of a batch with `pageCount` page slots.
    public func questions(_ range: Range<Int>, pageCount p: Int) -> AnswerTargets {
        let t = length, rows = (range.lowerBound * p)..<(range.upperBound * p)
        let positions = (range.lowerBound * t)..<(range.upperBound * t)
        let tokensPerRow = spanLabels.map { $0.count / max(1, batchSize * p) } ?? 0
        return AnswerTargets(length: t, decoderInput: Array(decoderInput[positions]), labels: Array(labels[positions]),
                             answerPage: Array(answerPage[range]),
                             spanLabels: spanLabels.map { Array($0[(rows.lowerBound * tokensPerRow)..<(rows.upperBound * tokensPerRow)]) },
                             pageContainsAnswer: pageContainsAnswer.map { Array($0[rows]) })
    }
}
