import XCTest
import Foundation
import Models
import NeuralNet
import TensorCore

/// The `pointer` summarizer recomputed from its definition in Double: p = softmax of the span
/// head's start logits over the candidates, r_k = Σ_l p_l h_{l+k}, S_k = slot_k + σ(a·lse + c)·r_k.
final class PointerSummarizerTests: XCTestCase {
    func testSummariesMatchTheirDefinition() {
        var rng = SeededRNG(seed: 91)
        let rows = 2, length = 7, k = 3, d = 4
        let head = SpanHead(modelDim: d, dtype: .float64, rng: &rng)
        let summarizer = PointerSummarizer(spanHead: head, dtype: .float64, rng: &rng)
        summarizer.gate.withUnsafeMutableBufferPointer(as: Double.self) { $0[0] = 0.7; $0[1] = -0.2 }
        let states = Tensor.randn([rows, length, d], dtype: .float64, rng: &rng).scaled(by: 2)
        let slots = Tensor.randn([rows, k, d], dtype: .float64, rng: &rng)
        var candidate = [Bool](repeating: true, count: rows * length)
        candidate[0] = false; candidate[1] = false; candidate[length + 6] = false
        let tokens = (0..<(rows * length)).map { Int32(100 + $0) }
        let result = summarizer(slotStates: slots, tokenStates: states, candidate: candidate, tokens: tokens)
        let out = result.summaries.doubles

        let logits = head(states).start.doubles, h = states.doubles, s = slots.doubles
        for r in 0..<rows {
            let positions = (0..<length).filter { candidate[r * length + $0] }
            let m = positions.map { logits[r * length + $0] }.max()!
            let z = positions.map { Foundation.exp(logits[r * length + $0] - m) }.reduce(0, +)
            let lse = m + Foundation.log(z)
            let g = 1 / (1 + Foundation.exp(-(0.7 * lse - 0.2)))
            for slot in 0..<k {
                for c in 0..<d {
                    var read = 0.0
                    for l in positions where l + slot < length {
                        read += Foundation.exp(logits[r * length + l] - lse) * h[(r * length + l + slot) * d + c]
                    }
                    let expected = s[(r * k + slot) * d + c] + g * read
                    XCTAssertEqual(out[(r * k + slot) * d + c], expected, accuracy: 1e-12, "row \(r) slot \(slot) dim \(c)")
                }
            }
            // Slot tokens: the input ids k positions after the most likely start, −1 past the candidates.
            let best = positions.max { logits[r * length + $0] < logits[r * length + $1] }!
            for slot in 0..<k {
                let l = best + slot
                let expected: Int32 = l < length && candidate[r * length + l] ? tokens[r * length + l] : -1
                XCTAssertEqual(result.slotTokens[r * k + slot], expected, "row \(r) slot \(slot) token")
            }
        }
    }

    /// The end feature adds e_k · u, e_k = Σ_l p_l q_{l+k} with q the end softmax over the candidates.
    func testEndFeatureMatchesItsDefinition() {
        var rng = SeededRNG(seed: 93)
        let rows = 2, length = 6, k = 3, d = 4
        let head = SpanHead(modelDim: d, dtype: .float64, rng: &rng)
        var copyRNG = rng
        let plain = PointerSummarizer(spanHead: head, dtype: .float64, rng: &copyRNG)
        let withEnd = PointerSummarizer(spanHead: head, endFeature: true, modelDim: d, dtype: .float64, rng: &rng)
        let states = Tensor.randn([rows, length, d], dtype: .float64, rng: &rng)
        let slots = Tensor.randn([rows, k, d], dtype: .float64, rng: &rng)
        var candidate = [Bool](repeating: true, count: rows * length)
        candidate[0] = false; candidate[length + 5] = false
        let tokens = [Int32](repeating: 9, count: rows * length)
        let base = plain(slotStates: slots, tokenStates: states, candidate: candidate, tokens: tokens).summaries.doubles
        let out = withEnd(slotStates: slots, tokenStates: states, candidate: candidate, tokens: tokens).summaries.doubles
        let logits = head(states), u = withEnd.endDirection!.doubles
        func softmax(_ x: [Double], _ r: Int) -> [Double] {
            let positions = (0..<length).filter { candidate[r * length + $0] }
            let m = positions.map { x[r * length + $0] }.max()!
            let z = positions.map { Foundation.exp(x[r * length + $0] - m) }.reduce(0, +)
            return (0..<length).map { candidate[r * length + $0] ? Foundation.exp(x[r * length + $0] - m) / z : 0 }
        }
        for r in 0..<rows {
            let p = softmax(logits.start.doubles, r), q = softmax(logits.end.doubles, r)
            for slot in 0..<k {
                var e = 0.0
                for l in 0..<length where l + slot < length { e += p[l] * q[l + slot] }
                for c in 0..<d {
                    let i = (r * k + slot) * d + c
                    XCTAssertEqual(out[i], base[i] + e * u[c], accuracy: 1e-12, "row \(r) slot \(slot) dim \(c)")
                }
            }
        }
    }

    /// With a sharply peaked pointer, slot k reads exactly the token k positions after the peak.
    func testAPeakedPointerReadsTheAnswerTokensInOrder() {
        var rng = SeededRNG(seed: 92)
        let length = 6, d = 3
        let head = SpanHead(modelDim: d, dtype: .float64, rng: &rng)
        // start logit = 100 · (first feature): put the peak at position 2.
        head.projection.weight.withUnsafeMutableBufferPointer(as: Double.self) { w in
            for i in 0..<w.count { w[i] = 0 }
            w[0] = 100
        }
        head.projection.bias!.withUnsafeMutableBufferPointer(as: Double.self) { b in for i in 0..<b.count { b[i] = 0 } }
        let summarizer = PointerSummarizer(spanHead: head, dtype: .float64, rng: &rng)
        summarizer.gate.withUnsafeMutableBufferPointer(as: Double.self) { $0[0] = 0; $0[1] = 50 }  // gate ≈ 1
        var values = [Double](repeating: 0, count: length * d)
        for l in 0..<length { values[l * d + 1] = Double(10 + l) }
        values[2 * d] = 1
        let states = Tensor(values, shape: [1, length, d], as: Double.self)
        var candidate = [Bool](repeating: true, count: length)
        candidate[5] = false
        let result = summarizer(slotStates: Tensor.zeros([1, 3, d], dtype: .float64), tokenStates: states,
                                candidate: candidate, tokens: [20, 21, 22, 23, 24, 25])
        let out = result.summaries.doubles
        XCTAssertEqual((0..<3).map { out[$0 * d + 1] }, [12, 13, 14].map(Double.init), accuracy: 1e-9)
        XCTAssertEqual(result.slotTokens, [22, 23, 24], "slot k carries the token it reads")
    }
}

private func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}
