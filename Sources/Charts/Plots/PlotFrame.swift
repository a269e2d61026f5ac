/// The common layout of an x–y chart: title on top, y-axis label on the left, x-axis label
/// below, the legend right of the plot area, and the plot area's coordinate mapping.
///
/// ```
/// +-------------------------------------------+
/// |                   title                   |
/// | y |  ticks |------ plot area ------|legend |
/// |   |        |_______________________|       |
/// |            x tick labels, x label          |
/// +-------------------------------------------+
/// ```
struct PlotFrame {
    static let tickScale = 2
    static let labelScale = 2
    static let titleScale = 3

    var width: Int
    var height: Int
    /// Plot area in canvas pixels.
    var left: Double
    var top: Double
    var right: Double
    var bottom: Double
    var yTicks: AxisTicks

    /// Lays out a chart of `width`×`height` with a legend of `legend` labels and `xLabelRows`
    /// rows of x tick labels.
    init(width: Int, height: Int, yTicks: AxisTicks, legend: [String], xLabelRows: Int = 1) {
        self.width = width
        self.height = height
        self.yTicks = yTicks
        let tickWidth = yTicks.values.map { Canvas.textWidth(yTicks.label($0), scale: PlotFrame.tickScale) }.max() ?? 0
        let legendWidth = legend.isEmpty ? 0 : (legend.map { Canvas.textWidth($0, scale: PlotFrame.labelScale) }.max() ?? 0) + 52
        left = Double(12 + Canvas.textHeight(scale: PlotFrame.labelScale) + 12 + tickWidth + 10)
        top = Double(16 + Canvas.textHeight(scale: PlotFrame.titleScale) + 16)
        right = Double(width - 20 - legendWidth)
        bottom = Double(height - 16 - Canvas.textHeight(scale: PlotFrame.labelScale) - 12
                        - xLabelRows * (Canvas.textHeight(scale: PlotFrame.tickScale) + 6) - 6)
    }

    /// Canvas y of data value `v`.
    func y(_ v: Double) -> Double { bottom - (v - yTicks.lower) / (yTicks.upper - yTicks.lower) * (bottom - top) }

    /// Title, y label, horizontal grid lines with tick labels, and the axes.
    func drawFrame(on canvas: inout Canvas, title: String, xLabel: String, yLabel: String) {
        canvas.text(title, x: width / 2, y: 16, scale: PlotFrame.titleScale, align: .center)
        canvas.verticalText(yLabel, x: 12, centerY: Int((top + bottom) / 2), scale: PlotFrame.labelScale)
        canvas.text(xLabel, x: Int((left + right) / 2), y: height - 16 - Canvas.textHeight(scale: PlotFrame.labelScale),
                    scale: PlotFrame.labelScale, align: .center)
        let half = Canvas.textHeight(scale: PlotFrame.tickScale) / 2
        for v in yTicks.values {
            let py = y(v).rounded()
            canvas.fill(x0: left, y0: py, x1: right, y1: py + 1, color: .grid)
            canvas.fill(x0: left - 5, y0: py, x1: left, y1: py + 1, color: .axis)
            canvas.text(yTicks.label(v), x: Int(left) - 8, y: Int(py) - half, scale: PlotFrame.tickScale, align: .right)
        }
        canvas.fill(x0: left - 1, y0: top, x1: left, y1: bottom + 1, color: .axis)
        canvas.fill(x0: left - 1, y0: bottom, x1: right, y1: bottom + 1, color: .axis)
    }

    /// The legend: one colour swatch and label per entry, right of the plot area.
    func drawLegend(on canvas: inout Canvas, _ entries: [(String, RGBColor)], lines: Bool) {
        let x = Int(right) + 16
        var y = Int(top)
        for (label, color) in entries {
            if lines {
                canvas.polyline([(Double(x), Double(y) + 9), (Double(x + 26), Double(y) + 9)], width: 3, color: color)
            } else {
                canvas.fill(x0: Double(x), y0: Double(y + 2), x1: Double(x + 24), y1: Double(y + 16), color: color)
            }
            canvas.text(label, x: x + 34, y: y, scale: PlotFrame.labelScale)
            y += Canvas.textHeight(scale: PlotFrame.labelScale) + 10
        }
    }
}
