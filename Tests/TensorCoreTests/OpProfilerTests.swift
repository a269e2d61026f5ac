import XCTest
import TensorCore

final class OpProfilerTests: XCTestCase {
    override func tearDown() {
        OpProfiler.disable()
        OpProfiler.reset()
    }

    func testCountsForwardOpsVJPsAndGemmFlops() {
        var rng = SeededRNG(seed: 4)
        let w = Tensor.randn([32, 16], rng: &rng).requiringGrad()
        let x = Tensor.randn([8, 32], rng: &rng)
        OpProfiler.enable()
        for _ in 0..<3 {
            OpProfiler.mark()
            let y = x.matmul(w)          // [8, 16]: 2·8·16·32 FLOPs
            let loss = (y * y).sumToShape([])
            loss.backward()              // dW = xᵀ·dY: 2·32·16·8 FLOPs (x needs no gradient)
            w.zeroGrad()
        }
        OpProfiler.disable()
        let profile = OpProfiler.snapshot()
        func calls(_ op: String, _ phase: OpProfile.Phase) -> Int {
            profile.entries.first { $0.op == op && $0.phase == phase }?.calls ?? 0
        }
        XCTAssertEqual(calls("matmul", .forward), 3)
        XCTAssertEqual(calls("matmul", .backward), 3)
        XCTAssertEqual(calls("(backward other)", .backward), 3)
        XCTAssertEqual(profile.gemmFlops, 3 * (2 * 8 * 16 * 32 + 2 * 32 * 16 * 8))
        XCTAssertTrue(profile.entries.allSatisfy { $0.seconds >= 0 })
        // Ops run inside VJPs are charged to the VJP, not counted as forward ops.
        let forwardCalls = profile.entries.filter { $0.phase == .forward }.reduce(0) { $0 + $1.calls }
        XCTAssertEqual(forwardCalls, 3 * 3, "matmul, mul and sumToShape per step: \(profile.entries.map(\.op))")
        XCTAssertEqual(calls("mul", .forward), 3)
        let table = profile.table(steps: 3)
        XCTAssertTrue(table.contains("matmul"), table)
        XCTAssertTrue(table.contains("GFLOP/step"), table)
    }

    func testNothingIsRecordedWhenDisabled() {
        OpProfiler.reset()
        var rng = SeededRNG(seed: 5)
        let w = Tensor.randn([4, 4], rng: &rng).requiringGrad()
        w.matmul(w).sumToShape([]).backward()
        let profile = OpProfiler.snapshot()
        XCTAssertTrue(profile.entries.isEmpty)
        XCTAssertEqual(profile.gemmFlops, 0)
    }

    func testTableIsSortedByTime() {
        OpProfiler.enable()
        var rng = SeededRNG(seed: 6)
        let a = Tensor.randn([200, 200], rng: &rng).requiringGrad()
        for _ in 0..<2 {
            OpProfiler.mark()
            a.matmul(a).sumToShape([]).backward()
        }
        OpProfiler.disable()
        let seconds = OpProfiler.snapshot().entries.map(\.seconds)
        XCTAssertEqual(seconds, seconds.sorted(by: >))
    }
}
