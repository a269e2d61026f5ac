/// An 8-bit image in memory: gray (1 channel) or RGB (3 channels), row-major, channels
/// interleaved. `pixels: [height, width, channels]`, pixel `(x, y)` channel `c` at
/// `pixels[(y * width + x) * channels + c]`.
///
/// ```swift
/// let page = try ImageCodec.decode(contentsOf: url)          // any PNG/JPEG, see ImageCodec
/// let small = page.grayscale().resized(width: 224, height: 224)
/// let input = small.normalized(mean: [0.5], std: [0.5])       // [C, H, W] floats
/// ```
public struct Image: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// 1 for gray, 3 for RGB.
    public var channels: Int
    /// `[height, width, channels]`, row-major, interleaved.
    public var pixels: [UInt8]

    /// An image over `pixels` (`[height, width, channels]`, row-major, interleaved).
    /// Preconditions: `channels` is 1 or 3, sizes are non-negative and `pixels.count` matches.
    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(channels == 1 || channels == 3, "Image: channels must be 1 (gray) or 3 (RGB), got \(channels)")
        precondition(width >= 0 && height >= 0, "Image: negative size \(width)x\(height)")
        precondition(pixels.count == width * height * channels,
                     "Image: \(pixels.count) bytes for \(width)x\(height)x\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// A `width`×`height` image with every sample set to `value` (e.g. 255: a white page).
    public init(width: Int, height: Int, channels: Int, filledWith value: UInt8) {
        self.init(width: width, height: height, channels: channels,
                  pixels: [UInt8](repeating: value, count: width * height * channels))
    }

    /// The samples of pixel `(x, y)` (one for gray, three for RGB).
    public subscript(x: Int, y: Int) -> ArraySlice<UInt8> {
        let start = (y * width + x) * channels
        return pixels[start..<start + channels]
    }
}
