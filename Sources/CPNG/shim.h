// libpng wrapper for DocData's ImageCodec.
//
// libpng reports errors with longjmp, which must never cross a Swift frame. Every entry
// point below therefore runs a whole libpng session inside one C function protected by
// setjmp, and returns a status code plus a message in `mpvqa_png_result`.
//
// Decoded pixel convention (documented on ImageCodec):
//   gray (1/2/4/8/16 bit)        -> 1 channel, 1/2/4-bit values scaled to 0...255 (v * 255 / max)
//   RGB, palette                  -> 3 channels (palette expanded through PLTE)
//   16-bit samples                -> high byte (v >> 8)
//   alpha (RGBA, GA, tRNS)        -> composited on white: c' = (c*a + 255*(255-a) + 127) / 255
//   gAMA/sRGB/iCCP/bKGD chunks    -> ignored (pixels are taken as stored)
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    MPVQA_PNG_OK = 0,
    MPVQA_PNG_CORRUPT = 1,     // libpng rejected the data (message says why)
    MPVQA_PNG_TRUNCATED = 2,   // the data ended before the image was complete
    MPVQA_PNG_TOO_LARGE = 3,   // declared width*height beyond max_pixels (nothing allocated)
    MPVQA_PNG_NO_MEMORY = 4,
    MPVQA_PNG_BAD_ARGUMENT = 5 // caller error: buffer too small, bad channel count
};

typedef struct {
    int status;                // MPVQA_PNG_*
    unsigned int width;        // declared (= output) width
    unsigned int height;       // declared (= output) height
    int channels;              // output channels: 1 (gray) or 3 (RGB)
    int bit_depth;             // declared bit depth
    int color_type;            // declared PNG color type
    int interlaced;            // 1 when Adam7
    int has_alpha;             // 1 when alpha or tRNS was composited on white
    unsigned char *encoded;    // encoder output (malloc'd; free with mpvqa_png_free_encoded)
    size_t encoded_size;
    size_t encoded_capacity;
    char message[256];
} mpvqa_png_result;

typedef struct {
    const unsigned char *data;
    size_t size;
    size_t offset;
    mpvqa_png_result *result;
} mpvqa_png_reader;

static inline void mpvqa_png_error_fn(png_structp png, png_const_charp message) {
    mpvqa_png_result *result = (mpvqa_png_result *)png_get_error_ptr(png);
    if (result->status == MPVQA_PNG_OK) {
        result->status = MPVQA_PNG_CORRUPT;
        snprintf(result->message, sizeof result->message, "%s", message);
    }
    png_longjmp(png, 1);
}

// Warnings (unknown sRGB profiles, bad ancillary chunks) never stop decoding.
static inline void mpvqa_png_warning_fn(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

static inline void mpvqa_png_read_fn(png_structp png, png_bytep out, size_t length) {
    mpvqa_png_reader *reader = (mpvqa_png_reader *)png_get_io_ptr(png);
    if (length > reader->size - reader->offset) {
        reader->result->status = MPVQA_PNG_TRUNCATED;
        snprintf(reader->result->message, sizeof reader->result->message,
                 "the data ends after %zu bytes, before the image is complete", reader->size);
        png_error(png, "truncated");
    }
    memcpy(out, reader->data + reader->offset, length);
    reader->offset += length;
}

/// Reads the header of the PNG in `data[0..<size]`, and when `out` is not NULL decodes the
/// whole image into `out` (width * height * channels bytes, row-major, interleaved).
/// Refuses (MPVQA_PNG_TOO_LARGE) a declared width * height beyond `max_pixels` before
/// allocating anything for pixels.
static inline void mpvqa_png_decode(const unsigned char *data, size_t size, long long max_pixels,
                                    unsigned char *out, size_t out_capacity,
                                    mpvqa_png_result *result) {
    memset(result, 0, sizeof *result);
    if (size < 8 || png_sig_cmp((png_const_bytep)data, 0, 8) != 0) {
        result->status = MPVQA_PNG_CORRUPT;
        snprintf(result->message, sizeof result->message, "missing PNG signature");
        return;
    }
    mpvqa_png_reader reader = {data, size, 0, result};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, result,
                                             mpvqa_png_error_fn, mpvqa_png_warning_fn);
    if (png == NULL) {
        result->status = MPVQA_PNG_NO_MEMORY;
        snprintf(result->message, sizeof result->message, "libpng could not allocate its state");
        return;
    }
    png_infop info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_read_struct(&png, NULL, NULL);
        result->status = MPVQA_PNG_NO_MEMORY;
        snprintf(result->message, sizeof result->message, "libpng could not allocate its state");
        return;
    }
    // Written after setjmp and read after a longjmp, hence volatile.
    unsigned char *volatile composite = NULL;
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        free(composite);
        free(rows);
        png_destroy_read_struct(&png, &info, NULL);
        if (result->status == MPVQA_PNG_OK) result->status = MPVQA_PNG_CORRUPT;
        return;
    }
    png_set_read_fn(png, &reader, mpvqa_png_read_fn);
    png_set_user_limits(png, 0x7fffffff, 0x7fffffff); // the pixel-count limit below is ours
    png_read_info(png, info);

    png_uint_32 width = 0, height = 0;
    int bit_depth = 0, color_type = 0, interlace = 0;
    png_get_IHDR(png, info, &width, &height, &bit_depth, &color_type, &interlace, NULL, NULL);
    result->width = width;
    result->height = height;
    result->bit_depth = bit_depth;
    result->color_type = color_type;
    result->interlaced = interlace != PNG_INTERLACE_NONE;
    if ((long long)width * (long long)height > max_pixels) {
        png_destroy_read_struct(&png, &info, NULL);
        result->status = MPVQA_PNG_TOO_LARGE;
        snprintf(result->message, sizeof result->message,
                 "declared size %ux%u exceeds the limit of %lld pixels", width, height, max_pixels);
        return;
    }

    int gray = (color_type & PNG_COLOR_MASK_COLOR) == 0;
    int alpha = (color_type & PNG_COLOR_MASK_ALPHA) != 0;
    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (gray && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) {
        png_set_tRNS_to_alpha(png);
        alpha = 1;
    }
    if (bit_depth == 16) png_set_strip_16(png);
    (void)png_set_interlace_handling(png);
    png_read_update_info(png, info);

    int channels = gray ? 1 : 3;
    int decoded_channels = channels + alpha;
    result->channels = channels;
    result->has_alpha = alpha;
    if (png_get_channels(png, info) != decoded_channels || png_get_bit_depth(png, info) != 8 ||
        png_get_rowbytes(png, info) != (size_t)width * (size_t)decoded_channels) {
        png_destroy_read_struct(&png, &info, NULL);
        result->status = MPVQA_PNG_CORRUPT;
        snprintf(result->message, sizeof result->message,
                 "unexpected layout after conversion (color type %d, bit depth %d)", color_type, bit_depth);
        return;
    }
    if (out == NULL) { // header only
        png_destroy_read_struct(&png, &info, NULL);
        return;
    }
    size_t row_bytes = (size_t)width * (size_t)decoded_channels;
    if (out_capacity < (size_t)width * (size_t)height * (size_t)channels) {
        png_destroy_read_struct(&png, &info, NULL);
        result->status = MPVQA_PNG_BAD_ARGUMENT;
        snprintf(result->message, sizeof result->message, "output buffer too small");
        return;
    }
    // Interlaced images need every row addressable at once, so decode whole images
    // (into `out` directly, or into a gray+alpha / RGBA buffer composited afterwards).
    unsigned char *target = out;
    if (alpha) {
        composite = (unsigned char *)malloc(row_bytes * (size_t)height);
        if (composite == NULL) png_error(png, "out of memory for the alpha buffer");
        target = composite;
    }
    rows = (png_bytep *)malloc(sizeof(png_bytep) * (size_t)height);
    if (rows == NULL) png_error(png, "out of memory for row pointers");
    for (png_uint_32 y = 0; y < height; y++) rows[y] = target + (size_t)y * row_bytes;
    png_read_image(png, rows);

    if (alpha) {
        size_t n = (size_t)width * (size_t)height;
        const unsigned char *src = composite;
        unsigned char *dst = out;
        for (size_t i = 0; i < n; i++) {
            unsigned a = src[channels];
            for (int c = 0; c < channels; c++)
                dst[c] = (unsigned char)((src[c] * a + 255u * (255u - a) + 127u) / 255u);
            src += decoded_channels;
            dst += channels;
        }
    }
    free(composite);
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
}

static inline void mpvqa_png_write_fn(png_structp png, png_bytep data, size_t length) {
    mpvqa_png_result *result = (mpvqa_png_result *)png_get_io_ptr(png);
    if (length > result->encoded_capacity - result->encoded_size) {
        size_t capacity = result->encoded_capacity ? result->encoded_capacity : 65536;
        while (capacity - result->encoded_size < length) capacity *= 2;
        unsigned char *grown = (unsigned char *)realloc(result->encoded, capacity);
        if (grown == NULL) {
            result->status = MPVQA_PNG_NO_MEMORY;
            snprintf(result->message, sizeof result->message, "out of memory for the encoded PNG");
            png_error(png, "out of memory");
        }
        result->encoded = grown;
        result->encoded_capacity = capacity;
    }
    memcpy(result->encoded + result->encoded_size, data, length);
    result->encoded_size += length;
}

static inline void mpvqa_png_flush_fn(png_structp png) { (void)png; }

static inline void mpvqa_png_free_encoded(mpvqa_png_result *result) {
    free(result->encoded);
    result->encoded = NULL;
    result->encoded_size = 0;
    result->encoded_capacity = 0;
}

/// Encodes 8-bit gray (channels 1) or RGB (channels 3) pixels as a non-interlaced PNG with
/// zlib `compression_level` (0...9). On success `result->encoded[0..<encoded_size]` holds the
/// file; release it with mpvqa_png_free_encoded (also safe after a failure).
static inline void mpvqa_png_encode(const unsigned char *pixels, unsigned int width, unsigned int height,
                                    int channels, int compression_level, mpvqa_png_result *result) {
    memset(result, 0, sizeof *result);
    if ((channels != 1 && channels != 3) || width == 0 || height == 0) {
        result->status = MPVQA_PNG_BAD_ARGUMENT;
        snprintf(result->message, sizeof result->message, "cannot encode %ux%u with %d channels",
                 width, height, channels);
        return;
    }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, result,
                                              mpvqa_png_error_fn, mpvqa_png_warning_fn);
    if (png == NULL) {
        result->status = MPVQA_PNG_NO_MEMORY;
        snprintf(result->message, sizeof result->message, "libpng could not allocate its state");
        return;
    }
    png_infop info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_write_struct(&png, NULL);
        result->status = MPVQA_PNG_NO_MEMORY;
        snprintf(result->message, sizeof result->message, "libpng could not allocate its state");
        return;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        if (result->status == MPVQA_PNG_OK) result->status = MPVQA_PNG_CORRUPT;
        return;
    }
    png_set_write_fn(png, result, mpvqa_png_write_fn, mpvqa_png_flush_fn);
    png_set_compression_level(png, compression_level);
    png_set_IHDR(png, info, width, height, 8,
                 channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    size_t row_bytes = (size_t)width * (size_t)channels;
    for (unsigned int y = 0; y < height; y++)
        png_write_row(png, (png_const_bytep)(pixels + (size_t)y * row_bytes));
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
}
