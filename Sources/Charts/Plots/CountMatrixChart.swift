import Foundation

/// Count matrices side by side, one panel per entry (e.g. per grid cell): rows and columns
/// are outcomes (answer correct yes/no × page correct yes/no), each square shaded by its share
/// of the panel's total and labelled with the count and the percentage.
///
/// ```swift
/// let chart = CountMatrixChart(title: "answer x page", rowTitle: "answer", columnTitle: "page",
///                              rowLabels: ["right", "wrong"], columnLabels: ["right", "wrong"],
///                              panels: [.init(name: "max", counts: [[120, 10], [30, 40]])])
/// ```
public struct CountMatrixChart: Sendable {
    public struct Panel: Sendable {
        public var name: String
        /// `counts[row][column]`.
        public var counts: [[Int]]

        public init(name: String, counts: [[Int]]) {
            self.name = name
            self.counts = counts
        }
    }

    public var title: String
    public var rowTitle: String
    public var columnTitle: String
    public var rowLabels: [String]
    public var columnLabels: [String]
    public var panels: [Panel]
    public var panelsPerRow: Int

    public init(title: String, rowTitle: String, columnTitle: String, rowLabels: [String], columnLabels: [String],
                panels: [Panel], panelsPerRow: Int = 3) {
        self.title = title
        self.rowTitle = rowTitle
        self.columnTitle = columnTitle
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.panels = panels
        self.panelsPerRow = max(1, panelsPerRow)
    }

    public func render() -> Canvas {
        let cell = 110.0, s = PlotFrame.tickScale, lh = Double(Canvas.textHeight(scale: s))
        let rowLabelWidth = Double(rowLabels.map { Canvas.textWidth($0, scale: s) }.max() ?? 0)
        let nameWidth = Double(panels.map { Canvas.textWidth($0.name, scale: s) }.max() ?? 0)
        let gridWidth = Double(columnLabels.count) * cell
        let panelWidth = max(lh + 10 + rowLabelWidth + 10 + gridWidth, nameWidth) + 40
        let panelHeight = lh + 10 + lh + 8 + lh + 8 + Double(rowLabels.count) * cell + 24
        let columns = min(panelsPerRow, max(1, panels.count)), rows = (panels.count + columns - 1) / columns
        let titleHeight = 16.0 + Double(Canvas.textHeight(scale: PlotFrame.titleScale)) + 20
        var canvas = Canvas(width: Int(20 + Double(columns) * panelWidth), height: Int(titleHeight + Double(max(1, rows)) * panelHeight))
        canvas.text(title, x: canvas.width / 2, y: 16, scale: PlotFrame.titleScale, align: .center)
        for (index, panel) in panels.enumerated() {
            let px = 20 + Double(index % columns) * panelWidth, py = titleHeight + Double(index / columns) * panelHeight
            let gridLeft = px + lh + 10 + rowLabelWidth + 10
            canvas.text(panel.name, x: Int(px), y: Int(py), scale: s)
            canvas.text(columnTitle, x: Int(gridLeft + gridWidth / 2), y: Int(py + lh + 10), scale: s, align: .center, color: .axis)
            let gridTop = py + 2 * lh + 18 + lh + 8
            canvas.verticalText(rowTitle, x: Int(px), centerY: Int(gridTop + Double(rowLabels.count) * cell / 2), scale: s, color: .axis)
            let total = max(1, panel.counts.flatMap { $0 }.reduce(0, +))
            for (c, label) in columnLabels.enumerated() {
                canvas.text(label, x: Int(gridLeft + (Double(c) + 0.5) * cell), y: Int(gridTop - lh - 6), scale: s, align: .center)
            }
            for (r, label) in rowLabels.enumerated() {
                canvas.text(label, x: Int(gridLeft - 10), y: Int(gridTop + (Double(r) + 0.5) * cell - lh / 2), scale: s, align: .right)
                for c in columnLabels.indices {
                    let count = r < panel.counts.count && c < panel.counts[r].count ? panel.counts[r][c] : 0
                    let share = Double(count) / Double(total)
                    let x0 = gridLeft + Double(c) * cell, y0 = gridTop + Double(r) * cell
                    // Diagonal (both right / both wrong) in blue, off-diagonal in orange.
                    let base = r == c ? RGBColor.series(0) : RGBColor.series(1)
                    canvas.fill(x0: x0, y0: y0, x1: x0 + cell, y1: y0 + cell, color: base.lightened(1 - 0.85 * share))
                    canvas.stroke(x0: x0, y0: y0, x1: x0 + cell + 1, y1: y0 + cell + 1, color: .axis)
                    let ink: RGBColor = share > 0.5 ? .white : .text
                    canvas.text(String(count), x: Int(x0 + cell / 2), y: Int(y0 + cell / 2 - lh - 2), scale: 3, align: .center, color: ink)
                    canvas.text(String(format: "%.0f%%", share * 100), x: Int(x0 + cell / 2), y: Int(y0 + cell / 2 + 10), scale: s,
                                align: .center, color: ink)
                }
            }
        }
        return canvas
    }
}
