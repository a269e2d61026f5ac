import Foundation

/// What went wrong reading a safetensors file or loading it into a model or optimiser.
/// Every case names the file (when there is one), the tensor and what was expected.
public enum CheckpointError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// The model has a parameter that the file does not contain.
    case missingTensor(name: String, expected: [Int], file: String?)
    /// The file's tensor has another shape than the model's parameter.
    case shapeMismatch(name: String, expected: [Int], found: [Int], file: String?)
    /// The file has tensors (under the loaded prefix) that the model does not use.
    case unexpectedTensors(names: [String], file: String?)
    /// A tensor uses a dtype this reader cannot convert to floating point.
    case unsupportedDType(name: String, dtype: String, file: String?)
    /// The bytes are not a valid safetensors file.
    case malformed(file: String?, reason: String)
    /// Optimiser state lists a different number of moments than there are parameters.
    case stateCountMismatch(expected: Int, foundFirst: Int, foundSecond: Int)

    public var description: String {
        switch self {
        case let .missingTensor(name, expected, file):
            return "\(Self.where(file))missing tensor '\(name)' (model expects shape \(expected))"
        case let .shapeMismatch(name, expected, found, file):
            return "\(Self.where(file))tensor '\(name)' has shape \(found), model expects \(expected)"
        case let .unexpectedTensors(names, file):
            let shown = names.prefix(5).map { "'\($0)'" }.joined(separator: ", ")
            return "\(Self.where(file))\(names.count) tensor(s) not used by the model: \(shown)\(names.count > 5 ? ", …" : "")"
        case let .unsupportedDType(name, dtype, file):
            return "\(Self.where(file))tensor '\(name)' has dtype \(dtype); readable dtypes are F64, F32, F16, BF16"
        case let .malformed(file, reason):
            return "\(Self.where(file))not a valid safetensors file: \(reason)"
        case let .stateCountMismatch(expected, first, second):
            return "optimizer state has \(first) first and \(second) second moments, expected \(expected) of each"
        }
    }

    public var errorDescription: String? { description }

    private static func `where`(_ file: String?) -> String { file.map { "\($0): " } ?? "" }
}
