/// A forest plot: one row per group (e.g. a cell), inside it one horizontal interval per
/// series (e.g. a metric) with a dot at the estimate, and a vertical line at the reference
/// value (e.g. 0: no difference from the base). An interval crossing the line is one the
/// data do not tell from the reference.
///
/// ```
///                  paired difference from base
///  pooling=max   |        |----o----|           ■ page acc
///                |     |--o--|                  ■ ANLS
///  pooling=mean  |  |-----o-----|
///                +---------+---------+---------+
///               -0.1       0        0.1
/// ```
///
/// ```swift
/// let chart = IntervalChart(title: "difference from max", xLabel: "cell − base", groups: ["mean"], series: ["ANLS"],
///                           intervals: [.init(group: 0, series: 0, estimate: 0.02, lower: -0.01, upper: 0.05)])
/// try chart.render().writePNG(to: url)
/// ```
public struct IntervalChart: Sendable {
    public struct Interval: Sendable, Equatable {
        public var group: Int
        public var series: Int
        public var estimate: Double
        public var lower: Double
        public var upper: Double

        public init(group: Int, series: Int, estimate: Double, lower: Double, upper: Double) {
            self.group = group
            self.series = series
            self.estimate = estimate
            self.lower = lower
            self.upper = upper
        }
    }

    public var title: String
    public var xLabel: String
    /// Row labels, top to bottom.
    public var groups: [String]
    /// Legend labels; series `i` is drawn in `RGBColor.series(i)`.
    public var series: [String]
    public var intervals: [Interval]
    /// Where the vertical reference line is drawn (always inside the x range).
    public var reference: Double
    /// Width of the plot area in pixels (the canvas adds the row labels and the legend).
    public var plotWidth: Int

    public init(title: String, xLabel: String, groups: [String], series: [String], intervals: [Interval],
                reference: Double = 0, plotWidth: Int = 560) {
        self.title = title
        self.xLabel = xLabel
        self.groups = groups
        self.series = series
        self.intervals = intervals
        self.reference = reference
        self.plotWidth = plotWidth
    }

    /// Row height per series inside a group, and the gap between groups.
    static let lane = 18.0, groupGap = 16.0

    /// Draws the chart; its height grows with the number of groups and series.
    public func render() -> Canvas {
        let shown = intervals.filter { $0.estimate.isFinite && $0.lower.isFinite && $0.upper.isFinite }
        let lo = min(reference, shown.map(\.lower).min() ?? reference - 1)
        let hi = max(reference, shown.map(\.upper).max() ?? reference + 1)
        let pad = (hi - lo) * 0.05
        // As many ticks as fit: fewer when their labels would touch.
        var ticks = AxisTicks(minimum: lo - pad, maximum: hi + pad, target: 6)
        for target in stride(from: 5, through: 2, by: -1) {
            let widest = ticks.values.map { Canvas.textWidth(ticks.label($0), scale: PlotFrame.tickScale) }.max() ?? 0
            let spacing = Double(plotWidth) / Double(max(1, ticks.values.count - 1))
            if Double(widest) + 16 <= spacing { break }
            ticks = AxisTicks(minimum: lo - pad, maximum: hi + pad, target: target)
        }
        let tickHeight = Canvas.textHeight(scale: PlotFrame.tickScale), labelHeight = Canvas.textHeight(scale: PlotFrame.labelScale)
        let groupHeight = Double(max(1, series.count)) * Self.lane + Self.groupGap
        let top = Double(16 + Canvas.textHeight(scale: PlotFrame.titleScale) + 16)
        let plotHeight = Double(groups.count) * groupHeight
        let bottom = top + plotHeight
        let height = Int(bottom) + 9 + tickHeight + 12 + labelHeight + 16
        let labelWidth = groups.map { Canvas.textWidth($0, scale: PlotFrame.labelScale) }.max() ?? 0
        let legendWidth = series.isEmpty ? 0 : (series.map { Canvas.textWidth($0, scale: PlotFrame.labelScale) }.max() ?? 0) + 52
        let left = Double(16 + labelWidth + 14)
        let right = left + Double(plotWidth)
        let width = Int(right) + 20 + legendWidth
        var canvas = Canvas(width: width, height: height)
        func x(_ v: Double) -> Double { left + (v - ticks.lower) / (ticks.upper - ticks.lower) * (right - left) }

        canvas.text(title, x: width / 2, y: 16, scale: PlotFrame.titleScale, align: .center)
        // Vertical grid lines with their tick labels, then the reference line above them.
        for v in ticks.values {
            let px = x(v).rounded()
            canvas.fill(x0: px, y0: top, x1: px + 1, y1: bottom, color: .grid)
            canvas.fill(x0: px, y0: bottom, x1: px + 1, y1: bottom + 5, color: .axis)
            canvas.text(ticks.label(v), x: Int(px), y: Int(bottom) + 9, scale: PlotFrame.tickScale, align: .center)
        }
        let rx = x(reference).rounded()
        canvas.fill(x0: rx - 1, y0: top, x1: rx + 1, y1: bottom, color: .axis)
        canvas.fill(x0: left - 1, y0: bottom, x1: right, y1: bottom + 1, color: .axis)
        canvas.fill(x0: left - 1, y0: top, x1: left, y1: bottom + 1, color: .axis)
        canvas.text(xLabel, x: Int((left + right) / 2), y: height - 16 - labelHeight, scale: PlotFrame.labelScale, align: .center)

        for (g, label) in groups.enumerated() {
            let groupTop = top + Double(g) * groupHeight + Self.groupGap / 2
            if g > 0 { canvas.fill(x0: left, y0: groupTop - Self.groupGap / 2, x1: right, y1: groupTop - Self.groupGap / 2 + 1, color: .grid) }
            let center = groupTop + Double(max(1, series.count)) * Self.lane / 2
            canvas.text(label, x: Int(left) - 12, y: Int(center) - labelHeight / 2, scale: PlotFrame.labelScale, align: .right)
            for item in shown where item.group == g {
                let y = groupTop + (Double(item.series) + 0.5) * Self.lane
                let color = RGBColor.series(item.series)
                let x0 = x(item.lower), x1 = x(item.upper)
                canvas.polyline([(x0, y), (x1, y)], width: 2.5, color: color)
                canvas.polyline([(x0, y - 5), (x0, y + 5)], width: 2, color: color)
                canvas.polyline([(x1, y - 5), (x1, y + 5)], width: 2, color: color)
                canvas.disc(cx: x(item.estimate), cy: y, radius: 4.5, color: color)
            }
        }
        // Legend, right of the plot area.
        var ly = Int(top)
        for (s, name) in series.enumerated() {
            let lx = Int(right) + 16
            canvas.fill(x0: Double(lx), y0: Double(ly + 2), x1: Double(lx + 24), y1: Double(ly + 16), color: .series(s))
            canvas.text(name, x: lx + 34, y: ly, scale: PlotFrame.labelScale)
            ly += labelHeight + 10
        }
        return canvas
    }
}
