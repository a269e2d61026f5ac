// Square roots eight lanes at a time.
//
// On Linux, Swift's `Float.squareRoot()` and `SIMD8.squareRoot()` lower to libm's `sqrtf`
// per lane (a scalar `sqrtss` plus an errno check), so a loop that takes square roots
// stays scalar however it is written. The x86 intrinsic is one `vsqrtps` for eight lanes.
// IEEE square roots are correctly rounded, so both give the same bits.

#if arch(x86_64) && canImport(_Builtin_intrinsics.intel)
import _Builtin_intrinsics.intel
#endif

/// `v.squareRoot()` lane by lane, in one vector instruction where the CPU has one
/// (x86-64 with AVX, which the numeric modules are built for); bit for bit the scalar
/// square roots.
@inlinable @inline(__always)
public func laneSquareRoot<T: TensorScalar & SIMDScalar>(_ v: SIMD8<T>) -> SIMD8<T> {
    #if arch(x86_64) && canImport(_Builtin_intrinsics.intel)
    if T.self == Float.self {
        return unsafeBitCast(_mm256_sqrt_ps(unsafeBitCast(v, to: SIMD8<Float>.self)), to: SIMD8<T>.self)
    }
    if T.self == Double.self {
        let d = unsafeBitCast(v, to: SIMD8<Double>.self)
        let low = _mm256_sqrt_pd(d.lowHalf), high = _mm256_sqrt_pd(d.highHalf)
        return unsafeBitCast(SIMD8<Double>(lowHalf: low, highHalf: high), to: SIMD8<T>.self)
    }
    #endif
    var out = v
    for lane in 0..<8 { out[lane] = T.sqrt(v[lane]) }
    return out
}
