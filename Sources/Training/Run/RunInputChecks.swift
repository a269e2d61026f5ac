import DocData
import Foundation

/// The paths a training reads, checked before its first write (README "Errors"): the released
/// dataset's root and its train and val question files, the encoder run and the external
/// feature files of cached mode. Each refusal names the key, where it was set and the path.
public enum RunInputChecks {
    public static func check(_ settings: RunSettings) throws {
        let config = settings.config
        func refuse(_ key: String, _ message: String) -> ConfigError {
            ConfigError(source: config.location(of: key) ?? "config", key: key, message)
        }
        let root = settings.dataset.mpdocvqa.root
        if !root.isEmpty {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory) else {
                throw refuse("dataset.mpdocvqa.root", "'\(root)': no such directory (expected the root of an MP-DocVQA copy)")
            }
            guard isDirectory.boolValue else {
                throw refuse("dataset.mpdocvqa.root", "'\(root)': is a file (expected the root directory of an MP-DocVQA copy)")
            }
            let layout = DatasetLayout(root: URL(fileURLWithPath: root), imagesDirectory: settings.dataset.mpdocvqa.imagesDirectory,
                                       ocrDirectory: settings.dataset.mpdocvqa.ocrDirectory)
            for split in ["train", "val"] {
                let file = layout.url(layout.questionFile(split))
                guard FileManager.default.isReadableFile(atPath: file.path) else {
                    throw refuse("dataset.mpdocvqa.root", "'\(root)': has no readable question file \(file.path) for split \(split)")
                }
            }
        }
        guard settings.mode.isCached else { return }
        for (key, path) in [("train.encoder_run", settings.train.encoderRun), ("train.features.train", settings.train.features.train),
                            ("train.features.dev", settings.train.features.dev), ("train.features.val", settings.train.features.val),
                            ("train.features.test", settings.train.features.test)] where !path.isEmpty {
            guard FileManager.default.fileExists(atPath: path) else { throw refuse(key, "'\(path)': no such file or directory") }
        }
    }
}
