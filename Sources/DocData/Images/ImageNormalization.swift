/// Model input from pixels.
extension Image {
    /// The pixels as floats for a model, **channel-planar** (`[C, H, W]`, as PyTorch's
    /// `ToTensor` + `Normalize`): `out[(c·H + y)·W + x] = (p / 255 − mean[c]) / std[c]`,
    /// computed in Double and rounded once to Float.
    /// `mean` and `std` have one entry per channel, or a single entry used for all channels.
    ///
    /// ```swift
    /// let x = page.rgb().resized(width: 224, height: 224)
    ///     .normalized(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])   // [3, 224, 224]
    /// ```
    public func normalized(mean: [Float], std: [Float]) -> [Float] {
        precondition(mean.count == channels || mean.count == 1,
                     "normalized: \(mean.count) means for \(channels) channels (expected \(channels) or 1)")
        precondition(std.count == channels || std.count == 1,
                     "normalized: \(std.count) stds for \(channels) channels (expected \(channels) or 1)")
        precondition(std.allSatisfy { $0 != 0 }, "normalized: std must be non-zero, got \(std)")
        // One 256-entry table per channel: the hot loop is a lookup per sample.
        var table = [Float](repeating: 0, count: 256 * channels)
        for c in 0..<channels {
            let m = Double(mean[mean.count == 1 ? 0 : c]), s = Double(std[std.count == 1 ? 0 : c])
            for p in 0..<256 { table[c * 256 + p] = Float((Double(p) / 255 - m) / s) }
        }
        let plane = width * height, c = channels
        return [Float](unsafeUninitializedCapacity: plane * c) { out, initialized in
            pixels.withUnsafeBufferPointer { src in
            table.withUnsafeBufferPointer { lut in
                for ch in 0..<c {
                    let t = lut.baseAddress! + ch * 256, dst = out.baseAddress! + ch * plane
                    for i in 0..<plane { dst[i] = t[Int(src[i * c + ch])] }
                }
            }}
            initialized = plane * c
        }
    }
}
