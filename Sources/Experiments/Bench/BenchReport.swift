import Foundation

/// What `mpvqa bench` measured: the JSON keys of README "Commands" (`blas_kernel`, `threads`,
/// `reference`), plus the BLAS summary line, the OpenBLAS-threaded ceiling and peak RSS.
public struct BenchReport: Codable, Sendable {
    /// OpenBLAS's kernel name (`Haswell`, `SkylakeX`, …).
    public var blasKernel: String
    /// `BLASRuntime.summary`: library, kernel and its origin, threads.
    public var blasSummary: String
    /// Worker threads (`Parallel.threads`); BLAS runs one thread per worker.
    public var threads: Int
    /// The reference training step (README "Performance").
    public var reference: ReferenceTimings
    /// Peak resident set size of the whole bench, MiB.
    public var peakRSSMB: Double
    /// Decoding cost per token with and without the KV cache (nil when not measured).
    public var decode: DecodeTimings?
    /// Feature-cache (HDF5) throughput (nil when not measured).
    public var hdf5: HDF5Throughput?

    enum CodingKeys: String, CodingKey {
        case blasKernel = "blas_kernel", blasSummary = "blas_summary", threads, reference, peakRSSMB = "peak_rss_mb", decode, hdf5
    }

    /// The report as one JSON object (sorted keys, pretty-printed).
    public func jsonString() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// A human-readable table.
    public var table: String {
        let r = reference
        func f(_ x: Double, _ d: Int = 1) -> String { String(format: "%.\(d)f", x) }
        func row(_ name: String, _ value: String) -> String { name.padding(toLength: 48, withPad: " ", startingAt: 0) + value }
        var lines = [
            "mpvqa bench: \(blasSummary)",
            "reference shape: \(r.shapeDescription)",
            row("forward per question", "\(f(r.forwardMs)) ms  (median of \(r.forwardSamplesMs.count); \(f(r.forwardGflops)) GFLOP/s)"),
            row("train step per question (fwd+bwd+AdamW)", "\(f(r.trainStepMs)) ms  (median of \(r.trainSamplesMs.count))"),
            row("pages/s (training)", f(r.pagesPerS)),
            row("pages/s (forward only)", f(r.forwardPagesPerS)),
            row("matrix products per step", "\(f(r.trainGflopPerStep, 2)) GFLOP train, \(f(r.forwardGflopPerStep, 2)) GFLOP forward"),
            row("achieved (train step)", "\(f(r.trainGflops)) GFLOP/s"),
            row("sgemm ceiling, same shapes (worker split)", "\(f(r.sgemmCeilingGflops)) GFLOP/s = \(f(r.sgemmCeilingMs)) ms/step"),
            row("sgemm ceiling, same shapes (OpenBLAS threads)", "\(f(r.sgemmCeilingBLASThreadsGflops)) GFLOP/s"),
            row("train step / ceiling", "\(f(r.trainGflops / max(r.sgemmCeilingGflops, 1e-9) * 100))% of ceiling"),
            row("peak RSS", "\(f(peakRSSMB)) MiB"),
        ]
        if let counted = r.gemmGflopPerStepCounted {
            lines.append(row("BLAS FLOPs counted in one train step", "\(f(counted, 2)) GFLOP (analytic \(f(r.trainGflopPerStep, 2)))"))
        }
        if let d = decode {
            lines.append(row("decode ms/token, answer length", d.answerLengths.map { String($0) }.joined(separator: " / ")))
            lines.append(row("  with KV cache", d.cachedMsPerToken.map { f($0, 2) }.joined(separator: " / ")))
            lines.append(row("  without cache", d.uncachedMsPerToken.map { f($0, 2) }.joined(separator: " / ")))
        }
        if let h = hdf5 {
            lines.append(row("HDF5 feature cache write / read", "\(f(h.writeMBPerSecond)) / \(f(h.readMBPerSecond)) MB/s"))
            if let w = h.h5pyWriteMBPerSecond, let r = h.h5pyReadMBPerSecond {
                lines.append(row("  h5py, same layout and chunking", "\(f(w)) / \(f(r)) MB/s"))
            }
            if let q = h.questionReadMicroseconds {
                lines.append(row("  all pages of a random question", String(format: "%.1f µs median, %.1f µs max", q, h.questionReadMaxMicroseconds ?? 0)
                                 + (h.h5pyQuestionReadMicroseconds.map { String(format: " (h5py %.1f µs)", $0) } ?? "")))
            }
            if let c = h.cachedTrainStepMs {
                lines.append(row("cached-mode training step", String(format: "%.1f ms (%.3f of the end-to-end step)", c, h.cachedToEndToEndStepRatio ?? 0)))
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// Timings of the reference shape. Times are per question (one forward pass or one
/// training step over all its pages).
public struct ReferenceTimings: Codable, Sendable {
    /// Median forward time (no gradients recorded), ms.
    public var forwardMs: Double
    /// Median forward + backward + AdamW time, ms.
    public var trainStepMs: Double
    /// Training throughput: pages of a question ÷ train step time.
    public var pagesPerS: Double
    /// Inference throughput: pages ÷ forward time.
    public var forwardPagesPerS: Double
    /// Analytic FLOPs of the training step's matrix products ÷ train step time, GFLOP/s.
    public var trainGflops: Double
    /// Analytic forward FLOPs ÷ forward time, GFLOP/s.
    public var forwardGflops: Double
    /// Ceiling: the training step's matrix product shapes through `cblas_sgemm` alone, split
    /// over workers as our kernels split them (1-thread BLAS per block), GFLOP/s.
    public var sgemmCeilingGflops: Double
    /// The ceiling's time for one step's products, ms.
    public var sgemmCeilingMs: Double
    /// The same shapes, each as one call threaded by OpenBLAS, GFLOP/s.
    public var sgemmCeilingBLASThreadsGflops: Double
    /// Analytic GFLOP of the training step's / the forward pass's matrix products.
    public var trainGflopPerStep: Double
    public var forwardGflopPerStep: Double
    /// GFLOP of the BLAS calls the profiler counted in one training step (nil when not profiled).
    public var gemmGflopPerStepCounted: Double?
    /// Every timed sample, ms.
    public var forwardSamplesMs: [Double]
    public var trainSamplesMs: [Double]
    /// The shape measured.
    public var shape: ReferenceShape

    var shapeDescription: String {
        "encoder \(shape.encoderLayers)×d\(shape.dModel), \(shape.heads) heads, FFN \(shape.ffn), \(shape.tokensPerPage) tokens/page, "
            + "K \(shape.summaryTokens), \(shape.pages) pages; decoder \(shape.decoderLayers) layers, \(shape.answerTokens) answer tokens, vocab \(shape.vocab)"
    }

    enum CodingKeys: String, CodingKey {
        case forwardMs = "forward_ms", trainStepMs = "train_step_ms", pagesPerS = "pages_per_s"
        case forwardPagesPerS = "forward_pages_per_s", trainGflops = "train_gflops", forwardGflops = "forward_gflops"
        case sgemmCeilingGflops = "sgemm_ceiling_gflops", sgemmCeilingMs = "sgemm_ceiling_ms"
        case sgemmCeilingBLASThreadsGflops = "sgemm_ceiling_blas_threads_gflops"
        case trainGflopPerStep = "train_gflop_per_step", forwardGflopPerStep = "forward_gflop_per_step"
        case gemmGflopPerStepCounted = "gemm_gflop_per_step_counted"
        case forwardSamplesMs = "forward_samples_ms", trainSamplesMs = "train_samples_ms", shape
    }
}

/// `hdf5` {`write_mb_s`, `read_mb_s`} of the bench JSON.
public struct HDF5Throughput: Codable, Sendable, Equatable {
    public var writeMBPerSecond: Double
    public var readMBPerSecond: Double
    /// All pages of one random question: median and slowest read, µs.
    public var questionReadMicroseconds: Double?
    public var questionReadMaxMicroseconds: Double?
    /// The same layout, chunking and commits written and read by h5py (nil when h5py is not importable).
    public var h5pyWriteMBPerSecond: Double?
    public var h5pyReadMBPerSecond: Double?
    public var h5pyQuestionReadMicroseconds: Double?
    /// Cached-mode training step at the reference shape (summaries read from a cache, no
    /// encoder pass), median ms, and its ratio to the end-to-end step.
    public var cachedTrainStepMs: Double?
    public var cachedToEndToEndStepRatio: Double?

    public init(writeMBPerSecond: Double, readMBPerSecond: Double) {
        self.writeMBPerSecond = writeMBPerSecond
        self.readMBPerSecond = readMBPerSecond
    }

    enum CodingKeys: String, CodingKey {
        case writeMBPerSecond = "write_mb_s", readMBPerSecond = "read_mb_s"
        case questionReadMicroseconds = "question_read_us", questionReadMaxMicroseconds = "question_read_max_us"
        case h5pyWriteMBPerSecond = "h5py_write_mb_s", h5pyReadMBPerSecond = "h5py_read_mb_s"
        case h5pyQuestionReadMicroseconds = "h5py_question_read_us"
        case cachedTrainStepMs = "cached_train_step_ms", cachedToEndToEndStepRatio = "cached_to_end_to_end_step_ratio"
    }
}
