import CPNG

/// libpng behind ImageCodec: every call runs one setjmp-protected C session (Sources/CPNG/shim.h)
/// and turns its status into a DataError naming `name`.
enum PNGCoding {
    /// Decodes a whole PNG (see ImageCodec for the pixel conversions).
    static func decode(_ bytes: [UInt8], name: String, maxPixels: Int) throws -> Image {
        var header = mpvqa_png_result()
        bytes.withUnsafeBufferPointer { data in
            mpvqa_png_decode(data.baseAddress, data.count, Int64(maxPixels), nil, 0, &header)
        }
        try check(header, name: name, size: bytes.count)
        let width = Int(header.width), height = Int(header.height), channels = Int(header.channels)
        let count = width * height * channels
        var result = mpvqa_png_result()
        let pixels = try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            bytes.withUnsafeBufferPointer { data in
                mpvqa_png_decode(data.baseAddress, data.count, Int64(maxPixels), buffer.baseAddress, count, &result)
            }
            try check(result, name: name, size: bytes.count)
            initialized = count
        }
        return Image(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// Encodes a gray or RGB image as an 8-bit, non-interlaced PNG.
    static func encode(_ image: Image, compressionLevel: Int) throws -> [UInt8] {
        var result = mpvqa_png_result()
        defer { mpvqa_png_free_encoded(&result) }
        guard image.width > 0, image.height > 0, image.width <= Int(UInt32.max), image.height <= Int(UInt32.max) else {
            throw DataError(file: "(PNG encoder)", "cannot encode an image of size \(image.width)x\(image.height)")
        }
        image.pixels.withUnsafeBufferPointer { pixels in
            mpvqa_png_encode(pixels.baseAddress, UInt32(image.width), UInt32(image.height), Int32(image.channels),
                             Int32(min(9, max(0, compressionLevel))), &result)
        }
        if result.status != Int32(MPVQA_PNG_OK) {
            throw DataError(file: "(PNG encoder)", "libpng failed: \(stringFromCCharTuple(result.message))")
        }
        return [UInt8](UnsafeBufferPointer(start: result.encoded, count: result.encoded_size))
    }

    private static func check(_ result: mpvqa_png_result, name: String, size: Int) throws {
        let message = stringFromCCharTuple(result.message)
        switch Int(result.status) {
        case MPVQA_PNG_OK: return
        case MPVQA_PNG_TRUNCATED:
            throw DataError(file: name, "truncated PNG: \(message)")
        case MPVQA_PNG_TOO_LARGE:
            throw DataError(file: name, "PNG \(message); refusing to decode it (raise maxPixels if it is genuine)")
        case MPVQA_PNG_NO_MEMORY:
            throw DataError(file: name, "out of memory decoding the PNG: \(message)")
        default:
            throw DataError(file: name, "corrupt or unsupported PNG (\(size) bytes): libpng says \"\(message)\"")
        }
    }
}
