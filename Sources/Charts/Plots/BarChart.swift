/// Grouped bars with error bars: one group per category (e.g. a grid cell) on the x axis, one
/// bar per series (e.g. a metric) inside each group, each bar `mean` high with a ±`error`
/// whisker (e.g. the standard deviation over seeds; 0 draws none).
///
/// ```swift
/// let chart = BarChart(title: "val metrics", yLabel: "score", groups: ["max", "mean"],
///                      series: [.init(name: "ANLS", values: [0.61, 0.64], errors: [0.02, 0.01])])
/// try chart.render().writePNG(to: url)
/// ```
public struct BarChart: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var values: [Double]
        public var errors: [Double]

        public init(name: String, values: [Double], errors: [Double] = []) {
            self.name = name
            self.values = values
            self.errors = errors
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var groups: [String]
    public var series: [Series]
    /// Fixed y range (nil: from the data, always including 0).
    public var yRange: ClosedRange<Double>?
    public var height: Int

    public init(title: String, xLabel: String = "", yLabel: String, groups: [String], series: [Series],
                yRange: ClosedRange<Double>? = nil, height: Int = 480) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.groups = groups
        self.series = series
        self.yRange = yRange
        self.height = height
    }

    /// Draws the chart; its width grows with the number of bars.
    public func render() -> Canvas {
        let barWidth = 22.0, groupGap = 28.0
        let groupWidth = Double(max(1, series.count)) * barWidth
        let labelWidth = Double(groups.map { Canvas.textWidth($0, scale: PlotFrame.tickScale) }.max() ?? 0)
        // Labels wider than a group are split over two rows (alternating) so neighbours never overlap.
        let slot = groupWidth + groupGap
        let twoRows = labelWidth > slot - 6
        let slotWidth = twoRows ? max(slot, labelWidth / 2 + 8) : slot
        var top = 0.0
        for s in series {
            for (i, v) in s.values.enumerated() where v.isFinite { top = max(top, v + (i < s.errors.count && s.errors[i].isFinite ? s.errors[i] : 0)) }
        }
        let ticks = yRange.map { AxisTicks(minimum: $0.lowerBound, maximum: $0.upperBound) } ?? AxisTicks(minimum: 0, maximum: top)
        let legend = series.map(\.name)
        let legendWidth = (legend.map { Canvas.textWidth($0, scale: PlotFrame.labelScale) }.max() ?? 0) + 52
        let plotWidth = Double(groups.count) * slotWidth + 20
        let probe = PlotFrame(width: 1000, height: height, yTicks: ticks, legend: legend)
        let width = Int(probe.left + plotWidth) + 20 + legendWidth
        let frame = PlotFrame(width: max(width, 420), height: height, yTicks: ticks, legend: legend, xLabelRows: twoRows ? 2 : 1)
        var canvas = Canvas(width: frame.width, height: height)
        frame.drawFrame(on: &canvas, title: title, xLabel: xLabel, yLabel: yLabel)

        let start = frame.left + 10 + (frame.right - frame.left - 20 - Double(groups.count) * slotWidth) / 2
        for (g, group) in groups.enumerated() {
            let groupLeft = start + Double(g) * slotWidth + (slotWidth - groupWidth) / 2
            for (s, item) in series.enumerated() where g < item.values.count && item.values[g].isFinite {
                let x0 = groupLeft + Double(s) * barWidth, x1 = x0 + barWidth - 3
                let value = item.values[g]
                let color = RGBColor.series(s)
                canvas.fill(x0: x0, y0: frame.y(max(value, ticks.lower)), x1: x1, y1: frame.y(max(0, ticks.lower)), color: color)
                if g < item.errors.count, item.errors[g] > 0, item.errors[g].isFinite {
                    let cx = (x0 + x1) / 2, lo = frame.y(max(ticks.lower, value - item.errors[g])), hi = frame.y(min(ticks.upper, value + item.errors[g]))
                    canvas.polyline([(cx, lo), (cx, hi)], width: 1.5, color: .black)
                    canvas.polyline([(cx - 5, lo), (cx + 5, lo)], width: 1.5, color: .black)
                    canvas.polyline([(cx - 5, hi), (cx + 5, hi)], width: 1.5, color: .black)
                }
            }
            let row = twoRows ? g % 2 : 0
            let cx = Int(start + Double(g) * slotWidth + slotWidth / 2)
            canvas.fill(x0: Double(cx), y0: frame.bottom, x1: Double(cx + 1), y1: frame.bottom + 5, color: .axis)
            canvas.text(group, x: cx, y: Int(frame.bottom) + 9 + row * (Canvas.textHeight(scale: PlotFrame.tickScale) + 6),
                        scale: PlotFrame.tickScale, align: .center)
        }
        frame.drawLegend(on: &canvas, series.enumerated().map { ($0.element.name, RGBColor.series($0.offset)) }, lines: false)
        return canvas
    }
}
