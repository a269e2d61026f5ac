import ArgumentParser
import TensorCore

@main
struct MPVQA: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mpvqa",
        abstract: "Multi-page document VQA with hierarchical encoder-decoder models.",
        subcommands: [SynthCommand.self, DataCommand.self, TokenizerCommand.self, TrainCommand.self, EvalCommand.self, GenerateCommand.self,
                      ScoreCommand.self, CacheCommand.self, RunCommand.self, ReportCommand.self, BenchCommand.self, ConfigCommand.self,
                      ImportHFCommand.self, ExportHFCommand.self])
}
