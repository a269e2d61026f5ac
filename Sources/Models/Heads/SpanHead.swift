import NeuralNet
import TensorCore

/// Points at the answer among a document's OCR tokens: a start and an end logit per encoder
/// token state, trained with a pointer loss over **all** OCR tokens of all pages of the
/// question (a softmax across pages, so it teaches which page holds the answer as well as
/// where on it), and decoded into the best span (extractive answers).
///
/// Pages are still encoded independently: a token's logits depend only on its own
/// (question, page) row, the softmax only compares them.
///
/// Shapes: `tokenStates: [R, L, d]` → start, end `[R, L]` with R = B·P.
/// Parameter names: `projection.weight`, `projection.bias`.
public final class SpanHead: Module, Sendable {
    /// Start and end logits, `[R, L]` each.
    public struct Logits: Sendable {
        public let start: Tensor
        public let end: Tensor

        public init(start: Tensor, end: Tensor) {
            precondition(start.shape == end.shape, "SpanHead.Logits: start \(start.shape) and end \(end.shape) differ")
            self.start = start
            self.end = end
        }
    }

    public let projection: Linear

    public init(modelDim: Int, dtype: DType = .float32, rng: inout SeededRNG) {
        projection = Linear(modelDim, 2, bias: true, dtype: dtype, rng: &rng)
    }

    /// `[R, L, d]` → start and end logits `[R, L]`.
    public func callAsFunction(_ tokenStates: Tensor) -> Logits {
        let shape = Array(tokenStates.shape.dropLast())
        let both = projection(tokenStates).split(sizes: [1, 1], axis: tokenStates.rank - 1)
        return Logits(start: both[0].reshaped(shape), end: both[1].reshaped(shape))
    }

    /// The pointer loss of B questions: for start and end alike, `−log Σ_{gold} softmax(logits)`
    /// over the OCR tokens of all of a question's pages (several gold positions when the
    /// answer occurs more than once), averaged over the questions whose answer occurs.
    ///
    /// `labels: [R, L]`: 1 on answer tokens, 0 on other OCR tokens, −100 elsewhere (the
    /// `AnswerTargets.spanLabels` convention); a run of 1s is one occurrence, its first token a
    /// gold start and its last a gold end. Returns nil when no question has an occurrence.
    public static func pointerLoss(_ logits: Logits, labels: [Int32], batchSize: Int) -> Tensor? {
        let rows = logits.start.shape[0], length = logits.start.shape[1]
        precondition(labels.count == rows * length, "SpanHead.pointerLoss: \(labels.count) labels for logits [\(rows), \(length)]")
        precondition(batchSize > 0 && rows % batchSize == 0, "SpanHead.pointerLoss: \(rows) rows are not B·P with B = \(batchSize)")
        let n = rows / batchSize * length  // P·L candidates per question
        let ignore = AnswerTargets.ignoreIndex, blocked: Float = -1e9
        var candidates = [Float](repeating: blocked, count: rows * length)
        var starts = candidates, ends = candidates
        var answered = [Float](repeating: 0, count: batchSize)
        for r in 0..<rows {
            for l in 0..<length where labels[r * length + l] != ignore {
                let i = r * length + l
                candidates[i] = 0
                guard labels[i] == 1 else { continue }
                if l == 0 || labels[i - 1] != 1 { starts[i] = 0 }
                if l == length - 1 || labels[i + 1] != 1 { ends[i] = 0 }
                answered[r * length / n] = 1
            }
        }
        let count = answered.reduce(0, +)
        guard count > 0 else { return nil }
        let dtype = logits.start.dtype
        func constant(_ values: [Float], _ shape: [Int]) -> Tensor { Tensor(values, shape: shape).converted(to: dtype) }
        let all = constant(candidates, [batchSize, n])
        let weight = constant(answered.map { $0 / count }, [batchSize])
        func term(_ x: Tensor, _ gold: [Float]) -> Tensor {
            let x = x.reshaped([batchSize, n])
            // Unanswered questions have no gold position: their (finite) term gets weight 0.
            return ((x + all).logSumExp(axis: 1) - (x + constant(gold, [batchSize, n])).logSumExp(axis: 1)) * weight
        }
        return (term(logits.start, starts) + term(logits.end, ends)).sum().scaled(by: 0.5)
    }

    /// The best span of each question: the (start, end) pair on one page, start ≤ end <
    /// start + `maxTokens`, both on `candidate` positions, maximising start + end logit.
    ///
    /// `candidate: [R, L]` (OCR tokens of real pages). Nil for a question without candidates.
    public static func bestSpans(_ logits: Logits, candidate: [Bool], batchSize: Int, maxTokens: Int) -> [ExtractedSpan?] {
        let rows = logits.start.shape[0], length = logits.start.shape[1], pages = rows / batchSize
        precondition(candidate.count == rows * length, "SpanHead.bestSpans: \(candidate.count) flags for logits [\(rows), \(length)]")
        let start = logits.start.doubles, end = logits.end.doubles
        return (0..<batchSize).map { b in
            var best: ExtractedSpan? = nil
            for p in 0..<pages {
                let base = (b * pages + p) * length
                for i in 0..<length where candidate[base + i] {
                    var j = i
                    while j < min(length, i + maxTokens) && candidate[base + j] {
                        let score = start[base + i] + end[base + j]
                        if score > best?.score ?? -.infinity { best = ExtractedSpan(page: p, start: i, end: j, score: score) }
                        j += 1
                    }
                }
            }
            return best
        }
    }

    public var namedParameters: [NamedParameter] { projection.namedParameters(prefix: "projection") }
}

/// A span of one page row picked by `SpanHead.bestSpans`: positions `start…end` (inclusive)
/// of page `page`'s encoder row.
public struct ExtractedSpan: Sendable, Equatable {
    public var page: Int
    public var start: Int
    public var end: Int
    /// start logit + end logit.
    public var score: Double

    public init(page: Int, start: Int, end: Int, score: Double) {
        self.page = page
        self.start = start
        self.end = end
        self.score = score
    }
}
