import Foundation
import TensorCore
import Training
import XCTest

/// `InOrderPipeline`, which lets `mpvqa cache` encode batches on every core and append them in
/// split order: order, the production window and errors, with items of uneven cost.
final class InOrderPipelineTests: XCTestCase {
    /// Records what the pipeline did, from any thread.
    final class Log: @unchecked Sendable {
        let lock = NSLock()
        var consumed: [Int] = []
        var produced = Set<Int>()
        var largestLead = 0
        var producers = Set<String>()

        func produced(_ i: Int) {
            lock.lock(); defer { lock.unlock() }
            produced.insert(i)
            largestLead = max(largestLead, i - consumed.count)
            producers.insert("\(pthread_self())")
        }
        func consumed(_ i: Int) { lock.lock(); consumed.append(i); lock.unlock() }
    }

    /// Uneven work: item 0 sleeps 30 ms (long enough for another worker to run far ahead of
    /// it if the window did not hold it back), item i > 0 sleeps (i % 3) ms.
    func work(_ i: Int) -> Int {
        usleep(useconds_t(i == 0 ? 30_000 : 1000 * (i % 3)))
        return i * i
    }

    func testConsumesEveryItemOnceInOrderWithinTheWindow() throws {
        let log = Log()
        try InOrderPipeline.run(count: 40, window: 3, workers: 2,
                                produce: { i in log.produced(i); return self.work(i) },
                                consume: { i, value in
            XCTAssertEqual(value, i * i, "item \(i) carries its own value")
            log.consumed(i)
        })
        XCTAssertEqual(log.consumed, Array(0..<40))
        XCTAssertEqual(log.produced, Set(0..<40))
        XCTAssertLessThan(log.largestLead, 3, "never more than `window` items ahead of the next one consumed")
    }

    func testUsesEveryWorker() throws {
        guard ProcessInfo.processInfo.activeProcessorCount > 1 else { throw XCTSkip("one core") }
        let log = Log()
        try InOrderPipeline.run(count: 16, window: 8, workers: 2,
                                produce: { i in log.produced(i); return self.work(i + 1) }, consume: { i, _ in log.consumed(i) })
        XCTAssertEqual(log.producers.count, 2)
    }

    struct Stop: Error, Equatable { let at: Int }

    func testTheFirstConsumerErrorStopsTheRunAndIsRethrown() {
        // The window would let every item be produced: only the error stops the taking.
        let log = Log()
        XCTAssertThrowsError(try InOrderPipeline.run(count: 200, window: 200, workers: 2,
                                                     produce: { i in log.produced(i); return self.work(i) },
                                                     consume: { i, _ in
            if i == 5 { throw Stop(at: i) }
            log.consumed(i)
        })) { XCTAssertEqual($0 as? Stop, Stop(at: 5)) }
        XCTAssertEqual(log.consumed, Array(0..<5), "nothing consumed after the failure")
        XCTAssertLessThan(log.produced.count, 200, "no new items taken once it failed")
    }

    func testNoItemsAndOneWorker() throws {
        try InOrderPipeline.run(count: 0, window: 1, produce: { $0 }, consume: { _, _ in XCTFail("nothing to consume") })
        let log = Log()
        try InOrderPipeline.run(count: 5, window: 1, workers: 1, produce: { $0 }, consume: { i, _ in log.consumed(i) })
        XCTAssertEqual(log.consumed, Array(0..<5))
    }
}
