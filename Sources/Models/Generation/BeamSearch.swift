import Foundation
import TensorCore

/// Beam search over B questions × W beams (W = 1 is greedy decoding), independent of how the
/// logits are computed (cached or uncached stepper).
///
/// Every hypothesis row `b·W + w` carries a summed log-probability. On the first step only
/// beam 0 of each question is live (the others start at −∞), so the W beams start from W
/// different tokens. At each step every live beam proposes its W best next tokens and a
/// finished beam (it produced EOS) proposes itself unchanged; the W best proposals of each
/// question survive (ties: lower parent beam, then lower token id). Decoding stops when every
/// beam is finished or after `maxLength` tokens; each question returns the beam with the best
/// `score / length^lengthPenalty`.
struct BeamSearch {
    let questions: Int
    let beams: Int
    let options: GenerationOptions
    let startToken: Int32
    let eosToken: Int32
    let padToken: Int32

    /// A candidate continuation of one question's beams.
    private struct Candidate {
        var score: Double
        var parentBeam: Int
        var token: Int32
    }

    /// Runs the search; `onFirstStep` receives the first step's cross-attention weights
    /// (one `[B·W, H, 1, M]` tensor per layer).
    func run<S: DecodingStepper>(_ stepper: inout S, onFirstStep: ([Tensor]) -> Void)
        -> (tokens: [[Int32]], scores: [Double], steps: Int) {
        let w = beams, n = questions * w
        var scores = (0..<n).map { $0 % w == 0 ? 0.0 : -Double.infinity }
        var finished = [Bool](repeating: false, count: n)
        var sequences = [[Int32]](repeating: [], count: n)
        var tokens = [Int32](repeating: startToken, count: n)
        var parents: [Int32]? = nil
        var steps = 0

        for step in 0..<options.maxLength {
            let (logits, weights) = stepper.next(parents: parents, tokens: tokens, returnWeights: step == 0)
            if step == 0 { onFirstStep(weights) }
            steps = step + 1
            let logProbs = logits.logSoftmax().doubles
            let v = logits.shape[1]

            var newParents = [Int32](repeating: 0, count: n)
            var newTokens = [Int32](repeating: padToken, count: n)
            var newScores = scores, newFinished = finished, newSequences = sequences
            for q in 0..<questions {
                var candidates: [Candidate] = []
                candidates.reserveCapacity(w * w)
                for beam in 0..<w {
                    let row = q * w + beam
                    if finished[row] {
                        candidates.append(Candidate(score: scores[row], parentBeam: beam, token: padToken))
                    } else if scores[row] > -Double.infinity {
                        for (token, logProb) in Self.best(w, of: logProbs, row: row, width: v) {
                            candidates.append(Candidate(score: scores[row] + logProb, parentBeam: beam, token: token))
                        }
                    }
                }
                candidates.sort { a, b in
                    if a.score != b.score { return a.score > b.score }
                    if a.parentBeam != b.parentBeam { return a.parentBeam < b.parentBeam }
                    return a.token < b.token
                }
                for slot in 0..<w {
                    let row = q * w + slot
                    guard slot < candidates.count else {
                        newScores[row] = -Double.infinity
                        newFinished[row] = true
                        newSequences[row] = []
                        continue
                    }
                    let c = candidates[slot], parent = q * w + c.parentBeam
                    newParents[row] = Int32(parent)
                    newScores[row] = c.score
                    if finished[parent] {
                        newFinished[row] = true
                        newSequences[row] = sequences[parent]
                    } else {
                        newFinished[row] = c.token == eosToken
                        newSequences[row] = sequences[parent] + [c.token]
                        newTokens[row] = c.token
                    }
                }
            }
            parents = newParents
            tokens = newTokens
            scores = newScores
            finished = newFinished
            sequences = newSequences
            if finished.allSatisfy({ $0 }) { break }
        }

        var answers: [[Int32]] = [], answerScores: [Double] = []
        for q in 0..<questions {
            var bestRow = q * w, bestValue = -Double.infinity
            for beam in 0..<w {
                let row = q * w + beam
                let length = Double(max(1, sequences[row].count))
                let value = scores[row] / Foundation.pow(length, options.lengthPenalty)
                if value > bestValue { bestValue = value; bestRow = row }
            }
            var answer = sequences[bestRow]
            if answer.last == eosToken { answer.removeLast() }
            answers.append(answer)
            answerScores.append(scores[bestRow])
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
