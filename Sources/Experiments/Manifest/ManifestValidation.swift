import Foundation
import Training

/// Checks every cell of a manifest before any work, beyond what decoding its `RunSettings`
/// already checked (key names, types, ranges, cross-key rules, prompts): the experiment name and
/// the paths a cell reads. Errors name the file (and line where known), the key, the value and
/// what was expected.
public enum ManifestValidation {
    public static func check(_ manifest: Manifest) throws {
        let file = manifest.url.lastPathComponent
        guard !manifest.name.isEmpty, !manifest.name.contains("/") else {
            throw ConfigError(source: file, key: "name", "'\(manifest.name)': expected a non-empty name without '/'")
        }
        for variant in manifest.variants {
            let s = variant.settings
            let cell = "cell '\(variant.name)'"
            let root = s.dataset.mpdocvqa.root
            if !root.isEmpty {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
                    throw ConfigError(source: variant.config.location(of: "dataset.mpdocvqa.root") ?? variant.location, key: "dataset.mpdocvqa.root",
                                      "'\(root)' in \(cell): no such directory")
                }
            }
            // Files and run directories a cell reads (the keys the schema has).
            for key in ["train.encoder_checkpoint", "train.encoder_run"] {
                guard case .string(let path)? = variant.config.values[key], !path.isEmpty else { continue }
                if !FileManager.default.fileExists(atPath: path) {
                    throw ConfigError(source: variant.config.location(of: key) ?? variant.location, key: key, "'\(path)' in \(cell): no such file or directory")
                }
            }
        }
    }
}
