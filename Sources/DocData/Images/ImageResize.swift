/// Area-averaging resize (a box filter with fractional coverage).
///
/// Output pixel `(x, y)` of a `w`×`h` result covers the source rectangle
/// `[x·W/w, (x+1)·W/w) × [y·H/h, (y+1)·H/h)` of the `W`×`H` source and is the mean of the
/// source pixels weighted by the area of their overlap with it. The sums are exact integers:
/// in units of 1/w source pixels, source column `i` spans `[i·w, (i+1)·w)` and output column
/// `x` spans `[x·W, (x+1)·W)`, so every overlap is an integer, the weights of one output
/// column sum to `W` (rows likewise to `H`), and the result is the exact rational mean
/// rounded half up: `(Σ wx·wy·p + ⌊W·H/2⌋) / (W·H)`. Works for shrinking and enlarging.
///
/// Two kernels compute the same integers: the fast one sums source rows first (a contiguous,
/// vectorisable Int32 multiply-add over whole rows), then columns on only `h` rows; the plain
/// one (columns first, Int64 throughout) serves images taller than 8 421 504 rows, where the
/// Int32 row sums (≤ 255·H) could overflow.
extension Image {
    /// The image area-averaged to `width`×`height` (see the extension's doc comment).
    /// `self: [H, W, C]` → `[height, width, C]`.
    ///
    /// ```swift
    /// let small = page.resized(width: 224, height: 288)
    /// ```
    public func resized(width targetWidth: Int, height targetHeight: Int) -> Image {
        precondition(targetWidth > 0 && targetHeight > 0, "resized: target size must be positive, got \(targetWidth)x\(targetHeight)")
        precondition(width > 0 && height > 0, "resized: cannot resize an empty \(width)x\(height) image")
        if targetWidth == width && targetHeight == height { return self }
        let columns = AreaWeights(source: width, target: targetWidth)
        let rows = AreaWeights(source: height, target: targetHeight)
        let count = targetWidth * targetHeight * channels
        let out = [UInt8](unsafeUninitializedCapacity: count) { output, initialized in
            pixels.withUnsafeBufferPointer { src in
                if 255 * height <= Int(Int32.max) && targetHeight <= Int(Int32.max) {
                    resizeRowsFirst(src.baseAddress!, into: output.baseAddress!, columns: columns, rows: rows)
                } else {
                    resizeColumnsFirst(src.baseAddress!, into: output.baseAddress!, columns: columns, rows: rows)
                }
            }
            initialized = count
        }
        return Image(width: targetWidth, height: targetHeight, channels: channels, pixels: out)
    }

    /// Fast kernel. Per output row y: `rowSum[W·C] = Σ_t wy_t · src[row_t]` (Int32), then
    /// per output column x: `Σ_t wx_t · rowSum[col_t]` (Int64) → rounded mean.
    private func resizeRowsFirst(_ src: UnsafePointer<UInt8>, into dst: UnsafeMutablePointer<UInt8>,
                                 columns: AreaWeights, rows: AreaWeights) {
        let c = channels, sourceRow = width * c, outputRow = columns.target * c
        let rounding = MeanRounding(divisor: Int64(width) * Int64(height))
        let rowSum = UnsafeMutablePointer<Int32>.allocate(capacity: sourceRow)  // [W·C]
        defer { rowSum.deallocate() }
        columns.withPointers { xStart, xCount, xOffset, xWeight in
        rows.withPointers { yStart, yCount, yOffset, yWeight in
            for y in 0..<rows.target {
                // Σ over the source rows this output row covers; 255·H fits Int32 (checked by the caller).
                let w0 = Int32(yWeight[yOffset[y]]), r0 = src + yStart[y] * sourceRow
                for k in 0..<sourceRow { rowSum[k] = w0 &* Int32(r0[k]) }
                for t in 1..<max(1, yCount[y]) {
                    let wy = Int32(yWeight[yOffset[y] + t]), r = src + (yStart[y] + t) * sourceRow
                    for k in 0..<sourceRow { rowSum[k] &+= wy &* Int32(r[k]) }
                }
                let o = dst + y * outputRow
                switch c {
                case 1:
                    for x in 0..<columns.target {
                        let p = rowSum + xStart[x], w = xWeight + xOffset[x]
                        var s: Int64 = 0
                        for t in 0..<xCount[x] { s &+= w[t] &* Int64(p[t]) }
                        o[x] = rounding.mean(s)
                    }
                case 3:
                    for x in 0..<columns.target {
                        let p = rowSum + 3 * xStart[x], w = xWeight + xOffset[x]
                        var r: Int64 = 0, g: Int64 = 0, b: Int64 = 0
                        for t in 0..<xCount[x] {
                            let wt = w[t], q = p + 3 * t
                            r &+= wt &* Int64(q[0]); g &+= wt &* Int64(q[1]); b &+= wt &* Int64(q[2])
                        }
                        o[3 * x] = rounding.mean(r); o[3 * x + 1] = rounding.mean(g); o[3 * x + 2] = rounding.mean(b)
                    }
                default:
                    for x in 0..<columns.target {
                        let p = rowSum + c * xStart[x], w = xWeight + xOffset[x]
                        for ch in 0..<c {
                            var s: Int64 = 0
                            for t in 0..<xCount[x] { s &+= w[t] &* Int64(p[c * t + ch]) }
                            o[c * x + ch] = rounding.mean(s)
                        }
                    }
                }
            }
        }}
    }

    /// Plain kernel (any height). Per output row y and each source row t it covers: that row
    /// resized in x, `Σ_i wx_i · src[t][i]`, accumulated with weight wy_t in Int64.
    private func resizeColumnsFirst(_ src: UnsafePointer<UInt8>, into dst: UnsafeMutablePointer<UInt8>,
                                    columns: AreaWeights, rows: AreaWeights) {
        let c = channels, outputRow = columns.target * c
        let divisor = Int64(width) * Int64(height)
        let resizedRow = UnsafeMutablePointer<Int64>.allocate(capacity: outputRow)  // [w·C]
        let accumulated = UnsafeMutablePointer<Int64>.allocate(capacity: outputRow) // [w·C]
        defer { resizedRow.deallocate(); accumulated.deallocate() }
        columns.withPointers { xStart, xCount, xOffset, xWeight in
        rows.withPointers { yStart, yCount, yOffset, yWeight in
            for y in 0..<rows.target {
                accumulated.update(repeating: 0, count: outputRow)
                for t in 0..<yCount[y] {
                    let r = src + (yStart[y] + t) * width * c
                    for x in 0..<columns.target {
                        let w = xWeight + xOffset[x]
                        for ch in 0..<c {
                            var s: Int64 = 0
                            for i in 0..<xCount[x] { s += w[i] * Int64(r[(xStart[x] + i) * c + ch]) }
                            resizedRow[x * c + ch] = s
                        }
                    }
                    let wy = yWeight[yOffset[y] + t]
                    for k in 0..<outputRow { accumulated[k] += wy * resizedRow[k] }
                }
                let o = dst + y * outputRow
                for k in 0..<outputRow { o[k] = UInt8((accumulated[k] + divisor / 2) / divisor) }
            }
        }}
    }
}

/// `(s + ⌊D/2⌋) / D` (integer division) for `0 ≤ s ≤ 255·D`. For D < 2⁴² it multiplies by a
/// reciprocal instead of dividing: `(s + ⌊D/2⌋ + ½) / D` is never within ½/D of an integer and
/// the Double product is off by < 2⁻⁵² · 512, so the floor is the exact quotient.
struct MeanRounding {
    let divisor: Int64, half: Int64
    let reciprocal: Double
    let useReciprocal: Bool

    init(divisor: Int64) {
        self.divisor = divisor
        half = divisor / 2
        reciprocal = 1 / Double(divisor)
        useReciprocal = divisor < (1 << 42)
    }

    @inline(__always)
    func mean(_ s: Int64) -> UInt8 {
        useReciprocal ? UInt8(truncatingIfNeeded: Int64((Double(s + half) + 0.5) * reciprocal))
                      : UInt8(truncatingIfNeeded: (s + half) / divisor)
    }
}

/// For each of `target` output cells along one axis: the first source cell it overlaps,
/// how many it overlaps, and the integer overlap lengths (in units of 1/target source cells;
/// they sum to `source` per output cell).
struct AreaWeights {
    let source: Int, target: Int
    var start: [Int]
    var count: [Int]
    var offset: [Int]
    var weight: [Int64]

    init(source: Int, target: Int) {
        self.source = source
        self.target = target
        start = []; count = []; offset = []; weight = []
        start.reserveCapacity(target); count.reserveCapacity(target); offset.reserveCapacity(target)
        weight.reserveCapacity(target * (source / target + 2))
        for x in 0..<target {
            let lo = x * source, hi = (x + 1) * source          // output cell, in 1/target units
            let first = lo / target, last = (hi - 1) / target    // source cells it overlaps
            start.append(first)
            count.append(last - first + 1)
            offset.append(weight.count)
            for i in first...last {
                weight.append(Int64(min((i + 1) * target, hi) - max(i * target, lo)))
            }
        }
    }

    func withPointers<R>(_ body: (UnsafePointer<Int>, UnsafePointer<Int>, UnsafePointer<Int>, UnsafePointer<Int64>) -> R) -> R {
        start.withUnsafeBufferPointer { s in
        count.withUnsafeBufferPointer { n in
        offset.withUnsafeBufferPointer { o in
        weight.withUnsafeBufferPointer { w in
            body(s.baseAddress!, n.baseAddress!, o.baseAddress!, w.baseAddress!)
        }}}}
    }
}
