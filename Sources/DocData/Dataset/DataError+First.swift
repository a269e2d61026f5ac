extension DataError {
    /// The first of `problems`, its message noting how many more there are (nil when empty):
    /// what a loader throws when a file has problems; `mpvqa data validate` lists them all.
    public static func first(of problems: [DataError]) -> DataError? {
        guard var first = problems.first else { return nil }
        if problems.count > 1 {
            first.message += " (and \(problems.count - 1) more problem\(problems.count > 2 ? "s" : "") in this data; `mpvqa data validate` lists them all)"
        }
        return first
    }
}
