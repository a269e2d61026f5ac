// Shape checks of the reduction, shape and gather ops. Like the core checks, each returns
// the error message (op name, every shape and the offending argument) or nil.

extension ShapeCheck {
    /// `axis` (negative counts from the end) must name an axis of a rank-`rank` tensor.
    public static func axis(_ op: String, _ shape: [Int], axis: Int) -> String? {
        let rank = shape.count
        return (-rank..<rank).contains(axis) ? nil
            : "\(op): axis \(axis) out of range for shape \(shape) (rank \(rank), valid \(-rank)..<\(rank))"
    }

    /// Reduction axes: each in range, none repeated (after resolving negative axes).
    public static func reduceAxes(_ op: String, _ shape: [Int], axes: [Int]) -> String? {
        var seen = Set<Int>()
        for a in axes {
            if let message = axis(op, shape, axis: a) { return message }
            if !seen.insert(a < 0 ? a + shape.count : a).inserted {
                return "\(op): axis \(a) repeated in axes \(axes) for shape \(shape)"
            }
        }
        return nil
    }

    /// `max` needs at least one element in every reduced group.
    public static func maxReduction(_ shape: [Int], axes: [Int]) -> String? {
        if let message = reduceAxes("max", shape, axes: axes) { return message }
        for a in axes where shape[a < 0 ? a + shape.count : a] == 0 {
            return "max: cannot reduce over axis \(a) of extent 0 in shape \(shape)"
        }
        return nil
    }

    /// `axes` must be a permutation of `0..<rank` (negative axes allowed).
    public static func permute(_ shape: [Int], axes: [Int]) -> String? {
        let rank = shape.count
        let resolved = axes.map { $0 < 0 ? $0 + rank : $0 }
        if axes.count != rank || resolved.sorted() != Array(0..<rank) {
            return "permute: axes \(axes) are not a permutation of the \(rank) axes of shape \(shape)"
        }
        return nil
    }

    /// Inputs of a concatenation: at least one, same rank and dtype, extents equal off `axis`.
    public static func concat(_ shapes: [[Int]], axis: Int) -> String? {
        guard let first = shapes.first else { return "concat: no tensors to concatenate" }
        if let message = Self.axis("concat", first, axis: axis) { return message }
        let a = axis < 0 ? axis + first.count : axis
        for (i, s) in shapes.enumerated().dropFirst() {
            if s.count != first.count {
                return "concat: tensor \(i) has shape \(s) of rank \(s.count), tensor 0 has \(first) of rank \(first.count) (shapes \(shapes))"
            }
            for d in 0..<s.count where d != a && s[d] != first[d] {
                return "concat along axis \(axis): tensor \(i) has shape \(s), tensor 0 has \(first); extents differ on axis \(d) (\(s[d]) vs \(first[d])) (shapes \(shapes))"
            }
        }
        return nil
    }

    /// Sizes of a split must be non-negative and add up to the extent of `axis`.
    public static func split(_ shape: [Int], sizes: [Int], axis: Int) -> String? {
        if let message = Self.axis("split", shape, axis: axis) { return message }
        let extent = shape[axis < 0 ? axis + shape.count : axis]
        if sizes.contains(where: { $0 < 0 }) || sizes.reduce(0, +) != extent {
            return "split: sizes \(sizes) (sum \(sizes.reduce(0, +))) do not partition axis \(axis) of extent \(extent) in shape \(shape)"
        }
        return nil
    }

    /// A slice range must lie within the extent of `axis`.
    public static func slice(_ shape: [Int], axis: Int, range: Range<Int>) -> String? {
        if let message = Self.axis("slice", shape, axis: axis) { return message }
        let extent = shape[axis < 0 ? axis + shape.count : axis]
        if range.lowerBound < 0 || range.upperBound > extent {
            return "slice: range \(range) out of bounds for axis \(axis) of extent \(extent) in shape \(shape)"
        }
        return nil
    }

    /// `gatherRows`: a rank-2 table, `shape` holding exactly the indices, every index in
    /// `0..<N` or -1 (padding, a zero row).
    public static func gatherRows(table: [Int], indices: [Int32], shape: [Int]) -> String? {
        guard table.count == 2 else { return "gatherRows: table has shape \(table), expected rank 2 [N, D]" }
        let n = shape.reduce(1, *)
        if shape.contains(where: { $0 < 0 }) || n != indices.count {
            return "gatherRows: \(indices.count) indices do not fill shape \(shape) (\(n) elements)"
        }
        let rows = table[0]
        for (position, index) in indices.enumerated() where index < -1 || Int(index) >= rows {
            return "gatherRows: index \(index) at position \(position) out of range for a table of N = \(rows) rows (valid 0..<\(rows), or -1 for a zero row)"
        }
        return nil
    }
}

/// Resolves a (possibly negative) axis that `ShapeCheck.axis` accepted.
@inline(__always)
func resolveAxis(_ axis: Int, rank: Int) -> Int { axis < 0 ? axis + rank : axis }
