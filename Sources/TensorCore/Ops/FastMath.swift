// Branch-free Float exp and erf that the element loops can vectorise (a call to libm's
// expf / erff per element cannot be vectorised and dominated GELU's cost).

/// e^t: k = round(t·log2 e), r = t − k·ln 2 (Cody–Waite, two-part ln 2), e^r by its degree-7
/// Taylor polynomial (|r| ≤ ln2/2, error < 1e-8), times 2^k by adding k to the exponent
/// bits. Within ~1 ulp of `expf`. Arguments below −87 give 0; callers keep t ≤ 88.
@usableFromInline @inline(__always)
func fastExp(_ t: Float) -> Float {
    let log2e: Float = 1.442_695_04
    let ln2hi: Float = 0.693_145_751_953_125, ln2lo: Float = 1.428_606_765_330_187e-06
    let magic: Float = 12_582_912  // 1.5·2^23: adding it rounds to an integer held in the low mantissa bits
    let c2: Float = 1.0 / 2, c3: Float = 1.0 / 6, c4: Float = 1.0 / 24, c5: Float = 1.0 / 120
    let c6: Float = 1.0 / 720, c7: Float = 1.0 / 5040
    let underflows = t < -87
    let u = underflows ? -87 : t
    let rounded = u * log2e + magic
    let k = rounded.bitPattern &- magic.bitPattern
    let kf = rounded - magic
    let r = (u - kf * ln2hi) - kf * ln2lo
    let poly = 1 + r * (1 + r * (c2 + r * (c3 + r * (c4 + r * (c5 + r * (c6 + r * c7))))))
    let e = Float(bitPattern: poly.bitPattern &+ (k &<< 23))
    return underflows ? 0 : e
}

/// erf(x) by Abramowitz & Stegun 7.1.26: erf|x| = 1 − t(a₁ + t(a₂ + … + t·a₅))·e^(−x²),
/// t = 1 / (1 + p|x|); absolute error ≤ 1.5e-7 (about one Float ulp of values near 1),
/// odd in x. GELU through it is tested against Double libm on a dense grid (`UnaryTests`).
@usableFromInline @inline(__always)
func fastErf(_ x: Float) -> Float {
    let p: Float = 0.327_591_1
    let a1: Float = 0.254_829_592, a2: Float = -0.284_496_736, a3: Float = 1.421_413_741
    let a4: Float = -1.453_152_027, a5: Float = 1.061_405_429
    let a = Swift.min(Swift.abs(x), 10)  // erf(10) = 1 in Float; keeps −a² above exp's range
    let t = 1 / (1 + p * a)
    let r = 1 - t * (a1 + t * (a2 + t * (a3 + t * (a4 + t * a5)))) * fastExp(-a * a)
    return x < 0 ? -r : r
}

/// e^x through `fastExp` for Float (the type test folds away when specialised), `exp` for
/// Double (gradient checks stay at full precision). For arguments ≤ 88.
@inline(__always)
func vectorisableExp<T: TensorScalar>(_ x: T) -> T {
    if T.self == Float.self { return unsafeBitCast(fastExp(unsafeBitCast(x, to: Float.self)), to: T.self) }
    return T.exp(x)
}
