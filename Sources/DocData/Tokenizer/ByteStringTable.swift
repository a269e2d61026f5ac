/// An open-addressing hash set of byte strings stored in one flat buffer: entry `i` is the
/// `i`-th distinct string inserted. Lookups hash the bytes in place, so no key is allocated.
/// Used as the encoder's word cache and as the trainer's word counter.
struct ByteStringTable: Sendable {
    /// Number of distinct strings.
    private(set) var count = 0
    /// Entry index + 1 per slot (0 = empty); capacity is a power of two, at most half full.
    private var slots: [Int32]
    private var hashes: [UInt64] = []
    /// Entry `i` is `storage[starts[i]..<starts[i + 1]]`.
    private var starts: [Int] = [0]
    private var storage: [UInt8] = []

    init(capacity: Int = 1 << 12) {
        var c = 16
        while c < 2 * capacity { c <<= 1 }
        slots = [Int32](repeating: 0, count: c)
    }

    /// Total bytes of all entries.
    var byteCount: Int { storage.count }

    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        // FNV-1a, then a multiply-xorshift so that the low bits used for slots are well mixed.
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        return h ^ (h >> 32)
    }

    /// The entry equal to `bytes`, or nil.
    @inline(__always)
    func find(_ bytes: UnsafeBufferPointer<UInt8>, hash h: UInt64) -> Int? {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let e = Int(slots[slot]) - 1
            if e < 0 { return nil }
            if hashes[e] == h && equal(e, bytes) { return e }
            slot = (slot + 1) & mask
        }
    }

    /// The entry equal to `bytes`, inserting it if new; `inserted` tells which.
    @inline(__always)
    mutating func insert(_ bytes: UnsafeBufferPointer<UInt8>, hash h: UInt64) -> (index: Int, inserted: Bool) {
        if let e = find(bytes, hash: h) { return (e, false) }
        if 2 * (count + 1) > slots.count { grow() }
        let e = count
        hashes.append(h)
        storage.append(contentsOf: bytes)
        starts.append(storage.count)
        count += 1
        place(e, hash: h)
        return (e, true)
    }

    /// Bytes of entry `i`.
    func bytes(_ i: Int) -> ArraySlice<UInt8> { storage[starts[i]..<starts[i + 1]] }

    /// Empties the table, keeping its memory.
    mutating func removeAll() {
        for i in slots.indices { slots[i] = 0 }
        hashes.removeAll(keepingCapacity: true)
        storage.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
        starts.append(0)
        count = 0
    }

    @inline(__always)
    private func equal(_ e: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let s = starts[e], n = starts[e + 1] - s
        guard n == bytes.count else { return false }
        return storage.withUnsafeBufferPointer { st in
            for k in 0..<n where st[s + k] != bytes[k] { return false }
            return true
        }
    }

    private mutating func place(_ e: Int, hash h: UInt64) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(e + 1)
    }

    private mutating func grow() {
        slots = [Int32](repeating: 0, count: slots.count * 2)
        for e in 0..<count { place(e, hash: hashes[e]) }
    }
}
