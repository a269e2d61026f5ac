import Dispatch
import Foundation

/// Measures page-image throughput: read + decode + resize of JPEG pages, in parallel over
/// pages (the shape of the data loader's work). `mpvqa bench` reports it.
///
/// ```swift
/// let r = try ImageThroughput.measure(threads: 2)
/// print(r.pagesPerSecond)   // pages/s for 1000×1300 RGB JPEG → 224×224
/// ```
public enum ImageThroughput {
    /// One measurement.
    public struct Result: Sendable, Codable, Equatable {
        /// Pages decoded and resized per second, over all threads.
        public var pagesPerSecond: Double
        /// Wall-clock seconds of the timed part.
        public var seconds: Double
        /// Process CPU seconds per page (user + system, all threads): robust to other load on
        /// the machine; `threads / cpuSecondsPerPage` estimates pages/s on idle cores.
        public var cpuSecondsPerPage: Double
        public var pages: Int
        public var threads: Int
        /// Size of one encoded test page in bytes.
        public var bytesPerPage: Int
        public var pageWidth: Int, pageHeight: Int, channels: Int
        public var targetWidth: Int, targetHeight: Int
        public var jpegDCTScaling: Bool
    }

    /// Writes one synthetic `pageWidth`×`pageHeight` JPEG page (text-like lines on white and a
    /// gradient block, quality 90) to a temporary file, then times `pages` calls of
    /// `ImageCodec.decodeResized(contentsOf:width:height:jpegDCTScaling:)` spread over `threads` threads
    /// (file read included, from the page cache). One untimed warm-up call per thread first.
    public static func measure(pageWidth: Int = 1000, pageHeight: Int = 1300, channels: Int = 3,
                               targetWidth: Int = 224, targetHeight: Int = 224,
                               pages: Int = 200, threads: Int = 2, jpegDCTScaling: Bool = true) throws -> Result {
        precondition(pages > 0 && threads > 0, "measure: pages and threads must be positive")
        let bytes = try ImageCodec.encodeJPEG(testPage(width: pageWidth, height: pageHeight, channels: channels), quality: 90)
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("mpvqa-throughput-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).jpg")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }

        let failures = FailureBox()
        @Sendable func work(_ count: Int) {
            for _ in 0..<count {
                do { _ = try ImageCodec.decodeResized(contentsOf: url, width: targetWidth, height: targetHeight,
                                                 jpegDCTScaling: jpegDCTScaling) }
                catch { failures.record(error) }
            }
        }
        DispatchQueue.concurrentPerform(iterations: threads) { _ in work(1) }
        let cpuStart = processCPUSeconds()
        let start = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            work(pages / threads + (t < pages % threads ? 1 : 0))
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let cpuSeconds = processCPUSeconds() - cpuStart
        if let error = failures.first { throw error }
        return Result(pagesPerSecond: Double(pages) / seconds, seconds: seconds,
                      cpuSecondsPerPage: cpuSeconds / Double(pages), pages: pages, threads: threads,
                      bytesPerPage: bytes.count, pageWidth: pageWidth, pageHeight: pageHeight, channels: channels,
                      targetWidth: targetWidth, targetHeight: targetHeight, jpegDCTScaling: jpegDCTScaling)
    }

    /// User + system CPU time of this process so far.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// A page-like image: text lines of glyph-like strokes on white (8×12-pixel cells with
    /// deterministic stroke patterns, word gaps, ragged line ends) and a gradient figure.
    static func testPage(width: Int, height: Int, channels: Int) -> Image {
        var image = Image(width: width, height: height, channels: channels, filledWith: 255)
        let margin = width / 12, lineHeight = 24, cell = 8
        var state: UInt64 = 0x9E3779B97F4A7C15
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(truncatingIfNeeded: state >> 33)
        }
        image.pixels.withUnsafeMutableBufferPointer { p in
            func put(_ x: Int, _ y: Int, _ v: UInt8) {
                for c in 0..<channels { p[(y * width + x) * channels + c] = v }
            }
            var top = height / 12
            while top + lineHeight < height * 2 / 3 {
                let lineEnd = width - margin - next() % (width / 3)
                var x = margin
                while x + cell < lineEnd {
                    if next() % 6 == 0 { x += cell; continue } // word gap
                    let glyph = next()
                    for gy in 2..<11 {
                        for gx in 1..<7 {
                            let vertical = (glyph >> gx) & 1 == 1 && gx % 3 != 2
                            let horizontal = (glyph >> (8 + gy)) & 1 == 1 && gy % 4 == 2
                            if vertical || horizontal { put(x + gx, top + gy, 30) }
                        }
                    }
                    x += cell
                }
                top += lineHeight
            }
            for y in height * 2 / 3 + 20..<height - height / 12 {
                for x in margin..<width / 2 { put(x, y, UInt8(100 + (x + y) % 120)) }
            }
        }
        return image
    }
}

/// The first error thrown on any worker thread.
private final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var error: Error?
    func record(_ e: Error) { lock.lock(); if error == nil { error = e }; lock.unlock() }
    var first: Error? { lock.lock(); defer { lock.unlock() }; return error }
}
