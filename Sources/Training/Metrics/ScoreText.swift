import Foundation

/// Renders a `ScoreReport` for people (aligned tables) and machines (the JSON keys of README "Commands").
public enum ScoreText {
    /// `{"questions", "anls", "accuracy", "page_accuracy", "top3_page_accuracy"?, "breakdowns"}`.
    public static func json(_ report: ScoreReport) throws -> String {
        var object: [String: Any] = [
            "questions": report.overall.questions, "anls": report.overall.anls,
            "accuracy": report.overall.accuracy, "page_accuracy": report.overall.pageAccuracy,
        ]
        if let top3 = report.overall.top3PageAccuracy { object["top3_page_accuracy"] = top3 }
        object["breakdowns"] = report.breakdowns.mapValues { groups in
            groups.mapValues { s -> [String: Any] in
                var row: [String: Any] = ["questions": s.questions, "anls": s.anls, "accuracy": s.accuracy, "page_accuracy": s.pageAccuracy]
                if let t = s.top3PageAccuracy { row["top3_page_accuracy"] = t }
                return row
            }
        }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// The overall metrics and both breakdowns as aligned text tables.
    public static func table(_ report: ScoreReport) -> String {
        var lines = ["questions  ANLS    accuracy  page acc  top-3",
                     row("", report.overall)]
        for (title, key, order) in [("by page count", "page_count", ["1", "2-5", "6-10", "11-20"]),
                                    ("by answer page", "answer_page", ["1", "2", "3-5", "6-10", "11-20"])] {
            lines.append("")
            lines.append("\(title):")
            for bucket in order { if let s = report.breakdowns[key]?[bucket] { lines.append(row(bucket.padding(toLength: 6, withPad: " ", startingAt: 0), s)) } }
        }
        return lines.joined(separator: "\n")
    }

    private static func row(_ label: String, _ s: MetricSummary) -> String {
        let top3 = s.top3PageAccuracy.map { String(format: "%.4f", $0) } ?? "  -"
        return label + String(format: "%9d  %.4f  %.4f    %.4f    ", s.questions, s.anls, s.accuracy, s.pageAccuracy) + top3
    }
}
