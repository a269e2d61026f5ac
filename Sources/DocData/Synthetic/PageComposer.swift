/// Lays a `PagePlan` out on a page of a given size: header (company name, document type,
/// rule), body blocks top to bottom with one blank line between them, footer. Fields always
/// fit (the config guarantees room for them); the table and the filler paragraph are
/// shortened when the page runs out of lines.
struct PageComposer {
    let layout: SyntheticLayout
    private(set) var words: [SyntheticWord] = []
    private(set) var lines: [Range<Int>] = []
    private(set) var rules: [RuleLine] = []

    init(layout: SyntheticLayout) { self.layout = layout }

    /// Composes `plan`; returns words, lines and rules.
    static func compose(_ plan: PagePlan, layout: SyntheticLayout) -> (words: [SyntheticWord], lines: [Range<Int>], rules: [RuleLine]) {
        var composer = PageComposer(layout: layout)
        composer.place(plan)
        return (composer.words, composer.lines, composer.rules)
    }

    private mutating func place(_ plan: PagePlan) {
        let s = layout.scale, left = layout.marginLeft
        // Header.
        addLine(plan.companyName, x: left, y: layout.companyTop, scale: layout.headerScale, bold: true)
        addLine(plan.documentType, x: left, y: layout.documentTypeTop, scale: s, bold: true)
        rules.append(RuleLine(x0: left, x1: layout.width - left, y: layout.headerRuleY, thickness: layout.ruleThickness))

        // Body: rows needed per block; trim paragraph, then table, to the rows available.
        let paragraph = wrap(plan.sentences, columns: layout.columns)
        let fieldRows = plan.blocks.reduce(0) { total, block in
            if case .fields(let r) = block { return total + rowsForFields(plan, r) }
            return total
        }
        let fieldBlocks = plan.blocks.filter { if case .fields = $0 { return true } else { return false } }.count
        let hasTable = plan.blocks.contains(.table) && !plan.tableRows.isEmpty
        let hasParagraph = plan.blocks.contains(.paragraph) && !paragraph.isEmpty
        // One blank line between blocks (counted as if table and paragraph both stay).
        let gaps = max(0, fieldBlocks + (hasTable ? 1 : 0) + (hasParagraph ? 1 : 0) - 1)
        var free = layout.bodyRows - fieldRows - gaps
        // The table keeps its header plus ≥ 2 rows, and leaves a line for the paragraph.
        var tableRows = hasTable ? min(plan.tableRows.count, free - 1 - (hasParagraph ? 1 : 0)) : 0
        if tableRows < 2 { tableRows = 0 } else { free -= tableRows + 1 }
        let paragraphRows = hasParagraph ? max(0, min(paragraph.count, free)) : 0

        var row = 0
        var first = true
        for block in plan.blocks {
            switch block {
            case .fields(let range):
                if !first { row += 1 }
                row = placeFields(plan, range, row: row)
            case .table:
                guard tableRows > 0 else { continue }
                if !first { row += 1 }
                row = placeTable(plan.tableHeader, Array(plan.tableRows.prefix(tableRows)), row: row)
            case .paragraph:
                guard paragraphRows > 0 else { continue }
                if !first { row += 1 }
                for line in paragraph.prefix(paragraphRows) {
                    addLine(line, x: left, y: y(row), scale: s)
                    row += 1
                }
            }
            first = false
        }
        // Footer last: words and lines are in reading order.
        if let footer = plan.footer {
            let w = SyntheticWord.advance(footer.count, scale: s)
            addLine(footer, x: (layout.width - w) / 2, y: layout.footerTop, scale: s)
        }
        precondition(row <= layout.bodyRows, "PageComposer: placed \(row) rows on a page with \(layout.bodyRows)")
    }

    /// Top of body row `r`.
    private func y(_ r: Int) -> Int { layout.bodyTop + r * layout.pitch }

    private func labelText(_ field: PagePlan.Field) -> String { field.label + ":" }

    private func rowsForFields(_ plan: PagePlan, _ range: Range<Int>) -> Int {
        plan.fieldStyle == .twoColumns && twoColumnsFit(plan, range) ? (range.count + 1) / 2 : range.count
    }

    private func twoColumnsFit(_ plan: PagePlan, _ range: Range<Int>) -> Bool {
        let labelWidth = plan.fields[range].map { labelText($0).count }.max() ?? 0
        let valueWidth = plan.fields[range].map { $0.value.display.count }.max() ?? 0
        return labelWidth + 1 + valueWidth <= layout.columns / 2 - 2
    }

    private mutating func placeFields(_ plan: PagePlan, _ range: Range<Int>, row start: Int) -> Int {
        let s = layout.scale, left = layout.marginLeft
        let fields = Array(plan.fields[range])
        let twoColumns = plan.fieldStyle == .twoColumns && twoColumnsFit(plan, range)
        let labelWidth = fields.map { labelText($0).count }.max() ?? 0
        let perColumn = twoColumns ? (fields.count + 1) / 2 : fields.count
        for (i, field) in fields.enumerated() {
            let column = i / max(perColumn, 1), row = start + i % max(perColumn, 1)
            let x = left + column * SyntheticWord.advance(layout.columns / 2, scale: s)
            let label = labelText(field)
            if plan.fieldStyle == .inline {
                // One run: "Label: value" (a single Textract line).
                let begin = words.count
                appendWords(label, x: x, y: y(row), scale: s, bold: true)
                appendWords(field.value.display, x: x + SyntheticWord.advance(label.count + 1, scale: s), y: y(row), scale: s, bold: false)
                lines.append(begin..<words.count)
            } else {
                let gap = twoColumns ? 1 : 2
                addLine(label, x: x, y: y(row), scale: s, bold: true)
                addLine(field.value.display, x: x + SyntheticWord.advance(labelWidth + gap, scale: s), y: y(row), scale: s)
            }
        }
        return start + perColumn
    }

    private mutating func placeTable(_ header: [String], _ rows: [PagePlan.TableRow], row start: Int) -> Int {
        let s = layout.scale, left = layout.marginLeft
        // Column widths in characters: item (left-aligned), then three right-aligned numbers.
        let itemWidth = max(header[0].count, rows.map(\.item.count).max() ?? 0)
        let widths = [itemWidth] + (1..<4).map { c in
            max(header[c].count, rows.map { [$0.quantity, $0.unitPrice, $0.amount][c - 1].count }.max() ?? 0)
        }
        var columnEnds: [Int] = []  // right edge of each column, in characters from the margin
        var end = 0
        for w in widths { end += (columnEnds.isEmpty ? 0 : 3) + w; columnEnds.append(end) }
        let tableRight = left + SyntheticWord.advance(end, scale: s)
        let thin = max(1, s / 2)

        func placeRow(_ cells: [String], row: Int, bold: Bool) {
            for (c, text) in cells.enumerated() {
                let startChar = c == 0 ? 0 : columnEnds[c] - text.count
                addLine(text, x: left + SyntheticWord.advance(startChar, scale: s), y: y(row), scale: s, bold: bold)
            }
        }
        // Rules sit in the gap between glyph rows 9 and 12 of the line above / the line itself.
        rules.append(RuleLine(x0: left, x1: tableRight, y: y(start) - 2 * s, thickness: thin))
        placeRow(header, row: start, bold: true)
        rules.append(RuleLine(x0: left, x1: tableRight, y: y(start) + 10 * s, thickness: thin))
        for (i, r) in rows.enumerated() { placeRow([r.item, r.quantity, r.unitPrice, r.amount], row: start + 1 + i, bold: false) }
        rules.append(RuleLine(x0: left, x1: tableRight, y: y(start + rows.count) + 10 * s, thickness: thin))
        return start + 1 + rows.count
    }

    /// Adds `text` as one line (words separated by one space).
    private mutating func addLine(_ text: String, x: Int, y: Int, scale: Int, bold: Bool = false) {
        let begin = words.count
        appendWords(text, x: x, y: y, scale: scale, bold: bold)
        lines.append(begin..<words.count)
    }

    private mutating func appendWords(_ text: String, x: Int, y: Int, scale: Int, bold: Bool) {
        var column = 0
        for part in text.split(separator: " ", omittingEmptySubsequences: false) {
            if !part.isEmpty {
                words.append(SyntheticWord(String(part), penX: x + SyntheticWord.advance(column, scale: scale), penY: y, scale: scale, bold: bold))
            }
            column += part.count + 1
        }
    }

    /// Greedy word wrap of sentences into lines of at most `columns` characters.
    private func wrap(_ sentences: [String], columns: Int) -> [String] {
        var out: [String] = [], current = ""
        for word in sentences.joined(separator: " ").split(separator: " ") {
            if current.isEmpty { current = String(word) }
            else if current.count + 1 + word.count <= columns { current += " " + word }
            else { out.append(current); current = String(word) }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }
}
