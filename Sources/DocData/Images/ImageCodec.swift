import Foundation

/// Decodes PNG and JPEG files into 8-bit `Image`s (libpng, libjpeg-turbo) and encodes them back.
///
/// Decoded pixels (what every caller can rely on, checked against Pillow in the tests):
/// - PNG gray of 1, 2, 4, 8 or 16 bits → 1 channel; 1/2/4-bit values scaled to 0…255
///   (`v · 255 / (2^bits − 1)`, i.e. ×255, ×85, ×17).
/// - PNG RGB and palette → 3 channels (palette entries looked up in PLTE).
/// - 16-bit samples → their high byte (`v >> 8`).
/// - Alpha (RGBA, gray+alpha, palette or colour-key `tRNS`) → composited on white and dropped:
///   `c' = (c·a + 255·(255 − a) + 127) / 255` (integer division), after the 16 → 8 bit step.
/// - Adam7-interlaced PNGs decode to the same pixels as non-interlaced ones.
/// - Gamma, colour profiles and `bKGD` are ignored: pixels are taken as stored.
/// - JPEG (baseline, progressive; libjpeg's accurate integer IDCT and fancy upsampling) →
///   3 channels for YCbCr/RGB, 1 for grayscale. CMYK/YCCK JPEGs are refused.
///
/// The format comes from the file's magic bytes. A name ending in `.png` or `.jpg`/`.jpeg`
/// must hold that format (anything else is reported with what the bytes look like); other
/// names are decoded as whatever they hold. A declared size beyond `maxPixels` is refused
/// before any pixel memory is allocated. Every failure is a `DataError` naming the file.
///
/// ```swift
/// let page = try ImageCodec.decode(contentsOf: root.appendingPathComponent("images/ffbf0023_4.jpg"))
/// let thumb = try ImageCodec.decodeResized(contentsOf: url, width: 224, height: 288)
/// try AtomicFile.write(Data(ImageCodec.encodePNG(thumb)), to: out)
/// ```
public enum ImageCodec {
    /// Default limit on declared `width · height`: 20 000 × 20 000 pixels.
    public static let defaultMaxPixels = 20_000 * 20_000

    /// Reads and decodes the PNG or JPEG at `url`; errors name `url.path`.
    public static func decode(contentsOf url: URL, maxPixels: Int = defaultMaxPixels) throws -> Image {
        try decode(bytes: readFile(url), name: url.path, maxPixels: maxPixels)
    }

    /// Decodes PNG or JPEG `bytes`; `name` (a file name or path) is used for the format check
    /// by extension and in errors.
    public static func decode(bytes: [UInt8], name: String, maxPixels: Int = defaultMaxPixels) throws -> Image {
        switch try format(of: bytes, name: name) {
        case .png: return try PNGCoding.decode(bytes, name: name, maxPixels: maxPixels)
        case .jpeg: return try JPEGCoding.decode(bytes, name: name, maxPixels: maxPixels)
        }
    }

    /// Reads, decodes and area-averages the image at `url` to exactly `width`×`height`.
    /// See `decodeResized(bytes:name:width:height:maxPixels:jpegDCTScaling:)`.
    public static func decodeResized(contentsOf url: URL, width: Int, height: Int,
                                     maxPixels: Int = defaultMaxPixels, jpegDCTScaling: Bool = true) throws -> Image {
        try decodeResized(bytes: readFile(url), name: url.path, width: width, height: height,
                          maxPixels: maxPixels, jpegDCTScaling: jpegDCTScaling)
    }

    /// Decodes `bytes` and area-averages them to exactly `width`×`height` (`Image.resized`).
    ///
    /// With `jpegDCTScaling`, a JPEG at least 4× the target in both directions is decoded at
    /// 1/2, 1/4 or 1/8 of its size by libjpeg's DCT scaling, the smallest that stays ≥ 2× the
    /// target, and then area-averaged: 1.2–1.5× less CPU for a 1000×1300 page → 224×224,
    /// with pixels a few levels (mean ≈ 2–4 on text) from `decode(...).resized(...)`.
    /// Without it, and for PNGs, the result is exactly `decode(...).resized(...)`.
    public static func decodeResized(bytes: [UInt8], name: String, width: Int, height: Int,
                                     maxPixels: Int = defaultMaxPixels, jpegDCTScaling: Bool = true) throws -> Image {
        precondition(width > 0 && height > 0, "decodeResized: target size must be positive, got \(width)x\(height)")
        let image: Image
        switch try format(of: bytes, name: name) {
        case .png:
            image = try PNGCoding.decode(bytes, name: name, maxPixels: maxPixels)
        case .jpeg:
            let header = try JPEGCoding.header(bytes, name: name, maxPixels: maxPixels)
            let denominator = !jpegDCTScaling ? 1 : dctScaleDenominator(
                imageWidth: header.imageWidth, imageHeight: header.imageHeight, targetWidth: width, targetHeight: height)
            image = try JPEGCoding.decode(bytes, name: name, maxPixels: maxPixels, scaleDenominator: denominator)
        }
        return image.width == width && image.height == height ? image : image.resized(width: width, height: height)
    }

    /// Encodes a gray or RGB image as an 8-bit, non-interlaced PNG (zlib level 0…9; 6 is
    /// zlib's default balance, 1 is several times faster for large pages).
    public static func encodePNG(_ image: Image, compressionLevel: Int = 6) throws -> [UInt8] {
        try PNGCoding.encode(image, compressionLevel: compressionLevel)
    }

    /// Encodes a gray or RGB image as a baseline JPEG at `quality` (1…100; RGB uses 4:2:0
    /// chroma subsampling).
    public static func encodeJPEG(_ image: Image, quality: Int = 90) throws -> [UInt8] {
        try JPEGCoding.encode(image, quality: quality)
    }

    /// The largest libjpeg DCT scale 1/d (d ∈ {1, 2, 4, 8}) whose output, ⌈size/d⌉, is still
    /// at least twice the target in both directions. (Scaling right down to the target is
    /// barely faster, as entropy decoding then dominates, but a reduced IDCT keeps only the
    /// lowest frequencies of each block, which on text differs from area averaging by ~15
    /// levels on average; with the 2× margin the final area averaging does the smoothing.)
    static func dctScaleDenominator(imageWidth: Int, imageHeight: Int, targetWidth: Int, targetHeight: Int) -> Int {
        for d in [8, 4, 2] where (imageWidth + d - 1) / d >= 2 * targetWidth && (imageHeight + d - 1) / d >= 2 * targetHeight {
            return d
        }
        return 1
    }

    /// The format of `bytes`, checked against the one `name`'s extension promises.
    private static func format(of bytes: [UInt8], name: String) throws -> ImageFileSniffer.Format {
        let sniffed = ImageFileSniffer.format(of: bytes)
        if let promised = ImageFileSniffer.format(ofName: name) {
            guard sniffed == promised else {
                throw DataError(file: name, "expected a \(promised.rawValue) image (by its extension), but the bytes look like \(ImageFileSniffer.describe(bytes))")
            }
            return promised
        }
        guard let sniffed else {
            throw DataError(file: name, "expected a PNG or JPEG image, but the bytes look like \(ImageFileSniffer.describe(bytes))")
        }
        return sniffed
    }

    /// The bytes of the file at `url`, with errors a user can act on.
    static func readFile(_ url: URL) throws -> [UInt8] {
        let path = url.path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw DataError(file: path, "image file not found (expected a PNG or JPEG file here)") }
            throw DataError(file: path, "cannot open the image file: \(String(cString: strerror(code)))")
        }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            throw DataError(file: path, "cannot stat the image file: \(String(cString: strerror(errno)))")
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw DataError(file: path, "expected an image file, found a directory or special file")
        }
        let size = Int(status.st_size)
        var readError: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var done = 0
            while done < size {
                let n = read(fd, buffer.baseAddress! + done, size - done)
                if n < 0 { if errno == EINTR { continue }; readError = errno; break }
                if n == 0 { break } // file shrank while reading
                done += n
            }
            initialized = done
        }
        if readError != 0 {
            throw DataError(file: path, "cannot read the image file: \(String(cString: strerror(readError)))")
        }
        return bytes
    }
}
