import Foundation
import XCTest
import TensorCore
import TestSupport

/// Graphs that share only leaves run forward and backward on separate threads at once (the
/// data-parallel cached step): grad mode is per thread, nested parallel regions stay on their
/// thread, and leaf gradients can be gathered and added later in a fixed order.
final class ConcurrentBackwardTests: XCTestCase {
    /// Gathered leaf gradients equal `backward()`'s and reach `grad` only when added.
    func testCollectedLeafGradientsEqualBackwards() {
        var rng = SeededRNG(seed: 11)
        let w = Tensor.randn([3, 4], dtype: .float64, rng: &rng).requiringGrad()
        let x = Tensor.randn([5, 4], dtype: .float64, rng: &rng)
        func loss() -> Tensor { (x.matmul(w, transposeB: true).tanh() + x.matmul(w, transposeB: true)).sumToShape([]) }
        loss().backward()
        let expected = w.grad!.doubles
        w.zeroGrad()
        let collected = loss().backwardCollectingLeafGradients()
        XCTAssertNil(w.grad, "nothing reaches the leaf before addToLeaves")
        XCTAssertEqual(collected.count, 1)
        collected.addToLeaves()
        assertClose(w.grad!.doubles, expected, rtol: 1e-14, atol: 1e-15, "dw")
    }

    /// Two threads, each with its own inputs and the same parameter, one of them also running
    /// `withNoGrad` work meanwhile: the sum of their gathered gradients is the gradient of the
    /// sum of their losses, whatever the timing.
    func testTwoThreadsGatherTheGradientOfTheirSum() {
        var rng = SeededRNG(seed: 12)
        let w = Tensor.randn([6, 8], dtype: .float64, rng: &rng).requiringGrad()
        let inputs = (0..<2).map { _ in Tensor.randn([300, 8], dtype: .float64, rng: &rng) }
        func loss(_ x: Tensor) -> Tensor { x.matmul(w, transposeB: true).tanh().sumToShape([]) }
        (loss(inputs[0]) + loss(inputs[1])).backward()
        let expected = w.grad!.doubles
        w.zeroGrad()
        let saved = Parallel.threads
        Parallel.threads = 2
        defer { Parallel.threads = saved }

        for _ in 0..<20 {
            var gathered = [LeafGradients](repeating: LeafGradients(), count: 2)
            var unrecorded = [Bool](repeating: false, count: 2)
            gathered.withUnsafeMutableBufferPointer { out in
                unrecorded.withUnsafeMutableBufferPointer { flags in
                    let slots = UncheckedSendable((out, flags))
                    Parallel.forEach(2) { i in
                        var l = loss(inputs[i])
                        for _ in 0..<50 { l = l + withNoGrad { loss(inputs[i]) }.scaled(by: 0) }  // other thread's no-grad sections
                        slots.value.1[i] = withNoGrad { !loss(inputs[i]).requiresGrad }
                        slots.value.0[i] = l.backwardCollectingLeafGradients()
                    }
                }
            }
            XCTAssertEqual(unrecorded, [true, true], "withNoGrad holds on its own thread")
            for g in gathered { g.addToLeaves() }
            assertClose(w.grad!.doubles, expected, rtol: 1e-13, atol: 1e-14, "dw")
            w.zeroGrad()
        }
    }

    /// A parallel region started inside another one runs on the calling thread.
    func testNestedRegionsStayOnTheirThread() {
        let saved = Parallel.threads
        Parallel.threads = 2
        defer { Parallel.threads = saved }
        var sameThread = [Bool](repeating: false, count: 2)
        sameThread.withUnsafeMutableBufferPointer { out in
            let flags = UncheckedSendable(out)
            Parallel.forEach(2) { i in
                let outer = pthread_self()
                var all = true
                Parallel.forEach(4) { _ in if pthread_equal(pthread_self(), outer) == 0 { all = false } }
                flags.value[i] = all
            }
        }
        XCTAssertEqual(sameThread, [true, true])
    }
}
