import XCTest
import TensorCore

/// The buffer pool's size classes each have their own free list.
final class BufferPoolTests: XCTestCase {
    /// Every request fits its class; classes grow with the request, at most 1/8 (or 64 bytes)
    /// above it; and distinct classes, in order, get distinct slots in order.
    func testSizeClassesHaveOrderedDistinctSlots() {
        var sizes = Array(1...10_000)
        var n = 10_000
        while n < 1 << 40 { sizes.append(n); sizes.append(n + 1); n = n * 9 / 8 + 7 }
        sizes += [(1 << 62) - 1, 1 << 62]
        var previous = (size: 0, slot: -1)
        for request in sizes {
            let size = BufferPool.sizeClass(request), slot = BufferPool.classIndex(size)
            XCTAssertGreaterThanOrEqual(size, request)
            XCTAssertLessThanOrEqual(size - request, max(63, request / 8), "request \(request)")
            XCTAssertTrue((0..<BufferPool.classCount).contains(slot), "slot \(slot) of class \(size)")
            XCTAssertEqual(BufferPool.sizeClass(size), size, "a class is its own class")
            if size == previous.size {
                XCTAssertEqual(slot, previous.slot)
            } else {
                XCTAssertGreaterThan(size, previous.size)
                XCTAssertGreaterThan(slot, previous.slot, "class \(size) after \(previous.size)")
            }
            previous = (size, slot)
        }
    }
}
