import ArgumentParser
import FeatureStore
import Foundation
import TensorCore

/// `mpvqa cache …`: the HDF5 feature cache of page summaries S(q, p) (README "Feature cache (HDF5)").
struct CacheCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Work with HDF5 feature caches of page summaries S(q, p).",
        subcommands: [Build.self, Inspect.self, Verify.self, WritePattern.self], defaultSubcommand: Build.self)

    /// `mpvqa cache verify FILE`.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read every row of a cache file: row digests (stored bytes undamaged), finite summaries, slot tokens in range.",
            discussion: "Exits non-zero with a one-line message naming the file, the dataset and the row (and its questionId) of the first problem. Files from before row digests (version 2) are read and reported as unchecked.")

        @Argument(help: "The cache file (.h5).")
        var file: String

        func run() throws {
            let reader = try FeatureCacheReader(url: URL(fileURLWithPath: file))
            print(try FeatureCacheVerification.verify(reader).text)
        }
    }

    /// `mpvqa cache inspect FILE [--json]`.
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a cache file's schema, counts (rows, questions), K, d, dtype, encoder hash, prompt and completeness.",
            discussion: "Exits non-zero, naming the dataset or attribute, when the file does not follow the mpvqa-features schema.")

        @Argument(help: "The cache file (.h5).")
        var file: String

        @Flag(help: "Print JSON (file, format, version, complete, rows, questions, K, d, dtype, encoder_hash, prompt_template, datasets, ...).")
        var json = false

        func run() throws {
            let info = try FeatureCacheInspection(url: URL(fileURLWithPath: file))
            print(json ? try info.json() : info.text)
        }
    }

    /// Writes a cache whose values follow a fixed formula, one committed batch at a time,
    /// printing `committed <rows>` after each commit. The crash tests SIGKILL it mid-run and
    /// check that every committed row survives and that a rerun resumes after them.
    struct WritePattern: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "write-pattern",
            abstract: "Write a cache of formula rows (for crash tests): S[r, k, j] = (131·r + 7·k + j) mod 2048.",
            shouldDisplay: false)

        @Argument(help: "The cache file to create or resume.")
        var file: String

        @Option(help: "Total rows.") var rows: Int
        @Option(help: "Rows per committed batch.") var batch: Int = 16
        @Option(help: "Pages per question (question r / pages, page r mod pages).") var pages: Int = 8
        @Option(name: .customLong("K"), help: "Summary tokens.") var summaryTokens: Int = 4
        @Option(name: .customLong("d"), help: "Summary width.") var modelDim: Int = 32
        @Option(help: "float32 or float16.") var dtype: String = "float32"
        @Option(help: "Rows to reserve at creation.") var reserve: Int = 0
        @Flag(help: "Skip fsync.") var noSync = false
        @Flag(help: "Leave the file unfinished (complete = 0).") var noFinish = false

        func run() throws {
            guard let storage = FeatureDType(rawValue: dtype) else { throw ValidationError("--dtype must be float32 or float16, got \(dtype)") }
            let header = FeatureCacheHeader(summaryTokens: summaryTokens, modelDim: modelDim, dtype: storage,
                                            encoderHash: "pattern", promptTemplate: "{question}", split: "pattern")
            let writer = try FeatureCacheWriter(url: URL(fileURLWithPath: file), header: header,
                                                options: .init(reserveRows: reserve, syncToDisk: !noSync))
            report("resumed \(writer.rows)")
            var row = writer.rows
            while row < rows {
                let n = min(batch, rows - row)
                var values = [Float](repeating: 0, count: n * summaryTokens * modelDim)
                for i in 0..<n {
                    for k in 0..<summaryTokens {
                        for j in 0..<modelDim { values[(i * summaryTokens + k) * modelDim + j] = Float((131 * (row + i) + 7 * k + j) % 2048) }
                    }
                }
                let range = row..<row + n
                try writer.append(summaries: Tensor(values, shape: [n, summaryTokens, modelDim]),
                                  questionIds: range.map { Int64($0 / pages) }, pageIndices: range.map { Int32($0 % pages) },
                                  pageIds: range.map { "q\($0 / pages)-p\($0 % pages)" })
                row += n
                report("committed \(row)")
            }
            if noFinish { try writer.close() } else { try writer.finish() }
            report("done \(row)")
        }

        private func report(_ line: String) {
            // Unbuffered: the line must be out before the next batch, in case the process is killed.
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
    }
}
