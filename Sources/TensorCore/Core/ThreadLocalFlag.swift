#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A per-thread boolean, false on every thread until that thread sets it (a pthread key:
/// one lookup per read, no allocation). Used for state that concurrent training shards must
/// not share: whether ops record gradients, whether a thread already runs inside a parallel
/// region.
final class ThreadLocalFlag: @unchecked Sendable {
    private var key = pthread_key_t()

    init() {
        let status = pthread_key_create(&key, nil)
        precondition(status == 0, "ThreadLocalFlag: pthread_key_create failed (\(status))")
    }

    /// This thread's value.
    var isSet: Bool {
        @inline(__always) get { pthread_getspecific(key) != nil }
    }

    /// Sets this thread's value; returns the previous one.
    @discardableResult
    func set(_ value: Bool) -> Bool {
        let previous = isSet
        pthread_setspecific(key, value ? UnsafeRawPointer(bitPattern: 1) : nil)
        return previous
    }
}
