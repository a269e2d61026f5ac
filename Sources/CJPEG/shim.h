// libjpeg (libjpeg-turbo) wrapper for DocData's ImageCodec.
//
// libjpeg reports fatal errors through error_exit, which by default calls exit(). Every entry
// point below runs one whole libjpeg session inside a C function protected by setjmp, with an
// error manager that longjmps back there, and returns a status code plus a message in
// `mpvqa_jpeg_result`. No longjmp ever crosses a Swift frame.
//
// Decoded pixel convention (documented on ImageCodec): grayscale JPEGs -> 1 channel, YCbCr/RGB
// -> 3 channels (libjpeg's colour conversion, accurate integer IDCT, fancy upsampling, as
// Pillow decodes them); CMYK/YCCK -> MPVQA_JPEG_CMYK. A premature end of data, which libjpeg
// only warns about (and pads with gray), is an error here: MPVQA_JPEG_TRUNCATED.

// jpeglib.h needs stdio.h (FILE) and stddef.h (size_t) first.
#include <stdio.h>
#include <stddef.h>
#include <jpeglib.h>
#include <jerror.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

enum {
    MPVQA_JPEG_OK = 0,
    MPVQA_JPEG_CORRUPT = 1,     // libjpeg rejected the data (message says why)
    MPVQA_JPEG_TRUNCATED = 2,   // the data ended before the image was complete
    MPVQA_JPEG_TOO_LARGE = 3,   // declared width*height beyond max_pixels (nothing allocated)
    MPVQA_JPEG_CMYK = 4,        // CMYK / YCCK colour space: not supported
    MPVQA_JPEG_BAD_ARGUMENT = 5 // caller error: buffer too small, bad channel count
};

typedef struct {
    int status;                  // MPVQA_JPEG_*
    unsigned int image_width;    // declared size
    unsigned int image_height;
    unsigned int width;          // output size (after DCT scaling)
    unsigned int height;
    int channels;                // output channels: 1 (gray) or 3 (RGB)
    int progressive;             // 1 when the file is progressive
    int components;              // declared colour components
    unsigned char *encoded;      // encoder output (malloc'd; free with mpvqa_jpeg_free_encoded)
    unsigned long encoded_size;
    char message[256];
} mpvqa_jpeg_result;

typedef struct {
    struct jpeg_error_mgr base;  // first member: libjpeg hands us a pointer to it
    jmp_buf jump;
    mpvqa_jpeg_result *result;
} mpvqa_jpeg_error_mgr;

static inline void mpvqa_jpeg_error_exit(j_common_ptr cinfo) {
    mpvqa_jpeg_error_mgr *err = (mpvqa_jpeg_error_mgr *)cinfo->err;
    if (err->result->status == MPVQA_JPEG_OK) {
        err->result->status = MPVQA_JPEG_CORRUPT;
        char text[JMSG_LENGTH_MAX];
        (*cinfo->err->format_message)(cinfo, text);
        snprintf(err->result->message, sizeof err->result->message, "%s", text);
    }
    longjmp(err->jump, 1);
}

// Warnings are ignored (real scans often carry stray bytes before markers), except the
// premature end of data, after which libjpeg would silently return padded rows.
static inline void mpvqa_jpeg_emit_message(j_common_ptr cinfo, int level) {
    if (level >= 0) return; // trace messages
    if (cinfo->err->msg_code == JWRN_JPEG_EOF) {
        mpvqa_jpeg_error_mgr *err = (mpvqa_jpeg_error_mgr *)cinfo->err;
        if (err->result->status == MPVQA_JPEG_OK) {
            err->result->status = MPVQA_JPEG_TRUNCATED;
            snprintf(err->result->message, sizeof err->result->message,
                     "the data ends before the image is complete");
        }
        longjmp(err->jump, 1);
    }
    cinfo->err->num_warnings++;
}

static inline void mpvqa_jpeg_output_message(j_common_ptr cinfo) { (void)cinfo; }

static inline void mpvqa_jpeg_install_errors(mpvqa_jpeg_error_mgr *err, mpvqa_jpeg_result *result) {
    jpeg_std_error(&err->base);
    err->base.error_exit = mpvqa_jpeg_error_exit;
    err->base.emit_message = mpvqa_jpeg_emit_message;
    err->base.output_message = mpvqa_jpeg_output_message;
    err->result = result;
}

/// Reads the header of the JPEG in `data[0..<size]` and the output size at 1/`scale_denom`
/// (1, 2, 4 or 8: libjpeg's DCT scaling), and when `out` is not NULL decodes the image into
/// `out` (width * height * channels bytes, row-major, interleaved). Refuses
/// (MPVQA_JPEG_TOO_LARGE) a declared width * height beyond `max_pixels` before
/// decompression allocates anything.
static inline void mpvqa_jpeg_decode(const unsigned char *data, size_t size, long long max_pixels,
                                     int scale_denom, unsigned char *out, size_t out_capacity,
                                     mpvqa_jpeg_result *result) {
    memset(result, 0, sizeof *result);
    struct jpeg_decompress_struct cinfo;
    mpvqa_jpeg_error_mgr err;
    cinfo.err = &err.base;
    mpvqa_jpeg_install_errors(&err, result);
    if (setjmp(err.jump)) {
        jpeg_destroy_decompress(&cinfo);
        if (result->status == MPVQA_JPEG_OK) result->status = MPVQA_JPEG_CORRUPT;
        return;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    (void)jpeg_read_header(&cinfo, TRUE);
    result->image_width = cinfo.image_width;
    result->image_height = cinfo.image_height;
    result->progressive = cinfo.progressive_mode ? 1 : 0;
    result->components = cinfo.num_components;
    if ((long long)cinfo.image_width * (long long)cinfo.image_height > max_pixels) {
        result->status = MPVQA_JPEG_TOO_LARGE;
        snprintf(result->message, sizeof result->message,
                 "declared size %ux%u exceeds the limit of %lld pixels",
                 cinfo.image_width, cinfo.image_height, max_pixels);
        jpeg_destroy_decompress(&cinfo);
        return;
    }
    switch (cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE:
        cinfo.out_color_space = JCS_GRAYSCALE;
        break;
    case JCS_CMYK:
    case JCS_YCCK:
        result->status = MPVQA_JPEG_CMYK;
        snprintf(result->message, sizeof result->message,
                 "CMYK JPEG (%d components) is not supported; convert it to RGB or grayscale",
                 cinfo.num_components);
        jpeg_destroy_decompress(&cinfo);
        return;
    default:
        cinfo.out_color_space = JCS_RGB;
        break;
    }
    if (scale_denom != 1 && scale_denom != 2 && scale_denom != 4 && scale_denom != 8) {
        result->status = MPVQA_JPEG_BAD_ARGUMENT;
        snprintf(result->message, sizeof result->message, "scale 1/%d is not 1/1, 1/2, 1/4 or 1/8", scale_denom);
        jpeg_destroy_decompress(&cinfo);
        return;
    }
    cinfo.scale_num = 1;
    cinfo.scale_denom = (unsigned int)scale_denom;
    cinfo.dct_method = JDCT_ISLOW;
    jpeg_calc_output_dimensions(&cinfo);
    result->width = cinfo.output_width;
    result->height = cinfo.output_height;
    result->channels = cinfo.output_components;
    if (out == NULL) { // header only
        jpeg_destroy_decompress(&cinfo);
        return;
    }
    size_t row_bytes = (size_t)cinfo.output_width * (size_t)cinfo.output_components;
    if (out_capacity < row_bytes * (size_t)cinfo.output_height) {
        result->status = MPVQA_JPEG_BAD_ARGUMENT;
        snprintf(result->message, sizeof result->message, "output buffer too small");
        jpeg_destroy_decompress(&cinfo);
        return;
    }
    (void)jpeg_start_decompress(&cinfo);
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW rows[4];
        int n = 0;
        for (; n < 4 && cinfo.output_scanline + (JDIMENSION)n < cinfo.output_height; n++)
            rows[n] = out + (size_t)(cinfo.output_scanline + (JDIMENSION)n) * row_bytes;
        (void)jpeg_read_scanlines(&cinfo, rows, (JDIMENSION)n);
    }
    // No jpeg_finish_decompress: every pixel is in, and a file missing only its EOI marker
    // is still a complete image.
    jpeg_destroy_decompress(&cinfo);
}

static inline void mpvqa_jpeg_free_encoded(mpvqa_jpeg_result *result) {
    free(result->encoded);
    result->encoded = NULL;
    result->encoded_size = 0;
}

/// Encodes 8-bit gray (channels 1) or RGB (channels 3) pixels as a baseline JPEG at `quality`
/// (1...100; libjpeg's default 4:2:0 chroma subsampling for RGB). On success
/// `result->encoded[0..<encoded_size]` holds the file; release it with mpvqa_jpeg_free_encoded
/// (also safe after a failure).
static inline void mpvqa_jpeg_encode(const unsigned char *pixels, unsigned int width, unsigned int height,
                                     int channels, int quality, mpvqa_jpeg_result *result) {
    memset(result, 0, sizeof *result);
    if ((channels != 1 && channels != 3) || width == 0 || height == 0 || width > 65500 || height > 65500) {
        result->status = MPVQA_JPEG_BAD_ARGUMENT;
        snprintf(result->message, sizeof result->message, "cannot encode %ux%u with %d channels",
                 width, height, channels);
        return;
    }
    struct jpeg_compress_struct cinfo;
    mpvqa_jpeg_error_mgr err;
    cinfo.err = &err.base;
    mpvqa_jpeg_install_errors(&err, result);
    if (setjmp(err.jump)) {
        jpeg_destroy_compress(&cinfo);
        if (result->status == MPVQA_JPEG_OK) result->status = MPVQA_JPEG_CORRUPT;
        return;
    }
    jpeg_create_compress(&cinfo);
    // libjpeg writes the (re)allocated buffer pointer into result->encoded, which lives in
    // the caller's memory, so it survives a longjmp and is freed by mpvqa_jpeg_free_encoded.
    jpeg_mem_dest(&cinfo, &result->encoded, &result->encoded_size);
    cinfo.image_width = width;
    cinfo.image_height = height;
    cinfo.input_components = channels;
    cinfo.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    size_t row_bytes = (size_t)width * (size_t)channels;
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)cinfo.next_scanline * row_bytes);
        (void)jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
}
