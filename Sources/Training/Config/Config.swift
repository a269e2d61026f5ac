import Foundation
import Yams

/// A resolved configuration: every schema key with its value (from the file, an override,
/// or the default) plus the prompt templates. Built only through validation, so a `Config`
/// never holds an unknown key or a mistyped value.
///
/// ```swift
/// var config = try Config.load(URL(fileURLWithPath: "experiments/quickstart.yaml"))
/// try config.apply(overrides: ["train.lr=1e-3"])
/// let settings = try RunSettings(config)   // ranges and cross-key rules
/// let steps = settings.train.steps
/// ```
public struct Config: Equatable, Sendable {
    public private(set) var values: [String: ConfigValue]
    public private(set) var prompts: [String: String]
    /// Keys set explicitly by the file or an override (the rest are defaults).
    public private(set) var explicitKeys: Set<String> = []
    /// Where each explicit key was set: "file.yaml:LINE" or "--set".
    public private(set) var locations: [String: String] = [:]
    /// The file this configuration was read from (names defaults in cross-key errors).
    public var sourceName: String = ""

    /// The defaults of every key.
    public init() {
        values = Dictionary(uniqueKeysWithValues: ConfigSchema.keys.map { ($0.name, $0.defaultValue) })
        prompts = ConfigSchema.defaultPrompts
    }

    // MARK: Raw access (only `RunSettings` decodes these; everything else reads `RunSettings`)

    /// The value of schema key `key` (nil for a name outside the schema).
    func rawValue(_ key: String) -> ConfigValue? { values[key] }

    /// Every schema key (but `ignoring`) whose value differs from `previous`, as
    /// "`key` is X here but Y in `previousName`".
    public func differences(from previous: Config, ignoring: Set<String> = [], previousName: String = "the run") -> [String] {
        ConfigSchema.keys.map(\.name).compactMap { key -> String? in
            guard !ignoring.contains(key) else { return nil }
            let before = previous.rawValue(key), now = rawValue(key)
            return before == now ? nil : "\(key) is \(now.map(\.description) ?? "unset") here but \(before.map(\.description) ?? "unset") in \(previousName)"
        }
    }

    /// Where `key` was set ("file.yaml:12" or "--set"), or nil for a default.
    public func location(of key: String) -> String? { locations[key] }

    /// The template of prompt `name`; errors name the key that referenced it.
    public func prompt(_ name: String, referencedBy key: String) throws -> String {
        guard let template = prompts[name] else {
            throw ConfigError(key: key, "prompt '\(name)' is not defined under prompts: (defined: \(prompts.keys.sorted().joined(separator: ", ")))")
        }
        return template
    }

    // MARK: Setting values

    /// Sets `key` from text (as in `--set key=value` or a YAML scalar), validating key, type
    /// and range; errors read `SOURCE: key: value: expected …`.
    public mutating func set(_ key: String, text: String, quoted: Bool = false, source: String = "--set") throws {
        if key.hasPrefix("prompts.") {
            let name = String(key.dropFirst("prompts.".count))
            guard TextRule.promptName.accepts(name) else {
                throw ConfigError(source: source, key: key, "a prompt name must be one word of letters, digits and '_'")
            }
            guard text.contains("{question}"), text.utf8.count <= 4096 else {
                throw ConfigError(source: source, key: key, "\(Config.shown(text, quoted: true)): expected a template of at most 4096 bytes containing {question}")
            }
            prompts[name] = text
            explicitKeys.insert(key)
            locations[key] = source
            return
        }
        guard let schema = ConfigSchema.key(key) else {
            if ConfigSchema.isSection(key) {
                throw ConfigError(source: source, key: key, "is a section, not a key: expected one of \(ConfigSchema.keys(in: key).joined(separator: ", "))")
            }
            throw ConfigError(source: source, key: key, "unknown key" + (ConfigSchema.closest(to: key).map { " (did you mean \($0)?)" } ?? ""))
        }
        switch schema.type.parse(text, quoted: quoted) {
        case .success(let v):
            values[key] = v
            explicitKeys.insert(key)
            locations[key] = source
        case .failure(let mismatch):
            throw ConfigError(source: source, key: key, "\(Config.shown(text, quoted: quoted)): \(mismatch.expected)")
        }
    }

    /// A user's value as it appears in an error: quoted if it was, control characters
    /// escaped, cut to 60 characters.
    static func shown(_ text: String, quoted: Bool) -> String {
        var out = ""
        for scalar in text.unicodeScalars.prefix(60) {
            out += scalar.properties.generalCategory == .control ? scalar.escaped(asASCII: true) : String(scalar)
        }
        if text.unicodeScalars.count > 60 { out += "…" }
        if out.isEmpty { return "\"\"" }
        return quoted ? "\"\(out)\"" : out
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
        if !document.grid.isEmpty || !document.seeds.isEmpty || !document.runs.isEmpty || !document.compare.isEmpty {
            throw ConfigError(source: url.lastPathComponent,
                              key: !document.grid.isEmpty ? "grid" : !document.seeds.isEmpty ? "seeds" : !document.runs.isEmpty ? "runs" : "compare",
                              "a training config has no grid or seeds (run manifests with `mpvqa run`)")
        }
        var config = document.base
        config.sourceName = url.lastPathComponent
        return config
    }

    /// The resolved configuration as YAML (every key, nested by section, sorted), emitted by
    /// Yams: strings double-quoted (a quoted value reads back as text), the rest plain.
    public var yaml: String {
        /// One section of the tree: its own keys' values and its subsections, by name.
        final class Section {
            var entries: [String: Node] = [:]
            var children: [String: Section] = [:]
            func node() -> Node {
                let keys = Set(entries.keys).union(children.keys).sorted()
                return .mapping(Node.Mapping(keys.map { key in (Node(key), entries[key] ?? children[key]!.node()) }))
            }
        }
        let root = Section()
        for (key, value) in values {
            let parts = key.split(separator: ".").map(String.init)
            var section = root
            for name in parts.dropLast() {
                if section.children[name] == nil { section.children[name] = Section() }
                section = section.children[name]!
            }
            section.entries[parts.last ?? key] = Config.yamlScalar(value)
        }
        let prompts = Section()
        for (name, template) in self.prompts { prompts.entries[name] = Config.yamlScalar(.string(template)) }
        root.children["prompts"] = prompts
        // Serialising a tree of scalars and mappings cannot fail; an empty text would be refused when read back.
        return (try? Yams.serialize(node: root.node(), width: -1)) ?? ""
    }

    static func yamlScalar(_ v: ConfigValue) -> Node {
        if case .string(let s) = v { return Node(s, Tag(.str), .doubleQuoted) }
        return Node(v.description, Tag(.implicit), .plain)
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

/// Several configuration problems found in one pass (one line each), so a user fixes them all at once.
public struct ConfigProblems: Error, CustomStringConvertible, Sendable {
    public var problems: [ConfigError]

    public init(_ problems: [ConfigError]) { self.problems = problems }

    public var description: String { problems.map(\.description).joined(separator: "\n") }

    /// Throws `problems` (a single `ConfigError` when there is one).
    static func throwIfAny(_ problems: [ConfigError]) throws {
        if problems.count == 1 { throw problems[0] }
        if !problems.isEmpty { throw ConfigProblems(problems) }
    }
}
