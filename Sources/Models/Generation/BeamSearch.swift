import Foundation
import TensorCore

/// Beam search over B questions × W beams (W = 1 is greedy decoding), independent of how the
/// logits are computed (cached or uncached stepper). The rule is Hugging Face transformers'
/// beam search (4.57, `early_stopping=True`, README "`mpvqa generate`"), so an imported T5
/// decodes as `model.generate(num_beams=W, early_stopping=True)` does:
///
/// - W running beams per question, each with a summed log-probability; on the first step only
///   beam 0 is live, so the beams start from different tokens.
/// - Each step ranks the continuations of all live beams by summed log-probability and keeps the
///   best 2W (ties: lower beam, then lower token id).
/// - A kept continuation that ends the hypothesis — it is EOS, or the step reaches `maxLength` —
///   and ranks among the best W becomes a finished hypothesis scored `sum / length^α`
///   (length = tokens generated, EOS included; α = `lengthPenalty`, HF's default 1); each
///   question keeps its W best finished hypotheses. Ending continuations ranked below W are dropped.
/// - The best W continuations that do not end are the next step's running beams.
/// - A question stops as soon as it has W finished hypotheses (or at `maxLength`); decoding
///   stops when every question has. The answer is the finished hypothesis with the best
///   `sum / length^α`; its reported score is the plain sum.
struct BeamSearch {
    let questions: Int
    let beams: Int
    let options: GenerationOptions
    let startToken: Int32
    let eosToken: Int32
    let padToken: Int32

    /// A continuation of one of a question's running beams.
    private struct Candidate {
        var score: Double
        var beam: Int
        var token: Int32
    }

    /// A hypothesis that ended: its tokens (EOS included when it ended with one) and scores.
    private struct Finished {
        var normalized: Double
        var score: Double
        var tokens: [Int32]
    }

    /// Runs the search; `onFirstStep` receives the first step's cross-attention weights
    /// (one `[B·W, H, 1, M]` tensor per layer).
    func run<S: DecodingStepper>(_ stepper: inout S, onFirstStep: ([Tensor]) -> Void)
        -> (tokens: [[Int32]], scores: [Double], steps: Int) {
        let w = beams, n = questions * w
        var scores = (0..<n).map { $0 % w == 0 ? 0.0 : -Double.infinity }  // running beams; −∞ = no beam
        var sequences = [[Int32]](repeating: [], count: n)
        var tokens = [Int32](repeating: startToken, count: n)
        var parents: [Int32]? = nil
        var pools = [[Finished]](repeating: [], count: questions)
        var done = [Bool](repeating: false, count: questions)
        var steps = 0

        for step in 0..<options.maxLength {
            let (logits, weights) = stepper.next(parents: parents, tokens: tokens, returnWeights: step == 0)
            if step == 0 { onFirstStep(weights) }
            steps = step + 1
            let length = step + 1  // tokens generated once this step's token is appended
            let atLimit = length == options.maxLength
            let lengthNorm = Foundation.pow(Double(length), options.lengthPenalty)
            let logProbs = logits.logSoftmax().doubles
            let v = logits.shape[1]

            // A finished question's rows stay as they are (their parent is themselves).
            var newParents = (0..<Int32(n)).map { $0 }
            var newTokens = [Int32](repeating: padToken, count: n)
            var newScores = scores, newSequences = sequences
            for q in 0..<questions where !done[q] {
                var candidates: [Candidate] = []
                candidates.reserveCapacity(2 * w * w)
                for beam in 0..<w where scores[q * w + beam] > -Double.infinity {
                    let row = q * w + beam
                    // The best 2W of all beams are among the best 2W of each beam.
                    for (token, logProb) in Self.best(2 * w, of: logProbs, row: row, width: v) {
                        candidates.append(Candidate(score: scores[row] + logProb, beam: beam, token: token))
                    }
                }
                candidates.sort { a, b in
                    if a.score != b.score { return a.score > b.score }
                    if a.beam != b.beam { return a.beam < b.beam }
                    return a.token < b.token
                }
                let kept = candidates.prefix(2 * w)
                var running: [Candidate] = []
                for (rank, c) in kept.enumerated() {
                    let ends = c.token == eosToken || atLimit
                    if ends {
                        if rank < w {
                            pools[q].append(Finished(normalized: c.score / lengthNorm, score: c.score,
                                                     tokens: sequences[q * w + c.beam] + [c.token]))
                        }
                    } else if running.count < w {
                        running.append(c)
                    }
                }
                // The W best finished; earlier ones first on equal scores (a stable sort).
                pools[q] = Array(pools[q].enumerated().sorted { a, b in
                    a.element.normalized != b.element.normalized ? a.element.normalized > b.element.normalized : a.offset < b.offset
                }.map { $0.element }.prefix(w))
                for slot in 0..<w {
                    let row = q * w + slot
                    guard slot < running.count else {
                        newScores[row] = -Double.infinity
                        newSequences[row] = []
                        continue
                    }
                    let c = running[slot], parent = q * w + c.beam
                    newParents[row] = Int32(parent)
                    newScores[row] = c.score
                    newSequences[row] = sequences[parent] + [c.token]
                    newTokens[row] = c.token
                }
                if pools[q].count == w || atLimit { done[q] = true }
            }
            parents = newParents
            tokens = newTokens
            scores = newScores
            sequences = newSequences
            if done.allSatisfy({ $0 }) { break }
        }

        var answers: [[Int32]] = [], answerScores: [Double] = []
        for q in 0..<questions {
            // At maxLength the best W continuations all end, so every pool holds one (the fallback never applies).
            let best = pools[q].first ?? Finished(normalized: -.infinity, score: -.infinity, tokens: [])
            var answer = best.tokens
            if answer.last == eosToken { answer.removeLast() }
            answers.append(answer)
            answerScores.append(best.score)
        }
        return (answers, answerScores, steps)
    }

    /// The `k` largest entries of row `row` of a `[N, width]` array, best first (ties: lower id).
    private static func best(_ k: Int, of values: [Double], row: Int, width: Int) -> [(Int32, Double)] {
        var top: [(Int32, Double)] = []
        top.reserveCapacity(k + 1)
        let base = row * width
        for j in 0..<width {
            let value = values[base + j]
            if top.count == k, let last = top.last, value <= last.1 { continue }
            var i = top.count
            while i > 0 && top[i - 1].1 < value { i -= 1 }
            top.insert((Int32(j), value), at: i)
            if top.count > k { top.removeLast() }
        }
        return top
    }
}
