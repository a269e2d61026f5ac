/// Shape validation for ops. Each check returns the error message (naming the op and
/// every shape involved) or nil; ops trap with that message, and tests read it directly.
public enum ShapeCheck {
    /// `op(A)·op(B)` (see `Tensor.matmul`).
    public static func matmul(_ a: [Int], _ b: [Int], transposeA: Bool, transposeB: Bool) -> String? {
        // Built only on failure: matmul runs hundreds of times a step.
        var desc: String { "matmul: shapes \(a)\(transposeA ? "ᵀ" : "") and \(b)\(transposeB ? "ᵀ" : "")" }
        guard a.count >= 2, b.count >= 2 else { return "\(desc): both operands need rank ≥ 2" }
        let ka = transposeA ? a[a.count - 2] : a[a.count - 1]
        let kb = transposeB ? b[b.count - 1] : b[b.count - 2]
        if ka != kb { return "\(desc): inner dimensions \(ka) and \(kb) differ" }
        if b.count == 2 && !transposeA { return nil }
        if a.dropLast(2) != b.dropLast(2) {
            return "\(desc): batch dimensions \(Array(a.dropLast(2))) and \(Array(b.dropLast(2))) differ"
        }
        return nil
    }

    /// NumPy broadcasting of two shapes; the message names `op`.
    public static func broadcast(_ op: String, _ a: [Int], _ b: [Int]) -> Result<[Int], ShapeError> {
        let rank = max(a.count, b.count)
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else {
                return .failure(ShapeError("\(op): shapes \(a) and \(b) cannot be broadcast (axis \(i): \(da) vs \(db))"))
            }
        }
        return .success(out)
    }

    /// Element counts must agree for a reshape.
    public static func reshape(_ from: [Int], _ to: [Int]) -> String? {
        from.reduce(1, *) == to.reduce(1, *) ? nil
            : "reshape: cannot view shape \(from) (\(from.reduce(1, *)) elements) as \(to) (\(to.reduce(1, *)) elements)"
    }
}

/// A shape error with a message naming the op and the shapes involved.
public struct ShapeError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
