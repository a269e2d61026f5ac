/// A manifest's `seeds:` (and a named run's): at least one seed, none twice (README
/// "Experiments"). An empty list would silently run the base seed; a repeated seed would
/// map two runs onto one run directory and fail half way through the grid.
public enum SeedList {
    public static func check(_ seeds: [Int], source: String, key: String) throws {
        guard !seeds.isEmpty else {
            throw ConfigError(source: source, key: key, "[]: expected a non-empty list of integers (leave the key out to run train.seed once)")
        }
        var seen = Set<Int>()
        for seed in seeds where !seen.insert(seed).inserted {
            throw ConfigError(source: source, key: key, "\(seed) appears twice: expected distinct seeds (each seed is one run directory)")
        }
    }
}
