/// Conversion between Float32 and IEEE binary16 bit patterns for float16 caches.
///
/// Decoding goes through a 65,536-entry table (256 KiB, built once): one load per element
/// and no per-element call into the runtime's soft-float helpers on CPUs without F16C.
/// Encoding rounds to nearest, ties to even, as numpy's `astype(np.float16)` does;
/// out-of-range values become ±infinity.
enum HalfPrecision {
    private static let decodeTable: [Float] = (0...UInt16.max).map { Float(Float16(bitPattern: $0)) }

    /// `destination[i] = Float(source[i] as binary16)` for `count` elements.
    static func decode(_ source: UnsafePointer<UInt16>, into destination: UnsafeMutablePointer<Float>, count: Int) {
        decodeTable.withUnsafeBufferPointer { table in
            let t = table.baseAddress!
            for i in 0..<count { destination[i] = t[Int(source[i])] }
        }
    }

    /// `destination[i] = binary16 bits of source[i]` (rounded to nearest even) for `count` elements.
    static func encode(_ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<UInt16>, count: Int) {
        for i in 0..<count { destination[i] = Float16(source[i]).bitPattern }
    }
}
