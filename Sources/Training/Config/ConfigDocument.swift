import Foundation
import Yams

/// One axis of an ablation grid: a key and the values it takes.
public struct GridAxis: Equatable, Sendable {
    public var key: String
    public var values: [ConfigValue]
}

/// One explicitly named cell of a manifest (`runs: [{name: e2e, set: {train.mode: end_to_end}}]`):
/// the base configuration with `settings` applied, in order.
public struct NamedRun: Equatable, Sendable {
    public var name: String
    public var settings: [(key: String, value: ConfigValue)]
    /// Seeds of this run alone (empty: the manifest's `seeds`).
    public var seeds: [Int] = []
    /// `file:line` of the entry, for errors found later (e.g. a missing path).
    public var location: String

    public static func == (a: NamedRun, b: NamedRun) -> Bool {
        a.name == b.name && a.location == b.location && a.seeds == b.seeds && a.settings.map(\.key) == b.settings.map(\.key)
            && a.settings.map(\.value) == b.settings.map(\.value)
    }
}

/// A parsed config or manifest file: the base configuration, and for manifests the
/// ablation `grid` (Cartesian product of axes), explicit named `runs` and `seeds`.
public struct ConfigDocument: Equatable, Sendable {
    public var base: Config
    public var grid: [GridAxis]
    public var seeds: [Int]
    public var runs: [NamedRun] = []

    /// Parses and validates `url`; every error names the file, line and key.
    public static func load(_ url: URL) throws -> ConfigDocument {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw ConfigError(source: url.path, key: "", "cannot read the file: \(error.localizedDescription)")
        }
        return try parse(text, source: url.lastPathComponent)
    }

    /// Parses YAML text (`source` names it in errors).
    public static func parse(_ text: String, source: String) throws -> ConfigDocument {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw ConfigError(source: source, key: "", "not valid YAML: \(error)")
        }
        var document = ConfigDocument(base: Config(), grid: [], seeds: [])
        guard let root else { return document }
        guard let mapping = root.mapping else { throw ConfigError(source: source, key: "", "expected a mapping of sections at the top level") }
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else { throw ConfigError(source: source, key: "", "a key is not a string") }
            let where_ = location(source, keyNode)
            switch key {
            case "grid":
                guard let axes = value.mapping else { throw ConfigError(source: where_, key: "grid", "expected a mapping of key: [values]") }
                for (axisKey, axisValues) in axes {
                    guard let name = axisKey.string else { throw ConfigError(source: where_, key: "grid", "a key is not a string") }
                    let at = location(source, axisKey)
                    guard let list = axisValues.sequence, list.count > 0 else {
                        throw ConfigError(source: at, key: "grid.\(name)", "expected a non-empty list of values")
                    }
                    var values: [ConfigValue] = []
                    for item in list {
                        var probe = Config()
                        let (scalar, quoted) = try scalarText(item, source: at, key: "grid.\(name)")
                        try probe.set(name, text: scalar, quoted: quoted, source: at)
                        values.append(name.hasPrefix("prompts.") ? .string(scalar) : probe.value(name))
                    }
                    document.grid.append(GridAxis(key: name, values: values))
                }
            case "runs":
                guard let list = value.sequence else { throw ConfigError(source: where_, key: "runs", "expected a list of {name: NAME, set: {key: value, ...}}") }
                for entry in list {
                    let at = location(source, entry)
                    guard let fields = entry.mapping else { throw ConfigError(source: at, key: "runs", "expected {name: NAME, set: {key: value, ...}}") }
                    var name: String?, settings: [(key: String, value: ConfigValue)] = [], seeds: [Int] = []
                    for (fieldNode, fieldValue) in fields {
                        let fieldAt = location(source, fieldNode)
                        switch fieldNode.string {
                        case "name":
                            guard let n = fieldValue.string, !n.isEmpty, !n.contains("/") else {
                                throw ConfigError(source: fieldAt, key: "runs.name", "expected a non-empty name without '/'")
                            }
                            name = n
                        case "set":
                            guard let pairs = fieldValue.mapping else { throw ConfigError(source: fieldAt, key: "runs.set", "expected a mapping of dotted keys to values") }
                            for (k, v) in pairs {
                                guard let key = k.string else { throw ConfigError(source: fieldAt, key: "runs.set", "a key is not a string") }
                                let keyAt = location(source, k)
                                var probe = Config()
                                let (scalar, quoted) = try scalarText(v, source: keyAt, key: "runs.set.\(key)")
                                if ConfigSchema.key(key) == nil && !key.hasPrefix("prompts.") {
                                    throw ConfigError(source: keyAt, key: key, "unknown key" + (ConfigSchema.closest(to: key).map { " (did you mean \($0)?)" } ?? ""))
                                }
                                try probe.set(key, text: scalar, quoted: quoted, source: keyAt)
                                settings.append((key, key.hasPrefix("prompts.") ? .string(scalar) : probe.value(key)))
                            }
                        case "seeds":
                            guard let list = fieldValue.sequence, !list.isEmpty else { throw ConfigError(source: fieldAt, key: "runs.seeds", "expected a non-empty list of integers") }
                            seeds = try list.map {
                                guard let s = $0.int else { throw ConfigError(source: location(source, $0), key: "runs.seeds", "expected an integer, got '\($0.string ?? "?")'") }
                                return s
                            }
                        default:
                            throw ConfigError(source: fieldAt, key: "runs.\(fieldNode.string ?? "?")", "unknown field (expected name, set or seeds)")
                        }
                    }
                    guard let name else { throw ConfigError(source: at, key: "runs", "every run needs a name") }
                    guard !document.runs.contains(where: { $0.name == name }) else { throw ConfigError(source: at, key: "runs.name", "'\(name)' is used twice") }
                    document.runs.append(NamedRun(name: name, settings: settings, seeds: seeds, location: at))
                }
            case "seeds":
                guard let list = value.sequence else { throw ConfigError(source: where_, key: "seeds", "expected a list of integers") }
                document.seeds = try list.map {
                    guard let s = $0.int else { throw ConfigError(source: location(source, $0), key: "seeds", "expected an integer, got '\($0.string ?? "?")'") }
                    return s
                }
            default:
                try flatten(value, prefix: key, source: source, into: &document.base)
            }
        }
        return document
    }

    private static func flatten(_ node: Node, prefix: String, source: String, into config: inout Config) throws {
        if let mapping = node.mapping {
            for (keyNode, value) in mapping {
                guard let key = keyNode.string else { throw ConfigError(source: location(source, keyNode), key: prefix, "a key is not a string") }
                try flatten(value, prefix: "\(prefix).\(key)", source: source, into: &config)
            }
            return
        }
        let at = location(source, node)
        if prefix != "prompts", ConfigSchema.key(prefix) == nil, !prefix.hasPrefix("prompts.") {
            throw ConfigError(source: at, key: prefix, "unknown key" + (ConfigSchema.closest(to: prefix).map { " (did you mean \($0)?)" } ?? ""))
        }
        let (text, quoted) = try scalarText(node, source: at, key: prefix)
        try config.set(prefix, text: text, quoted: quoted, source: at)
    }

    private static func scalarText(_ node: Node, source: String, key: String) throws -> (String, Bool) {
        guard case .scalar(let scalar) = node else {
            throw ConfigError(source: source, key: key, "expected a single value, got a \(node.sequence != nil ? "list" : "mapping")")
        }
        return (scalar.string, scalar.style == .singleQuoted || scalar.style == .doubleQuoted)
    }

    private static func location(_ source: String, _ node: Node) -> String {
        node.mark.map { "\(source):\($0.line)" } ?? source
    }

    /// Every cell of the grid × seeds: a name (`key=value,...,seed=N`) and its configuration.
    public func cells() -> [(name: String, config: Config)] {
        var cells: [(String, Config)] = [("", base)]
        for axis in grid {
            cells = cells.flatMap { name, config in
                axis.values.map { value in
                    var c = config
                    try! c.set(axis.key, text: value.description)  // validated at parse time
                    let short = axis.key.split(separator: ".").last.map(String.init) ?? axis.key
                    return (name.isEmpty ? "\(short)=\(value)" : "\(name),\(short)=\(value)", c)
                }
            }
        }
        guard !seeds.isEmpty else { return cells.map { ($0.0.isEmpty ? "base" : $0.0, $0.1) } }
        return cells.flatMap { name, config in
            seeds.map { seed in
                var c = config
                try! c.set("train.seed", text: String(seed))
                return (name.isEmpty ? "seed=\(seed)" : "\(name),seed=\(seed)", c)
            }
        }
    }
}
