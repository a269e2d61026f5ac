import TensorCore

/// One question's work at a benchmark shape, timed by `ReferenceBenchmark`.
public protocol BenchmarkStep: AnyObject {
    /// One forward pass over all pages of one question, no gradients recorded.
    func forward()
    /// The training loss of one question (scalar, on the tape).
    func loss() -> Tensor
    /// The optimizer update from the accumulated gradients, which it then clears.
    func update()
}

extension BenchmarkStep {
    /// One training step: `loss()`, `backward()`, `update()`.
    public func trainStep() {
        loss().backward()
        update()
    }

    /// `trainStep()` with the wall time of each phase added to `phases`.
    func timedTrainStep(_ phases: inout TrainStepPhases) {
        var start = BenchTiming.now()
        func lap(_ keyPath: WritableKeyPath<TrainStepPhases, Double>) {
            let now = BenchTiming.now()
            phases[keyPath: keyPath] += now - start
            start = now
        }
        do {
            let l = loss()
            lap(\.forward)
            l.backward()
            lap(\.backward)
        }
        lap(\.release)  // the tape and its saved tensors are freed here
        update()
        lap(\.update)
        phases.steps += 1
    }
}

/// Where a training step's wall time goes, summed over `steps` steps.
public struct TrainStepPhases: Sendable {
    public var forward = 0.0, backward = 0.0, release = 0.0, update = 0.0
    public var steps = 0

    /// One line, per step: `forward 60.1 ms, backward 110.2 ms, ...`.
    public var summary: String {
        let n = Double(max(steps, 1))
        let parts = [("forward", forward), ("backward", backward), ("tape release", release), ("AdamW + zero grad", update)]
        return parts.map { String(format: "%@ %.1f ms", $0.0, $0.1 / n * 1e3) }.joined(separator: ", ")
    }
}

/// The `mpvqa bench` measurement (README "Performance"): forward and training-step time of the reference
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
        public var report: BenchReport
        public let profile: OpProfile?
        /// Phases of the profiled training steps (measured in the same steps as `profile`).
        public let phases: TrainStepPhases?
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

        var profile: OpProfile? = nil, phases: TrainStepPhases? = nil
        if options.profileSteps > 0 {
            var measured = TrainStepPhases()
            OpProfiler.enable()
            for _ in 0..<options.profileSteps {
                OpProfiler.mark()
                step.timedTrainStep(&measured)
            }
            OpProfiler.disable()
            profile = OpProfiler.snapshot()
            phases = measured
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
        return Outcome(report: report, profile: profile, phases: phases, ceiling: split)
    }
}
