import TensorCore

/// A parameter with its stable dotted name, e.g. `encoder.layers.0.selfAttention.query.weight`.
public typealias NamedParameter = (name: String, tensor: Tensor)

/// A layer that owns trainable tensors and lists them, with those of its children,
/// under stable dotted names.
///
/// There is no reflection: every layer spells out its parameters and children in
/// `namedParameters`, in a fixed order, so names and order are part of the layer's
/// contract (checkpoints and optimiser state are keyed by them). Parameters are leaves
/// (`requiringGrad()`); their storage is shared by every copy of the tensor, so the
/// optimiser and checkpoint loader update a layer by writing into the buffers in place.
///
/// ```swift
/// final class TwoLayer: Module {
///     let first: Linear, second: Linear
///     var namedParameters: [NamedParameter] {
///         first.namedParameters(prefix: "first") + second.namedParameters(prefix: "second")
///     }
/// }
/// ```
public protocol Module: AnyObject {
    /// This layer's parameters and its children's, names relative to this layer,
    /// in a stable order.
    var namedParameters: [NamedParameter] { get }
}

extension Module {
    /// `namedParameters` with `prefix.` prepended to every name (no dot when `prefix` is empty).
    public func namedParameters(prefix: String) -> [NamedParameter] {
        let list = namedParameters
        if prefix.isEmpty { return list }
        return list.map { (name: prefix + "." + $0.name, tensor: $0.tensor) }
    }

    /// The parameters in `namedParameters` order.
    public var parameters: [Tensor] { namedParameters.map(\.tensor) }

    /// Total number of scalar parameters.
    public var parameterCount: Int { namedParameters.reduce(0) { $0 + $1.tensor.count } }

    /// Clears the gradient accumulated in every parameter.
    public func zeroGrad() {
        for p in namedParameters { p.tensor.zeroGrad() }
    }
}

extension Array where Element: Module {
    /// Parameters of a list of child layers named `prefix.0.…`, `prefix.1.…`, ….
    public func namedParameters(prefix: String) -> [NamedParameter] {
        enumerated().flatMap { i, layer in layer.namedParameters(prefix: prefix.isEmpty ? "\(i)" : "\(prefix).\(i)") }
    }
}
