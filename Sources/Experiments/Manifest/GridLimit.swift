import Training

/// The largest study a manifest may describe: at most `maxRuns` runs (grid cells and named
/// runs, each times its seeds; README "Experiments"). Counted from the axis lengths before the
/// grid is expanded, so a mistyped 100,000-cell grid is refused at once instead of being
/// planned for minutes in gigabytes.
public enum GridLimit {
    public static let maxRuns = 1000

    public static func check(_ document: ConfigDocument, source: String) throws {
        let seeds = max(1, document.seeds.count)
        var cells = document.grid.isEmpty && !document.runs.isEmpty ? 0 : 1
        var overflow = false
        for axis in document.grid {
            let (product, over) = cells.multipliedReportingOverflow(by: axis.values.count)
            cells = product
            overflow = overflow || over
        }
        let (gridRuns, over) = cells.multipliedReportingOverflow(by: seeds)
        overflow = overflow || over
        let named = document.runs.reduce(0) { $0 + max(1, $1.seeds.isEmpty ? seeds : $1.seeds.count) }
        let total = overflow ? Int.max : gridRuns &+ named
        guard !overflow, total <= maxRuns else {
            let axes = document.grid.map { "\($0.key) \($0.values.count)" }.joined(separator: " × ")
            throw ConfigError(source: source, key: "grid",
                              "\(overflow ? "more than \(Int.max)" : String(total)) runs (\(axes.isEmpty ? "" : axes + " × ")\(seeds) seeds + \(named) named): expected at most \(maxRuns); split the study into several manifests")
        }
    }
}
