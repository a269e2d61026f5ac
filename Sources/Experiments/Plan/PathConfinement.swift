import Foundation
import Training

/// Paths confined (README "Errors"): every path a manifest or a grid value derives — a cell's
/// run directory under `--runs-dir`, generated data and tokenizers under `--data-dir`, the
/// report under `--report-dir` — lies under the directory it belongs to, or the plan is refused
/// naming the key. Cell names made from grid values are one path component: a value's `/`,
/// `\` and `..` are escaped (`%2F`, `%5C`, `.%2E`), so `x/../../tmp` names a cell, not a place.
public enum PathConfinement {
    /// `name` as a single, harmless path component (grid cell names).
    public static func component(_ name: String) -> String {
        var out = name.replacingOccurrences(of: "/", with: "%2F")
            .replacingOccurrences(of: "\\", with: "%5C")
            .replacingOccurrences(of: "\0", with: "%00")
        while out.contains("..") { out = out.replacingOccurrences(of: "..", with: ".%2E") }
        return out
    }

    /// Whether `name` can be used as one directory name as it is.
    public static func isSafeComponent(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.contains("/") && !name.contains("\\") && !name.contains("\0")
    }

    /// Whether `url` lies strictly inside `directory` (both made absolute and `..`-free).
    public static func isInside(_ url: URL, _ directory: URL) -> Bool {
        let child = url.standardizedFileURL.path, parent = directory.standardizedFileURL.path
        return child.hasPrefix(parent.hasSuffix("/") ? parent : parent + "/")
    }

    /// Refuses a plan one of whose derived paths leaves its directory.
    public static func check(_ plan: ExperimentPlan, runsDirectory: URL) throws {
        let file = plan.manifest.url.lastPathComponent
        guard isSafeComponent(plan.manifest.name), isInside(plan.root, runsDirectory) else {
            throw ConfigError(source: file, key: "name", "'\(plan.manifest.name)': expected a name usable as one directory name (not '.', '..', no '/')")
        }
        for variant in plan.manifest.variants where !isSafeComponent(variant.name) {
            throw ConfigError(source: variant.location, key: "runs.name", "'\(variant.name)': expected a name usable as one directory name (not '.', '..', no '/')")
        }
        for step in plan.steps {
            if let dir = step.runDirectory, !isInside(dir, plan.root) {
                throw ConfigError(source: file, key: step.cell.map { "cell '\($0)'" } ?? "runs",
                                  "its run directory \(dir.standardizedFileURL.path) is outside \(plan.root.path)")
            }
            let prep = RunPreparation(settings: step.settings, dataDirectory: plan.dataDirectory)
            if let data = prep.syntheticRoot, !isInside(data, plan.dataDirectory) {
                throw ConfigError(source: file, key: "dataset.synthetic", "the generated dataset \(data.path) is outside --data-dir \(plan.dataDirectory.path)")
            }
        }
    }
}
