/// Curves of y against x (e.g. validation ANLS against training minutes), one per line, with
/// a legend per distinct colour index (several seeds of one cell share a colour and an entry).
///
/// ```swift
/// let chart = LineChart(title: "learning curves", xLabel: "minutes", yLabel: "val ANLS",
///                       lines: [.init(name: "max", colorIndex: 0, points: [(1, 0.2), (2, 0.5)])])
/// try chart.render().writePNG(to: url)
/// ```
public struct LineChart: Sendable {
    public struct Line: Sendable {
        public var name: String
        public var colorIndex: Int
        public var points: [(Double, Double)]

        public init(name: String, colorIndex: Int, points: [(Double, Double)]) {
            self.name = name
            self.colorIndex = colorIndex
            self.points = points
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var lines: [Line]
    public var yRange: ClosedRange<Double>?
    public var width: Int
    public var height: Int

    public init(title: String, xLabel: String, yLabel: String, lines: [Line], yRange: ClosedRange<Double>? = nil,
                width: Int = 820, height: Int = 480) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.lines = lines
        self.yRange = yRange
        self.width = width
        self.height = height
    }

    public func render() -> Canvas {
        let all = lines.flatMap(\.points).filter { $0.0.isFinite && $0.1.isFinite }
        let yTicks = yRange.map { AxisTicks(minimum: $0.lowerBound, maximum: $0.upperBound) }
            ?? AxisTicks(minimum: min(0, all.map(\.1).min() ?? 0), maximum: all.map(\.1).max() ?? 1)
        let xTicks = AxisTicks(minimum: 0, maximum: all.map(\.0).max() ?? 1, target: 6)
        var legend: [(String, RGBColor)] = []
        var seen = Set<Int>()
        for line in lines where !seen.contains(line.colorIndex) {
            seen.insert(line.colorIndex)
            legend.append((line.name, .series(line.colorIndex)))
        }
        let frame = PlotFrame(width: width, height: height, yTicks: yTicks, legend: legend.map(\.0))
        var canvas = Canvas(width: width, height: height)
        frame.drawFrame(on: &canvas, title: title, xLabel: xLabel, yLabel: yLabel)
        func x(_ v: Double) -> Double { frame.left + (v - xTicks.lower) / (xTicks.upper - xTicks.lower) * (frame.right - frame.left) }
        for v in xTicks.values {
            let px = x(v).rounded()
            canvas.fill(x0: px, y0: frame.bottom, x1: px + 1, y1: frame.bottom + 5, color: .axis)
            canvas.text(xTicks.label(v), x: Int(px), y: Int(frame.bottom) + 9, scale: PlotFrame.tickScale, align: .center)
        }
        for line in lines {
            let points = line.points.filter { $0.0.isFinite && $0.1.isFinite }.map { (x($0.0), frame.y($0.1)) }
            let color = RGBColor.series(line.colorIndex)
            canvas.polyline(points, width: 2.5, color: color)
            for p in points { canvas.disc(cx: p.0, cy: p.1, radius: 3, color: color) }
        }
        frame.drawLegend(on: &canvas, legend, lines: true)
        return canvas
    }
}
