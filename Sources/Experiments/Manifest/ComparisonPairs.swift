import Training

/// Which cell each cell of a manifest is compared with (README "Experiments"), so that every
/// paired difference is between two cells that differ only in what the pair names.
///
/// - A named run with `base: NAME` is compared with that cell.
/// - `compare: {key: value, ...}`: every other cell whose `key` is not `value` is compared with
///   the cell that has `key: value` and equals it in every other setting (seeds aside), once per
///   listed key that has such a cell. With `compare: {page_head.pooling: attention,
///   encoder.summarizer: pointer}` a `max` cell of `page_tokens` is compared with the `attention`
///   cell of `page_tokens` and with the `max` cell of `pointer`.
/// - Neither: every cell is compared with the first (the manifest's first named run, else the
///   first grid cell).
public struct ComparisonPair: Equatable, Sendable, Codable {
    public var cell: String
    public var base: String

    public init(cell: String, base: String) {
        self.cell = cell
        self.base = base
    }

    /// The pairs of `variants` under `document`'s `base:` and `compare:`; an unknown `base`
    /// names the run's `file:line`.
    static func pairs(_ variants: [Manifest.Variant], document: ConfigDocument) throws -> [ComparisonPair] {
        var pairs: [ComparisonPair] = []
        func add(_ cell: String, _ base: String) {
            let pair = ComparisonPair(cell: cell, base: base)
            if cell != base && !pairs.contains(pair) { pairs.append(pair) }
        }
        let names = variants.map(\.name)
        var explicit = Set<String>()
        for run in document.runs {
            guard let base = run.base else { continue }
            guard names.contains(base), base != run.name else {
                throw ConfigError(source: run.location, key: "runs.base", "'\(base)': expected another cell of this manifest (\(names.joined(separator: ", ")))")
            }
            add(run.name, base)
            explicit.insert(run.name)
        }
        for variant in variants where !explicit.contains(variant.name) {
            for rule in document.compare {
                var target = variant.config
                try target.set(rule.key, text: rule.values[0].description, source: "compare")
                guard !target.differences(from: variant.config).isEmpty else { continue }  // the cell has the base's value
                if let base = variants.first(where: { $0.name != variant.name && $0.config.differences(from: target).isEmpty }) {
                    add(variant.name, base.name)
                }
            }
        }
        if document.compare.isEmpty && explicit.isEmpty, let first = names.first {
            for name in names.dropFirst() { add(name, first) }
        }
        return pairs
    }
}
