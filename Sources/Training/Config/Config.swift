import Foundation
import Yams

/// A resolved configuration: every schema key with its value (from the file, an override,
/// or the default) plus the prompt templates. Built only through validation, so a `Config`
/// never holds an unknown key or a mistyped value.
///
/// ```swift
/// var config = try Config.load(URL(fileURLWithPath: "experiments/quickstart.yaml"))
/// try config.apply(overrides: ["train.lr=1e-3"])
/// let steps = config.int("train.steps")
/// ```
public struct Config: Equatable, Sendable {
    public private(set) var values: [String: ConfigValue]
    public private(set) var prompts: [String: String]
    /// Keys set explicitly by the file or an override (the rest are defaults).
    public private(set) var explicitKeys: Set<String> = []

    /// The defaults of every key.
    public init() {
        values = Dictionary(uniqueKeysWithValues: ConfigSchema.keys.map { ($0.name, $0.defaultValue) })
        prompts = ConfigSchema.defaultPrompts
    }

    // MARK: Typed access (keys are schema keys; a wrong key is a programming error)

    public func int(_ key: String) -> Int {
        guard case .int(let v) = value(key) else { preconditionFailure("Config: \(key) is not an integer key") }
        return v
    }

    public func double(_ key: String) -> Double {
        switch value(key) {
        case .double(let v): return v
        case .int(let v): return Double(v)
        default: preconditionFailure("Config: \(key) is not a number key")
        }
    }

    public func bool(_ key: String) -> Bool {
        guard case .bool(let v) = value(key) else { preconditionFailure("Config: \(key) is not a boolean key") }
        return v
    }

    public func string(_ key: String) -> String {
        guard case .string(let v) = value(key) else { preconditionFailure("Config: \(key) is not a string key") }
        return v
    }

    public func value(_ key: String) -> ConfigValue {
        guard let v = values[key] else { preconditionFailure("Config: unknown key \(key)") }
        return v
    }

    /// The template of prompt `name`; errors name the key that referenced it.
    public func prompt(_ name: String, referencedBy key: String) throws -> String {
        guard let template = prompts[name] else {
            throw ConfigError(key: key, "prompt '\(name)' is not defined under prompts: (defined: \(prompts.keys.sorted().joined(separator: ", ")))")
        }
        return template
    }

    // MARK: Setting values

    /// Sets `key` from text (as in `--set key=value` or a YAML scalar), validating key and type.
    public mutating func set(_ key: String, text: String, quoted: Bool = false, source: String = "--set") throws {
        if key.hasPrefix("prompts.") {
            let name = String(key.dropFirst("prompts.".count))
            guard !name.isEmpty, !name.contains(".") else { throw ConfigError(source: source, key: key, "a prompt name must be one word") }
            guard text.contains("{question}") else { throw ConfigError(source: source, key: key, "a prompt template must contain {question}") }
            prompts[name] = text
            explicitKeys.insert(key)
            return
        }
        guard let schema = ConfigSchema.key(key) else {
            throw ConfigError(source: source, key: key, "unknown key" + (ConfigSchema.closest(to: key).map { " (did you mean \($0)?)" } ?? ""))
        }
        guard let v = schema.type.parse(text, quoted: quoted) else {
            throw ConfigError(source: source, key: key, "expected \(schema.type), got '\(text)'")
        }
        values[key] = v
        explicitKeys.insert(key)
    }

    /// Applies `key=value` overrides in order.
    public mutating func apply(overrides: [String]) throws {
        for item in overrides {
            guard let eq = item.firstIndex(of: "=") else {
                throw ConfigError(source: "--set", key: item, "expected key=value")
            }
            let key = String(item[..<eq]).trimmingCharacters(in: .whitespaces)
            var text = String(item[item.index(after: eq)...]).trimmingCharacters(in: .whitespaces)
            let quoted = text.count >= 2 && (text.hasPrefix("\"") && text.hasSuffix("\"") || text.hasPrefix("'") && text.hasSuffix("'"))
            if quoted { text = String(text.dropFirst().dropLast()) }
            try set(key, text: text, quoted: quoted)
        }
    }

    // MARK: Files

    /// Loads a training config (a manifest without `grid`/`seeds`).
    public static func load(_ url: URL) throws -> Config {
        let document = try ConfigDocument.load(url)
        if !document.grid.isEmpty || !document.seeds.isEmpty || !document.runs.isEmpty {
            throw ConfigError(source: url.lastPathComponent, key: !document.grid.isEmpty ? "grid" : !document.seeds.isEmpty ? "seeds" : "runs",
                              "a training config has no grid or seeds (run manifests with `mpvqa run`)")
        }
        return document.base
    }

    /// The resolved configuration as YAML (every key, nested by section, sorted).
    public var yaml: String {
        var lines: [String] = []
        var currentSection: [String] = []
        for key in values.keys.sorted() {
            let parts = key.split(separator: ".").map(String.init)
            let sections = Array(parts.dropLast())
            var common = 0
            while common < min(sections.count, currentSection.count) && sections[common] == currentSection[common] { common += 1 }
            for level in common..<sections.count {
                lines.append(String(repeating: "  ", count: level) + sections[level] + ":")
            }
            currentSection = sections
            lines.append(String(repeating: "  ", count: sections.count) + parts.last! + ": " + Config.yamlScalar(values[key]!))
        }
        lines.append("prompts:")
        for name in prompts.keys.sorted() { lines.append("  \(name): \(Config.yamlScalar(.string(prompts[name]!)))") }
        return lines.joined(separator: "\n") + "\n"
    }

    static func yamlScalar(_ v: ConfigValue) -> String {
        if case .string(let s) = v {
            let escaped = s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\"\(escaped)\""
        }
        return v.description
    }
}

/// A configuration problem: where (file or `--set`), which key, what was expected.
public struct ConfigError: Error, CustomStringConvertible, Equatable, Sendable {
    public var source: String
    public var key: String
    public var message: String

    public init(source: String = "", key: String, _ message: String) {
        self.source = source
        self.key = key
        self.message = message
    }

    public var description: String { [source, key, message].filter { !$0.isEmpty }.joined(separator: ": ") }
}
