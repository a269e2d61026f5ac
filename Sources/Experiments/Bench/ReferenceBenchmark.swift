import TensorCore

/// One question's work at a benchmark shape, timed by `ReferenceBenchmark`.
public protocol BenchmarkStep: AnyObject {
    /// One forward pass over all pages of one question, no gradients recorded.
    func forward()
    /// One training step of one question: forward, backward and the optimizer update.
    func trainStep()
}

/// The `mpvqa bench` measurement (SPEC §8): forward and training-step time of the reference
/// shape, their achieved GFLOP/s from an analytic FLOP count, and the sgemm ceiling of the
/// same matrix product shapes measured in the same run.
///
/// Rounds interleave one forward pass, one training step and one pass of each ceiling, so
/// that a change in machine load (other processes on a shared machine) hits all of them
/// alike and their ratios stay meaningful; medians over rounds are reported.
///
/// ```swift
/// let step = ReferenceStep(shape: .spec, seed: 1)
/// let outcome = ReferenceBenchmark.run(step: step, shape: .spec, options: .init())
/// print(outcome.report.table)
/// ```
public enum ReferenceBenchmark {
    public struct Options: Sendable {
        /// Untimed rounds first (buffer pool fill, thread pools, caches).
        public var warmup = 3
        /// Timed rounds.
        public var repeats = 10
        /// Extra training steps run under `OpProfiler` (0: no profile).
        public var profileSteps = 0

        public init(warmup: Int = 3, repeats: Int = 10, profileSteps: Int = 0) {
            self.warmup = warmup
            self.repeats = repeats
            self.profileSteps = profileSteps
        }
    }

    /// The report and, when profiled, the op profile of `profileSteps` training steps.
    public struct Outcome: Sendable {
        public let report: BenchReport
        public let profile: OpProfile?
        /// Per-product times of the worker-split ceiling.
        public let ceiling: SgemmCeiling.Result
    }

    public static func run(step: BenchmarkStep, shape: ReferenceShape, options: Options) -> Outcome {
        let trainProducts = shape.trainingProducts
        let ceiling = SgemmCeiling(trainProducts)
        var forwardTimes: [Double] = [], trainTimes: [Double] = []
        var splitPasses: [[Double]] = [], blasPasses: [[Double]] = []
        for round in 0..<(options.warmup + max(options.repeats, 1)) {
            let f = BenchTiming.time { step.forward() }
            let t = BenchTiming.time { step.trainStep() }
            let split = ceiling.pass(mode: .workerSplit)
            let blas = ceiling.pass(mode: .blasThreads)
            guard round >= options.warmup else { continue }
            forwardTimes.append(f)
            trainTimes.append(t)
            splitPasses.append(split)
            blasPasses.append(blas)
        }

        var profile: OpProfile? = nil
        if options.profileSteps > 0 {
            OpProfiler.enable()
            for _ in 0..<options.profileSteps {
                OpProfiler.mark()
                step.trainStep()
            }
            OpProfiler.disable()
            profile = OpProfiler.snapshot()
        }

        let split = ceiling.result(mode: .workerSplit, passes: splitPasses)
        let blas = ceiling.result(mode: .blasThreads, passes: blasPasses)
        let forwardSeconds = BenchTiming.median(forwardTimes), trainSeconds = BenchTiming.median(trainTimes)
        let forwardFlops = Double(shape.forwardProducts.flops), trainFlops = Double(trainProducts.flops)
        let pages = Double(shape.pages)
        let timings = ReferenceTimings(
            forwardMs: forwardSeconds * 1e3,
            trainStepMs: trainSeconds * 1e3,
            pagesPerS: pages / trainSeconds,
            forwardPagesPerS: pages / forwardSeconds,
            trainGflops: trainFlops / trainSeconds * 1e-9,
            forwardGflops: forwardFlops / forwardSeconds * 1e-9,
            sgemmCeilingGflops: split.gflops,
            sgemmCeilingMs: split.totalSeconds * 1e3,
            sgemmCeilingBLASThreadsGflops: blas.gflops,
            trainGflopPerStep: trainFlops * 1e-9,
            forwardGflopPerStep: forwardFlops * 1e-9,
            gemmGflopPerStepCounted: profile.map { Double($0.gemmFlops) / Double(options.profileSteps) * 1e-9 },
            forwardSamplesMs: forwardTimes.map { $0 * 1e3 },
            trainSamplesMs: trainTimes.map { $0 * 1e3 },
            shape: shape)
        let report = BenchReport(blasKernel: BLASRuntime.kernelName, blasSummary: BLASRuntime.summary,
                                 threads: Parallel.threads, reference: timings,
                                 peakRSSMB: Double(BenchTiming.peakResidentBytes()) / 1_048_576)
        return Outcome(report: report, profile: profile, ceiling: split)
    }
}
