import Foundation

/// Element type of a tensor. Float32 is the working type; Float64 exists so that
/// finite-difference gradient checks measure the math, not round-off.
public enum DType: String, Sendable, Codable {
    case float32
    case float64

    /// Size of one element in bytes.
    public var byteSize: Int { self == .float32 ? 4 : 8 }
}

/// The scalar types kernels are written over (`Float`, `Double`).
///
/// Kernels are internal generic functions over `T: TensorScalar`, called from a
/// `switch dtype` at the op boundary, so whole-module optimisation specialises
/// them and the inner loops contain no dynamic dispatch.
public protocol TensorScalar: BinaryFloatingPoint, Sendable where Self.RawSignificand: FixedWidthInteger {
    static var dtype: DType { get }
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self
    static func erf(_ x: Self) -> Self
    static func sqrt(_ x: Self) -> Self
    static func pow(_ x: Self, _ y: Self) -> Self
}

extension Float: TensorScalar {
    public static var dtype: DType { .float32 }
    @inlinable public static func exp(_ x: Float) -> Float { Foundation.expf(x) }
    @inlinable public static func log(_ x: Float) -> Float { Foundation.logf(x) }
    @inlinable public static func tanh(_ x: Float) -> Float { Foundation.tanhf(x) }
    @inlinable public static func erf(_ x: Float) -> Float { fastErf(x) }  // vectorisable (FastMath.swift)
    @inlinable public static func sqrt(_ x: Float) -> Float { x.squareRoot() }
    @inlinable public static func pow(_ x: Float, _ y: Float) -> Float { Foundation.powf(x, y) }
}

extension Double: TensorScalar {
    public static var dtype: DType { .float64 }
    @inlinable public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    @inlinable public static func log(_ x: Double) -> Double { Foundation.log(x) }
    @inlinable public static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    @inlinable public static func erf(_ x: Double) -> Double { Foundation.erf(x) }
    @inlinable public static func sqrt(_ x: Double) -> Double { x.squareRoot() }
    @inlinable public static func pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
}
