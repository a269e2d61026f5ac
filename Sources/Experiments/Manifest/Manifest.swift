import Foundation
import RunSupport
import Training

/// An experiment manifest (README "Experiments"): a base configuration, an optional `grid`
/// (Cartesian product over dotted keys), optional explicit named `runs`, and `seeds`.
/// Its variants (the manifest's cells without the seed) run once per seed.
///
/// ```swift
/// let manifest = try Manifest.load(URL(fileURLWithPath: "experiments/quickstart.yaml"), overrides: ["train.steps=50"])
/// for variant in manifest.variants { print(variant.name, variant.config.string("page_head.pooling")) }
/// ```
public struct Manifest: Sendable {
    /// One cell of the manifest: a name and its resolved configuration (seed not yet applied).
    public struct Variant: Sendable {
        public var name: String
        public var config: Config
        /// The typed, range-checked settings of `config`; a cell asking for cached mode without
        /// naming its encoder has `TrainingMode.cachedOnPlannedEncoder` (the plan trains it).
        public var settings: RunSettings
        /// Cached mode on an encoder run the plan trains (`TrainingMode.cachedOnPlannedEncoder`).
        public var requestsCachedMode: Bool { settings.mode == .cachedOnPlannedEncoder }
        /// Where it was defined (`file:line` of a `runs:` entry, or the file for grid cells).
        public var location: String
        /// Its own seeds (a named run's `seeds:`), or nil for the manifest's.
        public var seeds: [Int]? = nil
    }

    public let url: URL
    public let name: String
    public let text: String
    public let document: ConfigDocument
    public let variants: [Variant]
    /// The seeds every variant runs with (the base `train.seed` when the manifest has none).
    public let seeds: [Int]
    /// Which cell each cell's paired comparison is with (``ComparisonPair``).
    public let comparisons: [ComparisonPair]

    /// Loads, applies `--set` overrides to the base, expands and validates every cell before
    /// any work: keys, types (while parsing), ranges and paths (`ManifestValidation`).
    public static func load(_ url: URL, overrides: [String] = []) throws -> Manifest {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw ConfigError(source: url.path, key: "", "cannot read the manifest: \(FileSystemError.reason(of: error) ?? "\(error)")")
        }
        var document = try ConfigDocument.parse(text, source: url.lastPathComponent)
        try GridLimit.check(document, source: url.lastPathComponent)
        var base = document.base
        try base.apply(overrides: overrides)
        document.base = base
        let source = url.lastPathComponent
        var variants: [Variant] = []
        for run in document.runs {
            var config = base
            for (key, value) in run.settings { try config.set(key, text: value.description, source: run.location) }
            // An override on the command line wins over the manifest's per-run settings too.
            try config.apply(overrides: overrides)
            variants.append(Variant(name: run.name, config: config, settings: try decode(config, cell: run.name), location: run.location,
                                    seeds: run.seeds.isEmpty ? nil : run.seeds))
        }
        if !document.grid.isEmpty || document.runs.isEmpty {
            var gridOnly = document
            gridOnly.seeds = []
            for cell in try gridOnly.cells() {
                var config = cell.config
                try config.apply(overrides: overrides)
                // A grid value may hold '/' or '..' (a path setting): the cell's name is one path component.
                let name = PathConfinement.component(cell.name)
                variants.append(Variant(name: name, config: config, settings: try decode(config, cell: name), location: source))
            }
        }
        var seen = Set<String>()
        for v in variants where !seen.insert(v.name).inserted {
            throw ConfigError(source: source, key: "runs", "two cells are named '\(v.name)'")
        }
        let baseSettings = try decode(base, cell: "base")
        let seeds = document.seeds.isEmpty ? [Int(baseSettings.train.seed)] : document.seeds
        let manifest = Manifest(url: url, name: baseSettings.name, text: text, document: document, variants: variants, seeds: seeds,
                                comparisons: try ComparisonPair.pairs(variants, document: document))
        try ManifestValidation.check(manifest)
        return manifest
    }

    /// Typed settings (ranges, cross-key rules and what the cell's training mode requires,
    /// under the rules `mpvqa train` applies); problems name the cell. A cell that asks for
    /// cached mode without naming its encoder gets the encoder run the plan trains.
    static func decode(_ config: Config, cell: String) throws -> RunSettings {
        do { return try RunSettings(config, encoderFromPlan: true) } catch let e as ConfigError {
            throw ConfigError(source: e.source, key: e.key, e.message + " (cell '\(cell)')")
        } catch let e as ConfigProblems {
            throw ConfigProblems(e.problems.map { ConfigError(source: $0.source, key: $0.key, $0.message + " (cell '\(cell)')") })
        }
    }

    /// The seeds `variant` runs with.
    public func seeds(of variant: Variant) -> [Int] { variant.seeds ?? seeds }

    /// The variant's typed settings for `seed` (see `decode`).
    public func settings(_ variant: Variant, seed: Int) throws -> RunSettings {
        try Manifest.decode(try config(variant, seed: seed), cell: variant.name)
    }

    /// The variant's configuration for `seed`.
    public func config(_ variant: Variant, seed: Int) throws -> Config {
        var c = variant.config
        try c.set("train.seed", text: String(seed))
        return c
    }
}
