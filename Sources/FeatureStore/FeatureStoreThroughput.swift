import Foundation
import TensorCore

/// Measures feature cache write and read throughput (the `hdf5` keys of `mpvqa bench`).
///
/// Writes `rows` random summaries in committed batches of `batchRows` through
/// `FeatureCacheWriter` (with its flushes, and fsyncs when `syncToDisk`), then reads them back
/// through `FeatureCacheReader` one question (`pagesPerQuestion` rows) at a time in a
/// shuffled order, as cached training does. MB are 10⁶ bytes of summaries as stored
/// (rows · K · d · bytes per element). Reads come mostly from the OS page cache, so the read
/// figure measures HDF5 + conversion, not the disk.
///
/// ```swift
/// let r = try FeatureStoreThroughput.measure(directory: FileManager.default.temporaryDirectory)
/// print(r.writeMBPerSecond, r.readMBPerSecond)
/// ```
public enum FeatureStoreThroughput {
    public struct Result: Sendable, Equatable {
        public let writeMBPerSecond: Double
        public let readMBPerSecond: Double
        /// Reading all pages of one random question: median and slowest, in microseconds.
        public let questionReadMedianMicroseconds: Double
        public let questionReadMaxMicroseconds: Double
        /// Summary bytes written and read once each.
        public let bytes: Int
        public let rows: Int
        public let dtype: FeatureDType
    }

    /// Writes and reads a temporary cache file in `directory` (removed afterwards).
    public static func measure(directory: URL, rows: Int = 4096, summaryTokens: Int = 8, modelDim: Int = 256,
                               dtype: FeatureDType = .float32, batchRows: Int = 64, pagesPerQuestion: Int = 8,
                               syncToDisk: Bool = true, seed: UInt64 = 1) throws -> Result {
        precondition(rows > 0 && batchRows > 0 && pagesPerQuestion > 0, "FeatureStoreThroughput: rows, batchRows, pagesPerQuestion must be positive")
        let url = directory.appendingPathComponent("mpvqa-throughput-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).h5")
        defer { try? FileManager.default.removeItem(at: url) }
        var rng = SeededRNG(seed: seed)
        let header = FeatureCacheHeader(summaryTokens: summaryTokens, modelDim: modelDim, dtype: dtype,
                                        encoderHash: "throughput", promptTemplate: "{question}")
        // One random batch reused for every write: generation must not be timed.
        let batch = Tensor.randn([batchRows, summaryTokens, modelDim], rng: &rng)
        let questionOf = { (row: Int) in Int64(row / pagesPerQuestion) }

        let writeStart = DispatchTime.now().uptimeNanoseconds
        let writer = try FeatureCacheWriter(url: url, header: header, options: .init(reserveRows: rows, syncToDisk: syncToDisk))
        var row = 0
        while row < rows {
            let n = min(batchRows, rows - row)
            let s = n == batchRows ? batch : batch.rows(0..<n).copy()
            try writer.append(summaries: s, questionIds: (row..<row + n).map(questionOf),
                              pageIndices: (row..<row + n).map { Int32($0 % pagesPerQuestion) },
                              pageIds: (row..<row + n).map { "page\($0 / pagesPerQuestion)_\($0 % pagesPerQuestion)" })
            row += n
        }
        try writer.finish()
        let writeSeconds = Double(DispatchTime.now().uptimeNanoseconds - writeStart) / 1e9

        let readStart = DispatchTime.now().uptimeNanoseconds
        let reader = try FeatureCacheReader(url: url)
        var order = reader.questions
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, rng.nextInt(below: i + 1)) }
        var buffer = [Float](repeating: 0, count: pagesPerQuestion * summaryTokens * modelDim)
        var questionSeconds: [Double] = []
        questionSeconds.reserveCapacity(order.count)
        for question in order {
            let t = DispatchTime.now().uptimeNanoseconds
            let range = reader.rowRange(questionId: question)!
            let count = range.count * summaryTokens * modelDim
            try buffer.withUnsafeMutableBufferPointer { try reader.readSummaries(rows: range, into: UnsafeMutableBufferPointer(rebasing: $0[0..<count])) }
            questionSeconds.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9)
        }
        questionSeconds.sort()
        reader.close()
        let readSeconds = Double(DispatchTime.now().uptimeNanoseconds - readStart) / 1e9

        let bytes = rows * summaryTokens * modelDim * dtype.byteSize
        return Result(writeMBPerSecond: Double(bytes) / 1e6 / max(writeSeconds, 1e-9),
                      readMBPerSecond: Double(bytes) / 1e6 / max(readSeconds, 1e-9),
                      questionReadMedianMicroseconds: (questionSeconds.isEmpty ? 0 : questionSeconds[questionSeconds.count / 2]) * 1e6,
                      questionReadMaxMicroseconds: (questionSeconds.last ?? 0) * 1e6, bytes: bytes, rows: rows, dtype: dtype)
    }
}
