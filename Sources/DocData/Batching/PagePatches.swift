/// Image patches of one page, the hook for visual tokens: a `rows × cols` grid of patch
/// vectors of `dimension` values, produced by whoever loads the page image (usually
/// ``init(image:patchSize:mean:std:)`` on the page resized to `encoder.image_size`).
///
/// `values: [rows, cols, dimension]`, row-major.
public struct PagePatches: Sendable, Equatable {
    public var rows: Int
    public var cols: Int
    public var dimension: Int
    public var values: [Float]

    public init(rows: Int, cols: Int, dimension: Int, values: [Float]) {
        precondition(values.count == rows * cols * dimension,
                     "PagePatches: \(values.count) values for \(rows)×\(cols) patches of \(dimension)")
        self.rows = rows
        self.cols = cols
        self.dimension = dimension
        self.values = values
    }

    /// Cuts `image` into `patchSize × patchSize` patches (ViT style). Each patch vector is
    /// channel-planar `[C, patchSize, patchSize]` — the layout of a Conv2d patch-embedding
    /// weight — with samples normalised as ``Image/normalized(mean:std:)`` does.
    /// The image's sides must be multiples of `patchSize` (resize it first).
    ///
    /// ```swift
    /// let patches = PagePatches(image: page.grayscale().resized(width: 224, height: 288), patchSize: 16,
    ///                           mean: [0.5], std: [0.5])   // 18 × 14 patches of 256 values
    /// ```
    public init(image: Image, patchSize: Int, mean: [Float], std: [Float]) {
        precondition(patchSize > 0 && image.width % patchSize == 0 && image.height % patchSize == 0,
                     "PagePatches: a \(image.width)×\(image.height) image does not split into \(patchSize)-pixel patches")
        let planes = image.normalized(mean: mean, std: std)  // [C, H, W]
        let c = image.channels, w = image.width, h = image.height, s = patchSize
        let rows = h / s, cols = w / s, dimension = c * s * s
        var values = [Float](repeating: 0, count: rows * cols * dimension)
        planes.withUnsafeBufferPointer { src in
            values.withUnsafeMutableBufferPointer { dst in
                for r in 0..<rows {
                    for q in 0..<cols {
                        var k = (r * cols + q) * dimension
                        for ch in 0..<c {
                            for y in 0..<s {
                                let row = (ch * h + r * s + y) * w + q * s
                                for x in 0..<s {
                                    dst[k] = src[row + x]
                                    k += 1
                                }
                            }
                        }
                    }
                }
            }
        }
        self.init(rows: rows, cols: cols, dimension: dimension, values: values)
    }
}
