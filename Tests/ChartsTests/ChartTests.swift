import Charts
import DocData
import Foundation
import XCTest

/// The plotter: deterministic bytes, antialiased coverage, sane ticks, and charts that decode.
final class ChartTests: XCTestCase {
    static func sampleBars() -> BarChart {
        BarChart(title: "val metrics by cell", xLabel: "cell", yLabel: "score", groups: ["pooling=max", "pooling=mean", "pooling=attention"],
                 series: [.init(name: "ANLS", values: [0.61, 0.64, 0.70], errors: [0.02, 0.01, 0.03]),
                          .init(name: "page acc", values: [0.80, 0.78, 0.85], errors: [0.01, 0.04, 0]),
                          .init(name: "top-3", values: [0.93, 0.92, 0.95], errors: [])],
                 yRange: 0...1)
    }

    static func sampleLines() -> LineChart {
        LineChart(title: "learning curves", xLabel: "training minutes", yLabel: "val ANLS",
                  lines: [.init(name: "max", colorIndex: 0, points: [(0.5, 0.1), (1.5, 0.4), (2.6, 0.55), (3.7, 0.6)]),
                          .init(name: "max", colorIndex: 0, points: [(0.5, 0.12), (1.5, 0.35), (2.6, 0.5), (3.7, 0.62)]),
                          .init(name: "attention", colorIndex: 1, points: [(0.5, 0.2), (1.6, 0.5), (2.7, 0.66), (3.8, 0.71)])],
                  yRange: 0...1)
    }

    static func sampleMatrix() -> CountMatrixChart {
        CountMatrixChart(title: "answer correct x page correct", rowTitle: "answer", columnTitle: "page",
                         rowLabels: ["right", "wrong"], columnLabels: ["right", "wrong"],
                         panels: [.init(name: "pooling=max", counts: [[120, 8], [30, 42]]),
                                  .init(name: "pooling=attention", counts: [[140, 5], [25, 30]])])
    }

    static func sampleIntervals() -> IntervalChart {
        IntervalChart(title: "paired difference from e2e", xLabel: "cell - e2e", groups: ["pooling=max", "pooling=mean"],
                      series: ["generated ANLS", "page acc (page head)"],
                      intervals: [.init(group: 0, series: 0, estimate: -0.01, lower: -0.05, upper: 0.03),
                                  .init(group: 0, series: 1, estimate: 0.00, lower: -0.04, upper: 0.04),
                                  .init(group: 1, series: 0, estimate: 0.02, lower: -0.02, upper: 0.06),
                                  .init(group: 1, series: 1, estimate: 0.25, lower: 0.18, upper: 0.31)])
    }

    /// The forest plot: deterministic bytes; the reference line at 0 is a dark column
    /// through the plot; each interval is drawn in its series' colour at its estimate.
    func testIntervalChartDrawsIntervalsAroundTheReference() throws {
        let chart = Self.sampleIntervals()
        let canvas = chart.render()
        XCTAssertEqual(try canvas.pngBytes(), try Self.sampleIntervals().render().pngBytes())
        var moved = chart
        moved.intervals[3].estimate = 0.2
        XCTAssertNotEqual(try moved.render().pngBytes(), try canvas.pngBytes())
        // Find the reference column: the darkest x at the vertical middle of the first group's gap rows.
        func pixel(_ x: Int, _ y: Int) -> (UInt8, UInt8, UInt8) {
            let i = (y * canvas.width + x) * 3
            return (canvas.pixels[i], canvas.pixels[i + 1], canvas.pixels[i + 2])
        }
        let series1 = RGBColor.series(1)
        // The second group's page-head interval (0.18…0.31) lies wholly right of the reference: some pixel in its lane has the series colour.
        var found = false
        for y in 0..<canvas.height { for x in 0..<canvas.width where pixel(x, y) == (series1.r, series1.g, series1.b) { found = true; break } }
        XCTAssertTrue(found)
        XCTAssertGreaterThan(canvas.height, 2 * 2 * 18)   // two groups of two lanes
    }

    /// Same data → byte-identical PNG; different data → different bytes.
    func testSameDataGivesByteIdenticalPNG() throws {
        for (a, b) in [(Self.sampleBars().render(), Self.sampleBars().render()),
                       (Self.sampleLines().render(), Self.sampleLines().render()),
                       (Self.sampleMatrix().render(), Self.sampleMatrix().render())] {
            XCTAssertEqual(try a.pngBytes(), try b.pngBytes())
        }
        var changed = Self.sampleBars()
        changed.series[0].values[1] = 0.65
        XCTAssertNotEqual(try changed.render().pngBytes(), try Self.sampleBars().render().pngBytes())
    }

    /// The PNG decodes (libpng) back to the canvas's RGB pixels.
    func testPNGRoundTripsThroughLibpng() throws {
        let canvas = Self.sampleMatrix().render()
        let image = try ImageCodec.decode(bytes: try canvas.pngBytes(), name: "matrix.png")
        XCTAssertEqual(image.width, canvas.width)
        XCTAssertEqual(image.channels, 3)
        XCTAssertEqual(image.pixels, canvas.pixels)
    }

    /// A sloped line has partially covered pixels (antialiasing); a rectangle on whole pixels
    /// has none; a half-pixel edge blends half way.
    func testCoverageBasedAntialiasing() {
        var line = Canvas(width: 40, height: 40)
        line.polyline([(2, 3), (37, 30)], width: 2, color: .black)
        let levels = Set(stride(from: 0, to: line.pixels.count, by: 3).map { line.pixels[$0] })
        XCTAssertTrue(levels.contains { $0 > 0 && $0 < 255 }, "no intermediate grey levels: not antialiased")
        XCTAssertTrue(levels.contains(0), "line centre not fully covered")

        var box = Canvas(width: 10, height: 10)
        box.fill(x0: 2, y0: 2, x1: 5.5, y1: 6, color: .black)
        XCTAssertEqual(box.pixels[(3 * 10 + 3) * 3], 0)
        XCTAssertEqual(box.pixels[(3 * 10 + 5) * 3], 128)   // half covered: 255 · 0.5 rounded
        XCTAssertEqual(box.pixels[(3 * 10 + 6) * 3], 255)
    }

    func testNiceTicks() {
        let t = AxisTicks(minimum: 0, maximum: 0.87)
        XCTAssertEqual(t.step, 0.2, accuracy: 1e-12)
        XCTAssertEqual(t.values.count, 6)
        XCTAssertEqual(t.label(t.values[1]), "0.2")
        XCTAssertEqual(AxisTicks(minimum: 0, maximum: 13.2, target: 6).step, 5)   // raw 2.2 rounds up to 5
        XCTAssertEqual(AxisTicks(minimum: 0, maximum: 9.5, target: 6).step, 2)
        XCTAssertEqual(AxisTicks(minimum: 0.5, maximum: 0.5).values.count >= 2, true)
    }

    /// Writes the sample charts to $MPVQA_CHART_SAMPLES (when set) for looking at them.
    func testWritesSamplesWhenAsked() throws {
        guard let dir = ProcessInfo.processInfo.environment["MPVQA_CHART_SAMPLES"] else { return }
        let url = URL(fileURLWithPath: dir)
        try Self.sampleBars().render().writePNG(to: url.appendingPathComponent("bars.png"))
        try Self.sampleLines().render().writePNG(to: url.appendingPathComponent("lines.png"))
        try Self.sampleMatrix().render().writePNG(to: url.appendingPathComponent("matrix.png"))
        try Self.sampleIntervals().render().writePNG(to: url.appendingPathComponent("intervals.png"))
        // A study-sized chart: 12 cells with long names, 5 metrics each.
        let names = ["encoder", "k=1", "k=4", "k=16"] + ["max", "mean", "attention", "first"].flatMap { ["pooling=\($0)", "pooling=\($0),probe=true"] }
        let wide = BarChart(title: "pooling-probe: validation metrics by cell", xLabel: "cell", yLabel: "score", groups: names,
                            series: ["generated ANLS", "extracted ANLS", "accuracy", "page acc", "top-3"].enumerated().map { i, name in
                                .init(name: name, values: names.indices.map { 0.1 + 0.15 * Double(i) + 0.01 * Double($0) }, errors: names.indices.map { _ in 0.03 })
                            }, yRange: 0...1)
        try wide.render().writePNG(to: url.appendingPathComponent("wide.png"))
    }
}
