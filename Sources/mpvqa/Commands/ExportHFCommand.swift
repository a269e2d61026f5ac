import ArgumentParser
import Foundation
import Training

/// `mpvqa export-hf --run RUN_DIR --out DIR`: a run's model as a Hugging Face T5 directory
/// (README "Hugging Face T5 import and export").
struct ExportHFCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-hf",
        abstract: "Export a run's T5 part as a Hugging Face T5ForConditionalGeneration directory.",
        discussion: """
        Writes config.json, model.safetensors (F32) and tokenizer.json, which transformers loads \
        with T5ForConditionalGeneration.from_pretrained(DIR), and mpvqa_extras.safetensors: the \
        Hi-VT5 parts (page head, span head, segment, page and layout embeddings) under their MPVQA \
        names, with the model configuration in its metadata; import-hf reads it back. Reads the \
        best checkpoint, else the latest.
        """)

    @Option(name: .customLong("run"), help: "Run directory (from train or import-hf).")
    var runDirectory: String

    @Option(help: "Directory to write (created when needed).")
    var out: String

    func run() throws {
        for line in try HFT5Export.export(run: URL(fileURLWithPath: runDirectory), to: URL(fileURLWithPath: out)) { print(line) }
    }
}
