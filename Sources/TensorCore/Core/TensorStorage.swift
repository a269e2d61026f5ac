import Foundation

/// A contiguous, 64-byte aligned buffer shared by a tensor and its views.
///
/// Buffers come from `BufferPool`: a training step allocates the same sizes every
/// step, so after the first step no memory is requested from the system (and large
/// buffers are not re-faulted from fresh `mmap`s).
final class TensorStorage: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
    let byteCount: Int

    /// Uninitialised storage of `byteCount` bytes.
    init(byteCount: Int) {
        self.byteCount = byteCount
        self.raw = BufferPool.shared.take(byteCount: byteCount)
    }

    /// Zero-filled storage.
    convenience init(zeroedByteCount byteCount: Int) {
        self.init(byteCount: byteCount)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
    }

    deinit { BufferPool.shared.give(raw, byteCount: byteCount) }
}

/// Free lists of buffers by size class, shared by all threads.
///
/// Sizes are rounded up to one of eight classes per power of two (at most 1/8 unused), so
/// that steps whose shapes vary a little (a batch padded to its longest document, answers
/// of different lengths) still reuse buffers instead of faulting in fresh pages.
public final class BufferPool: @unchecked Sendable {
    public static let shared = BufferPool()

    /// Idle buffers by size-class index (`classIndex`): a plain array, so a take or give is
    /// an in-place pop or push under the lock, with no hashing and no array copy.
    private var free = [[UnsafeMutableRawPointer]](repeating: [], count: BufferPool.classCount)
    private var pooledBytes = 0
    private let lock = NSLock()
    /// Above this many idle bytes, returned buffers are released to the system.
    public var capacityBytes = 1 << 30

    /// The size class of a request: a multiple of 64 bytes up to 4 KiB, then the next
    /// multiple of 1/8 of its power of two.
    public static func sizeClass(_ byteCount: Int) -> Int {
        let size = max(byteCount, 1)
        let step = size <= 4096 ? 64 : 1 << (Int.bitWidth - size.leadingZeroBitCount - 4)
        return (size + step - 1) / step * step
    }

    /// 64 classes up to 4 KiB, then eight per power of two up to 2^63.
    public static let classCount = 64 + 8 * (Int.bitWidth - 1 - 12 + 1)

    /// The slot of a size class in `free`.
    public static func classIndex(_ sizeClass: Int) -> Int {
        if sizeClass <= 4096 { return sizeClass / 64 - 1 }
        let octave = Int.bitWidth - 1 - sizeClass.leadingZeroBitCount  // ≥ 12
        let eighth = sizeClass >> (octave - 3)  // 8..<16: the class is a multiple of 2^(octave−3)
        return 64 + (octave - 12) * 8 + (eighth - 8)
    }

    func take(byteCount: Int) -> UnsafeMutableRawPointer {
        let size = Self.sizeClass(byteCount), slot = Self.classIndex(size)
        lock.lock()
        if let p = free[slot].popLast() {
            pooledBytes -= size
            lock.unlock()
            return p
        }
        lock.unlock()
        return UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
    }

    func give(_ p: UnsafeMutableRawPointer, byteCount: Int) {
        let size = Self.sizeClass(byteCount), slot = Self.classIndex(size)
        lock.lock()
        if pooledBytes + size <= capacityBytes {
            free[slot].append(p)
            pooledBytes += size
            lock.unlock()
        } else {
            lock.unlock()
            p.deallocate()
        }
    }

    /// Releases every idle buffer to the system.
    public func drain() {
        lock.lock()
        let lists = free
        free = [[UnsafeMutableRawPointer]](repeating: [], count: Self.classCount)
        pooledBytes = 0
        lock.unlock()
        for list in lists { for p in list { p.deallocate() } }
    }

    /// Bytes currently held idle in the pool.
    public var idleBytes: Int { lock.lock(); defer { lock.unlock() }; return pooledBytes }
}
