import Foundation

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

/// What a free-text key accepts (every text key has one, so no key is unconstrained).
public enum TextRule: Equatable, Sendable {
    /// A run name: 1–100 letters, digits, `-`, `_` or `.` (it names `runs/<name>/`), not `.`/`..`.
    case name
    /// A file-system path; empty means "not set". At most 4096 bytes, no control characters.
    case path
    /// A directory name under the dataset root: non-empty, relative, no `..` component.
    case relativeDirectory
    /// The name of a prompt template (one word of letters, digits and `_`).
    case promptName

    var expectation: String {
        switch self {
        case .name: return "a name of 1–100 letters, digits, '-', '_' or '.'"
        case .path: return "a path (at most 4096 bytes, no control characters)"
        case .relativeDirectory: return "a relative directory name without '..'"
        case .promptName: return "a prompt name (letters, digits, '_')"
        }
    }

    func accepts(_ text: String) -> Bool {
        let noControl = !text.unicodeScalars.contains { $0.properties.generalCategory == .control }
        switch self {
        case .name:
            return (1...100).contains(text.count) && text != "." && text != ".."
                && text.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)) }
        case .path:
            return text.utf8.count <= 4096 && noControl
        case .relativeDirectory:
            return !text.isEmpty && text.utf8.count <= 255 && noControl && !text.hasPrefix("/")
                && !text.split(separator: "/").contains("..")
        case .promptName:
            return (1...64).contains(text.count)
                && text.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_") }
        }
    }
}

/// The type a configuration key accepts, with its range or set of options.
public enum ConfigType: Equatable, Sendable, CustomStringConvertible {
    /// An integer in the range.
    case int(ClosedRange<Int>)
    /// A finite number in the range.
    case double(ClosedRange<Double>)
    case bool
    /// Text obeying a rule.
    case text(TextRule)
    /// One of the listed strings.
    case choice([String])

    public var description: String {
        switch self {
        case .int(let r): return "an integer in \(r.lowerBound)…\(r.upperBound)"
        case .double(let r): return "a number in \(ConfigType.compact(r.lowerBound))…\(ConfigType.compact(r.upperBound))"
        case .bool: return "true or false"
        case .text(let rule): return rule.expectation
        case .choice(let options): return "one of " + options.joined(separator: ", ")
        }
    }

    /// A range bound as a user would type it: 0, 0.5, 1000000, 1e12, 1e-12.
    static func compact(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e7 { return String(Int(v)) }
        if abs(v) >= 1e7 || abs(v) < 1e-4 { return String(format: "%.0e", v).replacingOccurrences(of: "e+", with: "e").replacingOccurrences(of: "e-0", with: "e-") }
        return "\(v)"
    }

    /// Converts a raw YAML scalar (its text and whether it was quoted) to this type, or says
    /// what was expected.
    func parse(_ text: String, quoted: Bool) -> Result<ConfigValue, ConfigTypeMismatch> {
        func fail(_ hint: String = "") -> Result<ConfigValue, ConfigTypeMismatch> {
            .failure(ConfigTypeMismatch(expected: "expected \(self)" + hint))
        }
        let quotedHint = " (without quotes: a quoted value is text)"
        switch self {
        case .int(let range):
            guard let v = Int(text) else {
                if quoted, Int(text) != nil || Double(text) != nil { return fail(quotedHint) }
                return fail()
            }
            if quoted { return fail(quotedHint) }
            return range.contains(v) ? .success(.int(v)) : fail()
        case .double(let range):
            guard let v = Double(text) else { return fail() }
            if quoted { return fail(quotedHint) }
            guard v.isFinite, range.contains(v) else { return fail() }
            return .success(.double(v))
        case .bool:
            if quoted { return fail(quotedHint) }
            switch text.lowercased() {
            case "true", "yes", "on": return .success(.bool(true))
            case "false", "no", "off": return .success(.bool(false))
            default: return fail()
            }
        case .text(let rule):
            return rule.accepts(text) ? .success(.string(text)) : fail()
        case .choice(let options):
            return options.contains(text) ? .success(.string(text)) : fail()
        }
    }
}

/// Why a scalar does not fit a key's type ("expected …").
public struct ConfigTypeMismatch: Error, Sendable {
    public var expected: String
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
