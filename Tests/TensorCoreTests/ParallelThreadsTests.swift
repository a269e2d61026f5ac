import XCTest
import Foundation
import TensorCore
import TestSupport

/// `Parallel.threads` bounds our own workers: results do not depend on it (up to the
/// round-off of a different block split; a wrong split would be off by O(1)).
final class ParallelThreadsTests: XCTestCase {
    func testBatchedAndSplitMatmulsGiveTheSameResultForAnyThreadCount() {
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        var rng = SeededRNG(seed: 9)
        let a = Tensor.randn([12, 70, 33], rng: &rng)   // 12 batch items: more than threads
        let b = Tensor.randn([12, 33, 50], rng: &rng)
        let x = Tensor.randn([700, 64], rng: &rng)       // large enough for a row split
        let w = Tensor.randn([256, 64], rng: &rng)
        Parallel.threads = 1
        let batched1 = a.matmul(b).doubles, split1 = x.matmul(w, transposeB: true).doubles
        for threads in [2, 3, 5] {
            Parallel.threads = threads
            assertClose(a.matmul(b).doubles, batched1, rtol: 1e-5, atol: 1e-4, "batched, \(threads) threads")
            assertClose(x.matmul(w, transposeB: true).doubles, split1, rtol: 1e-5, atol: 1e-4, "row split, \(threads) threads")
        }
        Parallel.threads = 0
        XCTAssertEqual(Parallel.threads, 1, "at least one thread")
    }
}
