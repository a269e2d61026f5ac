import ArgumentParser
import Experiments
import FeatureStore
import Foundation
import TensorCore

/// `mpvqa bench`: the performance contract of README "Performance" (thin: parses, validates, calls Experiments).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the reference training step, its sgemm ceiling, and check the BLAS kernel.",
        discussion: """
            Reference shape (README "Performance"): encoder 4 layers, d 256, 4 heads, FFN 1024, 160 tokens per page,
            K = 8, 8 pages per question; decoder 2 layers, 16 answer tokens, vocabulary 4096.
            Run a release build (swift build -c release) for meaningful numbers.
            """)

    @Flag(help: "Print the results as JSON (the keys of the README section \"Commands\") instead of a table.")
    var json = false

    @Option(help: "Worker threads (default: all cores). BLAS runs one thread per worker.")
    var threads: Int?

    @Flag(help: "Check the loaded BLAS kernel's sgemm against a naive reference on a table of shapes, then exit (non-zero on a mismatch).")
    var checkKernel = false

    @Flag(help: "Measure only the sgemm ceiling of the reference shapes (no model).")
    var sgemmOnly = false

    @Flag(help: "Also profile training steps (see --profile-steps) and print the time per op.")
    var profile = false

    @Option(help: "Training steps run under the op profiler with --profile.")
    var profileSteps = 5

    @Option(help: "Timed rounds (each: one forward pass, one training step, one ceiling pass per mode).")
    var repeats = 10

    @Option(help: "Untimed warm-up rounds.")
    var warmup = 3

    @Flag(help: .hidden)
    var printCoretype = false

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        if repeats < 1 { throw ValidationError("--repeats must be at least 1, got \(repeats)") }
        if warmup < 0 { throw ValidationError("--warmup must be at least 0, got \(warmup)") }
        if profileSteps < 1 { throw ValidationError("--profile-steps must be at least 1, got \(profileSteps)") }
    }

    func run() throws {
        if let threads { Parallel.threads = threads }
        if printCoretype {
            // For the Makefile: the OPENBLAS_CORETYPE this process runs with after selection
            // (empty when OpenBLAS's own detection was kept).
            print(ProcessInfo.processInfo.environment[BLASKernelSelection.coreTypeVariable] ?? "")
            return
        }
        if checkKernel {
            let report = BLASKernelCheck.run()
            if json {
                print(try KernelCheckJSON(report).jsonString())
            } else {
                print(BLASRuntime.summary)
                print(report.table)
            }
            if !report.passed { throw ExitCode.failure }
            return
        }
        if sgemmOnly {
            let ceiling = SgemmCeiling(ReferenceShape.spec.trainingProducts)
            print(BLASRuntime.summary)
            for mode in SgemmCeiling.Mode.allCases {
                let r = ceiling.measure(mode: mode, repeats: repeats)
                print(String(format: "sgemm ceiling (%@): %.1f GFLOP/s, %.1f ms per training step's products",
                             mode.rawValue, r.gflops, r.totalSeconds * 1e3))
            }
            return
        }
        let shape = ReferenceShape.spec
        let step = ReferenceStep(shape: shape, seed: 1)
        var outcome = ReferenceBenchmark.run(step: step, shape: shape,
                                             options: .init(warmup: warmup, repeats: repeats, profileSteps: profile ? profileSteps : 0))
        outcome.report.decode = DecodeBenchmark.run(repeats: max(1, min(repeats, 3)))
        let h5 = try FeatureStoreThroughput.measure(directory: FileManager.default.temporaryDirectory)
        var cache = HDF5Throughput(writeMBPerSecond: h5.writeMBPerSecond, readMBPerSecond: h5.readMBPerSecond)
        cache.questionReadMicroseconds = h5.questionReadMedianMicroseconds
        cache.questionReadMaxMicroseconds = h5.questionReadMaxMicroseconds
        if let py = H5pyThroughput.measure() {
            cache.h5pyWriteMBPerSecond = py.writeMBPerSecond
            cache.h5pyReadMBPerSecond = py.readMBPerSecond
            cache.h5pyQuestionReadMicroseconds = py.questionReadMicroseconds
        }
        let cachedStep = try CachedReferenceStep(shape: shape, seed: 1, directory: FileManager.default.temporaryDirectory)
        let cachedMs = BenchTiming.median(BenchTiming.samples(warmup: 2, repeats: max(3, repeats)) { cachedStep.trainStep() }) * 1e3
        cache.cachedTrainStepMs = cachedMs
        cache.cachedToEndToEndStepRatio = cachedMs / max(outcome.report.reference.trainStepMs, 1e-9)
        outcome.report.hdf5 = cache
        if json {
            print(try outcome.report.jsonString())
        } else {
            print(outcome.report.table)
            if let p = outcome.profile {
                print("\nop profile (\(profileSteps) training steps, per step):")
                print(p.table(steps: profileSteps))
            }
            if let phases = outcome.phases { print("train step phases (profiled steps): \(phases.summary)") }
        }
    }
}

/// The `--check-kernel --json` output: the kernel, how it was chosen, and the verdict.
private struct KernelCheckJSON: Encodable {
    let blasKernel: String
    let blasSummary: String
    let openblasCoretype: String?
    let reexecutedFrom: String?
    let passed: Bool
    let cases: Int
    let worstRatio: Double

    init(_ report: BLASKernelCheck.Report) {
        let env = ProcessInfo.processInfo.environment
        blasKernel = report.kernel
        blasSummary = BLASRuntime.summary
        openblasCoretype = env[BLASKernelSelection.coreTypeVariable]
        reexecutedFrom = env[BLASKernelSelection.reexecGuardVariable]
        passed = report.passed
        cases = report.cases.count
        worstRatio = min(report.cases.map(\.worstRatio).max() ?? 0, .greatestFiniteMagnitude)  // JSON has no infinity
    }

    enum CodingKeys: String, CodingKey {
        case blasKernel = "blas_kernel", blasSummary = "blas_summary", openblasCoretype = "openblas_coretype"
        case reexecutedFrom = "reexecuted_from", passed, cases, worstRatio = "worst_ratio"
    }

    func jsonString() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
