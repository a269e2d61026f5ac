import DocData
import Foundation
import XCTest

/// `ImageThroughput.measure` returns consistent numbers. The real measurement (1000×1300
/// pages, release build, idle cores) is not a timed unit test; run it with
/// `MPVQA_IMAGE_THROUGHPUT=1 swift test -c release --filter ImageThroughputTests`.
final class ImageThroughputTests: XCTestCase {
    func testMeasureIsConsistent() throws {
        let r = try ImageThroughput.measure(pageWidth: 200, pageHeight: 260, channels: 1,
                                            targetWidth: 50, targetHeight: 60, pages: 7, threads: 2)
        XCTAssertEqual(r.pages, 7)
        XCTAssertEqual(r.threads, 2)
        XCTAssertGreaterThan(r.seconds, 0)
        XCTAssertEqual(r.pagesPerSecond, 7 / r.seconds, accuracy: 1e-6 * r.pagesPerSecond)
        XCTAssertGreaterThan(r.bytesPerPage, 1000) // a real JPEG page, not an empty one
        XCTAssertEqual([r.pageWidth, r.pageHeight, r.channels, r.targetWidth, r.targetHeight], [200, 260, 1, 50, 60])
        XCTAssertGreaterThanOrEqual(r.cpuSecondsPerPage, 0)
    }

    func testFullSizeMeasurement() throws {
        guard ProcessInfo.processInfo.environment["MPVQA_IMAGE_THROUGHPUT"] != nil else {
            throw XCTSkip("set MPVQA_IMAGE_THROUGHPUT=1 to measure 1000x1300 pages")
        }
        for channels in [1, 3] {
            for (w, h, scaling) in [(224, 224, true), (224, 224, false), (128, 160, true), (448, 576, true)] {
                let r = try ImageThroughput.measure(channels: channels, targetWidth: w, targetHeight: h,
                                                    pages: 200, threads: 2, jpegDCTScaling: scaling)
                print(String(format: "1000x1300x%d JPEG (%d KB) -> %dx%d, DCT scaling %@: %.0f pages/s wall on 2 threads, %.2f ms CPU/page (%.0f pages/s on 2 idle cores)",
                             channels, r.bytesPerPage / 1024, w, h, scaling ? "on " : "off", r.pagesPerSecond,
                             r.cpuSecondsPerPage * 1000, 2 / r.cpuSecondsPerPage))
            }
        }
    }
}
