import CJPEG

/// libjpeg behind ImageCodec: every call runs one setjmp-protected C session (Sources/CJPEG/shim.h)
/// and turns its status into a DataError naming `name`.
enum JPEGCoding {
    /// Declared and scaled sizes of a JPEG, read from its header only.
    struct Header {
        var imageWidth: Int, imageHeight: Int
        var channels: Int
    }

    static func header(_ bytes: [UInt8], name: String, maxPixels: Int) throws -> Header {
        var result = mpvqa_jpeg_result()
        bytes.withUnsafeBufferPointer { data in
            mpvqa_jpeg_decode(data.baseAddress, data.count, Int64(maxPixels), 1, nil, 0, &result)
        }
        try check(result, name: name, size: bytes.count)
        return Header(imageWidth: Int(result.image_width), imageHeight: Int(result.image_height),
                      channels: Int(result.channels))
    }

    /// Decodes a whole JPEG at 1/`scaleDenominator` of its size (1, 2, 4 or 8; libjpeg's DCT
    /// scaling: each 8×8 block is inverse-transformed straight to 8/d × 8/d pixels).
    static func decode(_ bytes: [UInt8], name: String, maxPixels: Int, scaleDenominator: Int = 1) throws -> Image {
        var header = mpvqa_jpeg_result()
        bytes.withUnsafeBufferPointer { data in
            mpvqa_jpeg_decode(data.baseAddress, data.count, Int64(maxPixels), Int32(scaleDenominator), nil, 0, &header)
        }
        try check(header, name: name, size: bytes.count)
        let width = Int(header.width), height = Int(header.height), channels = Int(header.channels)
        let count = width * height * channels
        var result = mpvqa_jpeg_result()
        let pixels = try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            bytes.withUnsafeBufferPointer { data in
                mpvqa_jpeg_decode(data.baseAddress, data.count, Int64(maxPixels), Int32(scaleDenominator),
                                  buffer.baseAddress, count, &result)
            }
            try check(result, name: name, size: bytes.count)
            initialized = count
        }
        return Image(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// Encodes a gray or RGB image as a baseline JPEG (4:2:0 chroma subsampling for RGB).
    static func encode(_ image: Image, quality: Int) throws -> [UInt8] {
        var result = mpvqa_jpeg_result()
        defer { mpvqa_jpeg_free_encoded(&result) }
        guard image.width > 0, image.height > 0, image.width <= 65500, image.height <= 65500 else {
            throw DataError(file: "(JPEG encoder)", "cannot encode an image of size \(image.width)x\(image.height) (JPEG allows 1...65500 per side)")
        }
        image.pixels.withUnsafeBufferPointer { pixels in
            mpvqa_jpeg_encode(pixels.baseAddress, UInt32(image.width), UInt32(image.height), Int32(image.channels),
                              Int32(min(100, max(1, quality))), &result)
        }
        if result.status != Int32(MPVQA_JPEG_OK) {
            throw DataError(file: "(JPEG encoder)", "libjpeg failed: \(stringFromCCharTuple(result.message))")
        }
        return [UInt8](UnsafeBufferPointer(start: result.encoded, count: Int(result.encoded_size)))
    }

    private static func check(_ result: mpvqa_jpeg_result, name: String, size: Int) throws {
        let message = stringFromCCharTuple(result.message)
        switch Int(result.status) {
        case MPVQA_JPEG_OK: return
        case MPVQA_JPEG_TRUNCATED:
            throw DataError(file: name, "truncated JPEG: \(message) (the file has only \(size) bytes)")
        case MPVQA_JPEG_TOO_LARGE:
            throw DataError(file: name, "JPEG \(message); refusing to decode it (raise maxPixels if it is genuine)")
        case MPVQA_JPEG_CMYK:
            throw DataError(file: name, message)
        default:
            throw DataError(file: name, "corrupt or unsupported JPEG (\(size) bytes): libjpeg says \"\(message)\"")
        }
    }
}
