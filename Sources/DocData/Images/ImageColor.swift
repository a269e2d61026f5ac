/// Conversions between gray and RGB.
extension Image {
    /// The image as 1-channel gray. RGB uses ITU-R 601 luma in 16-bit fixed point,
    /// `L = (19595·R + 38470·G + 7471·B + 32768) >> 16` (the same integers Pillow's
    /// `convert("L")` uses); a gray image is returned unchanged.
    public func grayscale() -> Image {
        if channels == 1 { return self }
        let n = width * height
        let out = [UInt8](unsafeUninitializedCapacity: n) { dst, initialized in
            pixels.withUnsafeBufferPointer { src in
                for i in 0..<n {
                    let r = UInt32(src[3 * i]), g = UInt32(src[3 * i + 1]), b = UInt32(src[3 * i + 2])
                    dst[i] = UInt8((19595 * r + 38470 * g + 7471 * b + 32768) >> 16)
                }
            }
            initialized = n
        }
        return Image(width: width, height: height, channels: 1, pixels: out)
    }

    /// The image as 3-channel RGB (gray replicated into R, G and B); RGB is returned unchanged.
    public func rgb() -> Image {
        if channels == 3 { return self }
        let n = width * height
        let out = [UInt8](unsafeUninitializedCapacity: 3 * n) { dst, initialized in
            pixels.withUnsafeBufferPointer { src in
                for i in 0..<n {
                    let v = src[i]
                    dst[3 * i] = v; dst[3 * i + 1] = v; dst[3 * i + 2] = v
                }
            }
            initialized = 3 * n
        }
        return Image(width: width, height: height, channels: 3, pixels: out)
    }
}
