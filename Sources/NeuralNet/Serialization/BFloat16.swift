// bfloat16, the other 16-bit float format a safetensors file may hold (binary16 is
// TensorCore's HalfPrecision).

/// bfloat16 bits → Float (bfloat16 is the top half of a float).
@inline(__always)
func floatFromBFloat16Bits(_ b: UInt16) -> Float {
    Float(bitPattern: UInt32(b) << 16)
}
