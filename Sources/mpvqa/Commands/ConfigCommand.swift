import ArgumentParser
import Foundation
import Training

/// `mpvqa config check FILE [--set key=value]...` and `mpvqa config keys [--json]`.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check a training config, or list every key with its type, range and default.",
        subcommands: [ConfigCheckCommand.self, ConfigKeysCommand.self])
}

/// Validates a config exactly as `mpvqa train` does before any work, and writes nothing.
struct ConfigCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a config (types, ranges, cross-key rules) without training; exit 1 with one line per problem.")

    @Argument(help: "Training config (YAML).")
    var file: String

    @Option(name: .customLong("set"), help: "Override a config key (repeatable), as for `mpvqa train`.")
    var overrides: [String] = []

    func run() throws {
        var config = try Config.load(URL(fileURLWithPath: file))
        try config.apply(overrides: overrides)
        let settings = try RunSettings(config)
        print("\(file): valid (\(config.explicitKeys.count) keys set, the rest default); run \(settings.name), \(settings.train.steps) steps")
    }
}

/// Lists the schema: every key, its type with range or options, its default and meaning.
struct ConfigKeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "List every config key with its type, range or options, and default.")

    @Flag(help: "Print JSON: [{key, type, min, max, options, default, doc}].")
    var json = false

    func run() throws {
        if json {
            let rows: [[String: Any]] = ConfigSchema.keys.map { key in
                var row: [String: Any] = ["key": key.name, "default": key.defaultValue.description, "doc": key.doc]
                switch key.type {
                case .int(let r): row["type"] = "int"; row["min"] = r.lowerBound; row["max"] = r.upperBound
                case .double(let r): row["type"] = "double"; row["min"] = r.lowerBound; row["max"] = r.upperBound
                case .bool: row["type"] = "bool"
                case .text: row["type"] = "text"
                case .choice(let options): row["type"] = "choice"; row["options"] = options
                }
                return row
            }
            let data = try JSONSerialization.data(withJSONObject: rows, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            for key in ConfigSchema.keys { print("\(key.name): \(key.type) (default \(key.defaultValue)) — \(key.doc)") }
        }
    }
}
