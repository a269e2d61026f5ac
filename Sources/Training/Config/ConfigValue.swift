/// A typed configuration value.
public enum ConfigValue: Equatable, Sendable, CustomStringConvertible {
    case int(Int)
    case double(Double)
    case bool(Bool)
    case string(String)
    case list([ConfigValue])

    public var description: String {
        switch self {
        case .int(let v): return String(v)
        case .double(let v): return v == v.rounded() && abs(v) < 1e15 ? String(format: "%.1f", v) : "\(v)"
        case .bool(let v): return v ? "true" : "false"
        case .string(let v): return v
        case .list(let vs): return "[" + vs.map(\.description).joined(separator: ", ") + "]"
        }
    }
}

/// The type a configuration key accepts.
public enum ConfigType: Equatable, Sendable, CustomStringConvertible {
    case int
    case double
    case bool
    case string
    /// One of the listed strings.
    case choice([String])

    public var description: String {
        switch self {
        case .int: return "an integer"
        case .double: return "a number"
        case .bool: return "true or false"
        case .string: return "a string"
        case .choice(let options): return "one of " + options.joined(separator: ", ")
        }
    }

    /// Converts a raw YAML scalar (its text and whether it was quoted) to this type.
    func parse(_ text: String, quoted: Bool) -> ConfigValue? {
        switch self {
        case .int:
            return quoted ? nil : Int(text).map(ConfigValue.int)
        case .double:
            guard !quoted, let v = Double(text), v.isFinite else { return nil }
            return .double(v)
        case .bool:
            if quoted { return nil }
            switch text.lowercased() { case "true", "yes", "on": return .bool(true); case "false", "no", "off": return .bool(false); default: return nil }
        case .string:
            return .string(text)
        case .choice(let options):
            return options.contains(text) ? .string(text) : nil
        }
    }
}

/// One documented key of the configuration schema.
public struct ConfigKey: Sendable {
    public let name: String
    public let type: ConfigType
    public let defaultValue: ConfigValue
    public let doc: String

    public init(_ name: String, _ type: ConfigType, _ defaultValue: ConfigValue, _ doc: String) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.doc = doc
    }
}
