import Foundation
import Yams

/// One axis of an ablation grid: a key and the values it takes.
public struct GridAxis: Equatable, Sendable {
    public var key: String
    public var values: [ConfigValue]
}

/// One explicitly named cell of a manifest (`runs: [{name: e2e, set: {train.mode: end_to_end}}]`):
/// the base configuration with `settings` applied, in order, optionally with its own seeds.
public struct NamedRun: Equatable, Sendable {
    public var name: String
    public var settings: [(key: String, value: ConfigValue)]
    /// Seeds of this run alone (empty: the manifest's `seeds`).
    public var seeds: [Int] = []
    /// The cell this run's paired comparison is with (`base: NAME`), or nil for the manifest's rule.
    public var base: String? = nil
    /// `file:line` of the entry, for errors found later (e.g. a missing path).
    public var location: String

    public static func == (a: NamedRun, b: NamedRun) -> Bool {
        a.name == b.name && a.location == b.location && a.seeds == b.seeds && a.base == b.base && a.settings.map(\.key) == b.settings.map(\.key)
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
    /// `compare: {key: value, ...}`: every cell is compared with the cell that has one of these
    /// keys at its listed value and equals it in every other setting (README "Experiments").
    public var compare: [GridAxis] = []

    /// Parses and validates `url`; every error names the file, line and key.
    public static func load(_ url: URL) throws -> ConfigDocument {
        let bytes = try ConfigDocument.readBytes(url)
        let name = url.lastPathComponent
        guard !bytes.isEmpty else {
            throw ConfigError(source: url.path, key: "", "the file is empty: expected YAML sections (name:, train:, ...); see experiments/*.yaml")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigError(source: url.path, key: "", "not UTF-8 text (first invalid byte at offset \(firstInvalidUTF8Offset(bytes)))")
        }
        return try parse(text, source: name)
    }

    /// The bytes of a config file; a missing file, a directory or an unreadable file get a
    /// plain-words error naming the path.
    static func readBytes(_ url: URL) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ConfigError(source: url.path, key: "", "cannot read the config: no such file")
        }
        if isDirectory.boolValue { throw ConfigError(source: url.path, key: "", "cannot read the config: it is a directory, expected a YAML file") }
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw ConfigError(source: url.path, key: "", "cannot read the config: permission denied")
        }
        defer { try? handle.close() }
        // 16 MiB is far beyond any config; refusing more keeps a mistaken path (a dataset, /dev/zero) from filling memory.
        let limit = 16 << 20
        let data = (try? handle.read(upToCount: limit + 1)) ?? Data()
        guard data.count <= limit else { throw ConfigError(source: url.path, key: "", "cannot read the config: larger than 16 MiB, not a config file") }
        return [UInt8](data)
    }

    /// The byte offset of the first byte that does not start a valid UTF-8 sequence.
    static func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): offset += encoded.count
            case .error: return offset
            case .emptyInput: return offset
            }
        }
    }

    /// Parses YAML text (`source` names it in errors). Every problem found is reported
    /// (one line each); an empty document is an error.
    public static func parse(_ text: String, source: String) throws -> ConfigDocument {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            let oneLine = "\(error)".split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
            // The parser echoes the offending line; keep the message short whatever the file holds.
            let short = oneLine.count > 240 ? String(oneLine.prefix(240)) + "…" : oneLine
            throw ConfigError(source: source, key: "", "not valid YAML: \(short)")
        }
        var document = ConfigDocument(base: Config(), grid: [], seeds: [])
        guard let root else {
            throw ConfigError(source: source, key: "", "holds no settings (only comments or blank lines): expected YAML sections (name:, train:, ...)")
        }
        guard let mapping = root.mapping else {
            throw ConfigError(source: location(source, root), key: "", "expected a mapping of sections at the top level (name:, train:, ...), got a \(kind(root))")
        }
        var problems: [ConfigError] = []
        func collect(_ body: () throws -> Void) {
            do { try body() } catch let e as ConfigError { problems.append(e) } catch let e as ConfigProblems { problems += e.problems } catch {
                problems.append(ConfigError(source: source, key: "", "\(error)"))
            }
        }
        for (keyNode, value) in mapping {
            collect {
                guard let key = keyNode.string, case .scalar = keyNode else { throw ConfigError(source: location(source, keyNode), key: "", "a key is not a string") }
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
                            values.append(name.hasPrefix("prompts.") ? .string(scalar) : probe.rawValue(name) ?? .string(scalar))
                        }
                        document.grid.append(GridAxis(key: name, values: values))
                    }
                case "compare":
                    guard let pairs = value.mapping else { throw ConfigError(source: where_, key: "compare", "expected a mapping of key: value (the base's value of each compared key)") }
                    for (keyNode, item) in pairs {
                        guard let name = keyNode.string else { throw ConfigError(source: where_, key: "compare", "a key is not a string") }
                        let at = location(source, keyNode)
                        guard ConfigSchema.key(name) != nil else {
                            throw ConfigError(source: at, key: "compare.\(name)", "unknown key" + (ConfigSchema.closest(to: name).map { " (did you mean \($0)?)" } ?? ""))
                        }
                        var probe = Config()
                        let (scalar, quoted) = try scalarText(item, source: at, key: "compare.\(name)")
                        try probe.set(name, text: scalar, quoted: quoted, source: at)
                        document.compare.append(GridAxis(key: name, values: [probe.rawValue(name) ?? .string(scalar)]))
                    }
                case "runs":
                    guard let list = value.sequence else { throw ConfigError(source: where_, key: "runs", "expected a list of {name: NAME, set: {key: value, ...}}") }
                    for entry in list { try document.runs.append(namedRun(entry, source: source, existing: document.runs)) }
                case "seeds":
                    guard let list = value.sequence else { throw ConfigError(source: where_, key: "seeds", "expected a list of integers") }
                    document.seeds = try list.map {
                        guard let s = $0.int, (0...ConfigSchema.maxSeed).contains(s) else {
                            throw ConfigError(source: location(source, $0), key: "seeds", "\(Config.shown($0.string ?? "?", quoted: false)): expected an integer in 0…\(ConfigSchema.maxSeed)")
                        }
                        return s
                    }
                    try SeedList.check(document.seeds, source: where_, key: "seeds")
                default:
                    try flatten(value, prefix: key, source: source, into: &document.base, problems: &problems)
                }
            }
        }
        try ConfigProblems.throwIfAny(problems)
        document.base.sourceName = source
        return document
    }

    /// One entry of `runs:`: `{name: NAME, set: {key: value, ...}, seeds: [..]}`, every key and value checked.
    private static func namedRun(_ entry: Node, source: String, existing: [NamedRun]) throws -> NamedRun {
        let at = location(source, entry)
        guard let fields = entry.mapping else { throw ConfigError(source: at, key: "runs", "expected {name: NAME, set: {key: value, ...}}") }
        var name: String?, settings: [(key: String, value: ConfigValue)] = [], seeds: [Int] = [], base: String?
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
                    if ConfigSchema.key(key) == nil && !key.hasPrefix("prompts.") {
                        throw ConfigError(source: keyAt, key: key, "unknown key" + (ConfigSchema.closest(to: key).map { " (did you mean \($0)?)" } ?? ""))
                    }
                    var probe = Config()
                    let (scalar, quoted) = try scalarText(v, source: keyAt, key: key)
                    try probe.set(key, text: scalar, quoted: quoted, source: keyAt)
                    settings.append((key, key.hasPrefix("prompts.") ? .string(scalar) : probe.rawValue(key) ?? .string(scalar)))
                }
            case "base":
                guard let b = fieldValue.string, !b.isEmpty else { throw ConfigError(source: fieldAt, key: "runs.base", "expected the name of the cell this run is compared with") }
                base = b
            case "seeds":
                guard let list = fieldValue.sequence, !list.isEmpty else { throw ConfigError(source: fieldAt, key: "runs.seeds", "expected a non-empty list of integers") }
                seeds = try list.map {
                    guard let s = $0.int, (0...ConfigSchema.maxSeed).contains(s) else {
                        throw ConfigError(source: location(source, $0), key: "runs.seeds", "\($0.string ?? "?"): expected an integer in 0…\(ConfigSchema.maxSeed)")
                    }
                    return s
                }
                try SeedList.check(seeds, source: fieldAt, key: "runs.seeds")
            default:
                throw ConfigError(source: fieldAt, key: "runs.\(fieldNode.string ?? "?")", "unknown field (expected name, set, seeds or base)")
            }
        }
        guard let name else { throw ConfigError(source: at, key: "runs", "every run needs a name") }
        guard !existing.contains(where: { $0.name == name }) else { throw ConfigError(source: at, key: "runs.name", "'\(name)' is used twice") }
        return NamedRun(name: name, settings: settings, seeds: seeds, base: base, location: at)
    }

    private static func kind(_ node: Node) -> String {
        switch node {
        case .scalar: return "single value"
        case .sequence: return "list"
        case .mapping: return "mapping"
        case .alias: return "alias"
        }
    }

    private static func flatten(_ node: Node, prefix: String, source: String, into config: inout Config, problems: inout [ConfigError]) throws {
        let at = location(source, node)
        if let mapping = node.mapping {
            guard prefix == "prompts" || ConfigSchema.isSection(prefix) else {
                if ConfigSchema.key(prefix) != nil {
                    throw ConfigError(source: at, key: prefix, "expected a single value (\(ConfigSchema.key(prefix)?.type.description ?? "")), got a mapping")
                }
                throw ConfigError(source: at, key: prefix, "unknown section" + (ConfigSchema.closest(to: prefix).map { " (did you mean \($0)?)" } ?? ""))
            }
            for (keyNode, value) in mapping {
                do {
                    guard let key = keyNode.string, case .scalar = keyNode else {
                        throw ConfigError(source: location(source, keyNode), key: prefix, "a key is not a string")
                    }
                    try flatten(value, prefix: "\(prefix).\(key)", source: source, into: &config, problems: &problems)
                } catch let e as ConfigError { problems.append(e) }
            }
            return
        }
        if prefix == "prompts" || ConfigSchema.isSection(prefix) {
            let keys = prefix == "prompts" ? "name: template" : ConfigSchema.keys(in: prefix).prefix(3).joined(separator: ", ") + ", ..."
            throw ConfigError(source: at, key: prefix, "expected a mapping of keys (\(keys)), got a \(kind(node))")
        }
        if ConfigSchema.key(prefix) == nil, !prefix.hasPrefix("prompts.") {
            throw ConfigError(source: at, key: prefix, "unknown key" + (ConfigSchema.closest(to: prefix).map { " (did you mean \($0)?)" } ?? ""))
        }
        let (text, quoted) = try scalarText(node, source: at, key: prefix)
        try config.set(prefix, text: text, quoted: quoted, source: at)
    }

    private static func scalarText(_ node: Node, source: String, key: String) throws -> (String, Bool) {
        guard case .scalar(let scalar) = node else {
            let expected = ConfigSchema.key(key).map { " (\($0.type))" } ?? ""
            throw ConfigError(source: source, key: key, "expected a single value\(expected), got a \(kind(node))")
        }
        return (scalar.string, scalar.style == .singleQuoted || scalar.style == .doubleQuoted)
    }

    private static func location(_ source: String, _ node: Node) -> String {
        node.mark.map { "\(source):\($0.line)" } ?? source
    }

    /// Every cell of the grid × seeds: a name (`key=value,...,seed=N`) and its configuration.
    public func cells() throws -> [(name: String, config: Config)] {
        var cells: [(String, Config)] = [("", base)]
        for axis in grid {
            cells = try cells.flatMap { name, config in
                try axis.values.map { value in
                    var c = config
                    try c.set(axis.key, text: value.description)  // validated at parse time
                    let short = axis.key.split(separator: ".").last.map(String.init) ?? axis.key
                    return (name.isEmpty ? "\(short)=\(value)" : "\(name),\(short)=\(value)", c)
                }
            }
        }
        guard !seeds.isEmpty else { return cells.map { ($0.0.isEmpty ? "base" : $0.0, $0.1) } }
        return try cells.flatMap { name, config in
            try seeds.map { seed in
                var c = config
                try c.set("train.seed", text: String(seed))
                return (name.isEmpty ? "seed=\(seed)" : "\(name),seed=\(seed)", c)
            }
        }
    }
}
