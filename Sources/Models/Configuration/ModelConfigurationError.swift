/// A model configuration that cannot be built: which field, and what was expected.
public struct ModelConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The `HiVT5Configuration` field at fault, e.g. `heads`.
    public let field: String
    public let message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "model configuration: \(field) \(message)" }
}
