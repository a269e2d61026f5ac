import ArgumentParser
import TensorCore

@main
struct MPVQA: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mpvqa",
        abstract: "Multi-page document VQA with hierarchical encoder-decoder models.",
        subcommands: [DataCommand.self, ScoreCommand.self, TokenizerCommand.self])
}
