import ArgumentParser
import Foundation
import Training

/// `mpvqa import-hf DIR --out RUN_DIR`: a Hugging Face T5 directory into an MPVQA run
/// directory (README "Hugging Face T5 import and export").
struct ImportHFCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-hf",
        abstract: "Import a Hugging Face T5ForConditionalGeneration (T5 v1.0, v1.1, Flan) into a new run directory.",
        discussion: """
        DIR holds config.json, model.safetensors (or model.safetensors.index.json and its shards; \
        F32, F16 or BF16) and optionally tokenizer.json (copied) and mpvqa_extras.safetensors (the \
        Hi-VT5 parts of an earlier export-hf). Without the side file the Hi-VT5 parts start fresh: \
        the input embeddings they add (segments, pages, layout) at zero, the page and span heads \
        random. Writes model_configuration.json, config.yaml, checkpoints/latest.safetensors, \
        tokenizer.json and import.json.
        """)

    @Argument(help: "Hugging Face model directory.")
    var directory: String

    @Option(help: "New run directory to write.")
    var out: String

    @Option(help: "Seed of the parameters that start fresh.")
    var seed: UInt64 = 1

    func run() throws {
        let imported = try HFT5Import(directory: URL(fileURLWithPath: directory), seed: seed)
        try imported.writeRun(to: URL(fileURLWithPath: out))
        for line in imported.summary { print(line) }
        print("run directory: \(out)")
    }
}
