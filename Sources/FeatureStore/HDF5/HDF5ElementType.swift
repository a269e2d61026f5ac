import CHDF5

/// The element type of an HDF5 dataset or attribute, reduced to what the cache distinguishes.
enum HDF5ElementType: Equatable {
    /// IEEE-style floating point of `bytes` bytes; `isLittleEndianHalf` marks the exact
    /// binary16 layout whose bits we convert ourselves (any other float is converted by HDF5).
    case float(bytes: Int, isLittleEndianHalf: Bool)
    case integer(bytes: Int, signed: Bool)
    case fixedString(bytes: Int)
    case variableString
    case other(String)

    /// Short name for messages and `cache inspect`: `float16`, `int64`, `string(64)`, `string(variable)`.
    var name: String {
        switch self {
        case .float(let bytes, _): return "float\(bytes * 8)"
        case .integer(let bytes, let signed): return "\(signed ? "int" : "uint")\(bytes * 8)"
        case .fixedString(let bytes): return "string(\(bytes) bytes)"
        case .variableString: return "string(variable)"
        case .other(let what): return what
        }
    }

    var isFloat: Bool { if case .float = self { return true } else { return false } }
    var isInteger: Bool { if case .integer = self { return true } else { return false } }
    var isString: Bool {
        switch self {
        case .fixedString, .variableString: return true
        default: return false
        }
    }

    /// Classifies the datatype `typeId` (call inside `HDF5.locked`).
    static func classify(_ typeId: hid_t) throws -> HDF5ElementType {
        let typeClass = H5Tget_class(typeId)
        let size = H5Tget_size(typeId)
        switch typeClass {
        case H5T_FLOAT:
            return .float(bytes: size, isLittleEndianHalf: size == 2 && isLittleEndianHalf(typeId))
        case H5T_INTEGER:
            return .integer(bytes: size, signed: H5Tget_sign(typeId) == H5T_SGN_2)
        case H5T_STRING:
            let variable = try HDF5.check(tri: H5Tis_variable_str(typeId), "query string type")
            return variable ? .variableString : .fixedString(bytes: size)
        case H5T_NO_CLASS:
            throw HDF5Failure(operation: "query datatype class", detail: HDF5.takeErrorMessage())
        default:
            return .other("HDF5 type class \(typeClass.rawValue)")
        }
    }

    /// True for sign bit 15, exponent bits 10…14 with bias 15, mantissa bits 0…9, little-endian.
    private static func isLittleEndianHalf(_ typeId: hid_t) -> Bool {
        var spos = 0, epos = 0, esize = 0, mpos = 0, msize = 0
        guard H5Tget_fields(typeId, &spos, &epos, &esize, &mpos, &msize) >= 0 else { return false }
        return H5Tget_order(typeId) == H5T_ORDER_LE && spos == 15 && epos == 10 && esize == 5
            && mpos == 0 && msize == 10 && H5Tget_ebias(typeId) == 15
    }
}

/// Memory and file datatypes the cache writes and reads with.
enum HDF5Types {
    /// IEEE binary16 little-endian, created once and kept for the life of the process.
    static let half: hid_t = HDF5.locked { mpvqa_h5t_create_ieee_f16le() }
    static var float: hid_t { HDF5.locked { mpvqa_h5t_native_float() } }
    static var int64: hid_t { HDF5.locked { mpvqa_h5t_native_int64() } }
    static var int32: hid_t { HDF5.locked { mpvqa_h5t_native_int32() } }
    /// On-disk (little-endian) types the writer creates datasets with.
    static var float32LE: hid_t { HDF5.locked { mpvqa_h5t_ieee_f32le() } }
    static var int64LE: hid_t { HDF5.locked { mpvqa_h5t_std_i64le() } }
    static var int32LE: hid_t { HDF5.locked { mpvqa_h5t_std_i32le() } }
    static var uint8: hid_t { HDF5.locked { mpvqa_h5t_native_uint8() } }
    static var uint8LE: hid_t { HDF5.locked { mpvqa_h5t_std_u8le() } }

    /// A new UTF-8 string type: variable length when `bytes` is nil, else fixed `bytes`
    /// (NUL-padded). Caller owns the handle.
    static func utf8String(bytes: Int?) throws -> HDF5Handle {
        let t = try HDF5.check(H5Tcopy(mpvqa_h5t_c_s1()), "copy string type")
        let handle = HDF5Handle(t, .datatype)
        try HDF5.check(H5Tset_size(t, bytes ?? mpvqa_h5t_variable()), "set string size")
        try HDF5.check(H5Tset_cset(t, H5T_CSET_UTF8), "set string character set")
        if bytes != nil { try HDF5.check(H5Tset_strpad(t, H5T_STR_NULLPAD), "set string padding") }
        return handle
    }
}
