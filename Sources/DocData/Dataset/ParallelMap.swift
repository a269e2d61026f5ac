import Foundation

/// Maps `0..<count` on up to `threads` threads, handing out indices one at a time (pages
/// differ a lot in cost, so a shared counter balances better than fixed chunks), and returns
/// the results in index order, so output does not depend on the thread count.
enum ParallelMap {
    static func map<T: Sendable>(_ count: Int, threads: Int, _ body: @Sendable (Int) -> T) -> [T] {
        let workers = max(1, min(threads, count))
        if workers == 1 { return (0..<count).map(body) }
        let state = SharedResults<T>(count: count)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let i = state.nextIndex() {
                state.store(body(i), at: i)
            }
        }
        return state.results()
    }
}

/// The work counter and result slots shared by the workers of `ParallelMap`.
private final class SharedResults<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private let count: Int
    private var slots: [T?]

    init(count: Int) {
        self.count = count
        slots = Array(repeating: nil, count: count)
    }

    func nextIndex() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < count else { return nil }
        next += 1
        return next - 1
    }

    func store(_ value: T, at i: Int) {
        lock.lock(); defer { lock.unlock() }
        slots[i] = value
    }

    func results() -> [T] { slots.map { $0! } }
}
