// libhdf5 (Debian installs it under hdf5/serial; pkg-config hdf5-serial adds that path).
#include <hdf5.h>
#include <string.h>

// HDF5 spells its predefined type, property-class and flag ids as macros over globals
// (`H5T_NATIVE_FLOAT` is `(H5open(), H5T_NATIVE_FLOAT_g)`), and a few constants as casts.
// Swift imports neither, so each one used from Swift gets a tiny inline accessor here.

static inline hid_t mpvqa_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t mpvqa_h5s_all(void) { return H5S_ALL; }
static inline hid_t mpvqa_h5e_default(void) { return H5E_DEFAULT; }
static inline hsize_t mpvqa_h5s_unlimited(void) { return H5S_UNLIMITED; }
static inline size_t mpvqa_h5t_variable(void) { return H5T_VARIABLE; }

static inline unsigned mpvqa_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned mpvqa_h5f_acc_rdwr(void) { return H5F_ACC_RDWR; }
static inline unsigned mpvqa_h5f_acc_excl(void) { return H5F_ACC_EXCL; }

static inline hid_t mpvqa_h5p_file_access(void) { return H5P_FILE_ACCESS; }
static inline hid_t mpvqa_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t mpvqa_h5p_dataset_access(void) { return H5P_DATASET_ACCESS; }

static inline hid_t mpvqa_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t mpvqa_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t mpvqa_h5t_native_int32(void) { return H5T_NATIVE_INT32; }
static inline hid_t mpvqa_h5t_std_i64le(void) { return H5T_STD_I64LE; }
static inline hid_t mpvqa_h5t_std_i32le(void) { return H5T_STD_I32LE; }
static inline hid_t mpvqa_h5t_native_uint8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t mpvqa_h5t_std_u8le(void) { return H5T_STD_U8LE; }
static inline hid_t mpvqa_h5t_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t mpvqa_h5t_c_s1(void) { return H5T_C_S1; }

/// A new IEEE 754 binary16 little-endian type (HDF5 1.10 has no predefined one): the
/// float32 type with its fields moved — sign bit 15, exponent bits 10…14 (bias 15),
/// mantissa bits 0…9. h5py and numpy's float16 use the same layout. Caller closes it.
static inline hid_t mpvqa_h5t_create_ieee_f16le(void) {
    hid_t t = H5Tcopy(H5T_IEEE_F32LE);
    if (t < 0) return t;
    if (H5Tset_fields(t, 15, 10, 5, 0, 10) < 0 || H5Tset_size(t, 2) < 0 ||
        H5Tset_precision(t, 16) < 0 || H5Tset_ebias(t, 15) < 0) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

/// Stops HDF5 from printing its error stack to stderr; Swift throws errors instead.
static inline void mpvqa_h5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

typedef struct { char *buffer; size_t capacity; int taken; } mpvqa_h5_error_sink;

static herr_t mpvqa_h5_error_visit(unsigned n, const H5E_error2_t *err, void *data) {
    mpvqa_h5_error_sink *sink = (mpvqa_h5_error_sink *)data;
    (void)n;
    if (sink->taken || err->desc == NULL || err->desc[0] == '\0') return 0;
    strncpy(sink->buffer, err->desc, sink->capacity - 1);
    sink->buffer[sink->capacity - 1] = '\0';
    sink->taken = 1;
    return 0;
}

/// Copies the most specific message of the current thread's HDF5 error stack into
/// `buffer` (empty when the stack is empty) and clears the stack.
static inline void mpvqa_h5_take_error(char *buffer, size_t capacity) {
    mpvqa_h5_error_sink sink = { buffer, capacity, 0 };
    if (capacity == 0) return;
    buffer[0] = '\0';
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, mpvqa_h5_error_visit, &sink);
    H5Eclear2(H5E_DEFAULT);
}
