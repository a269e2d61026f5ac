import NeuralNet
import TensorCore

/// Visual patch tokens: a linear projection of each flattened patch plus learned row and
/// column embeddings of its grid position (ViT with 2D positions).
///
/// Shapes: `patches.values: [R, N, pixels]`, `patches.positions: [N, 2]` → `[R, N, d]`.
/// Parameter names: `projection.weight`, `row.weight`, `column.weight`.
public final class PatchEmbedding: Module, Sendable {
    public let projection: Linear
    /// `[gridSide, d]`.
    public let row: Embedding
    /// `[gridSide, d]`.
    public let column: Embedding

    public init(pixels: Int, dimension: Int, gridSide: Int, dtype: DType = .float32, rng: inout SeededRNG) {
        projection = Linear(pixels, dimension, dtype: dtype, rng: &rng)
        row = Embedding(count: gridSide, dimension: dimension, std: 0.5, dtype: dtype, rng: &rng)
        column = Embedding(count: gridSide, dimension: dimension, std: 0.5, dtype: dtype, rng: &rng)
    }

    public var pixels: Int { projection.inFeatures }
    public var gridSide: Int { row.count }

    public func callAsFunction(_ patches: PatchInput) -> Tensor {
        precondition(patches.pixels == pixels, "PatchEmbedding: patches have \(patches.pixels) values, the projection expects \(pixels)")
        let n = patches.count
        var rows = [Int32](repeating: 0, count: n), columns = rows
        for i in 0..<n {
            rows[i] = patches.positions[2 * i]
            columns[i] = patches.positions[2 * i + 1]
            precondition(Int(rows[i]) < gridSide && Int(columns[i]) < gridSide,
                         "PatchEmbedding: patch \(i) at grid (\(rows[i]), \(columns[i])) is outside the \(gridSide)×\(gridSide) position table (patchGridSide)")
        }
        let values = Tensor(patches.values, shape: [patches.rows, n, pixels]).converted(to: projection.weight.dtype)
        return projection(values) + (row(rows, shape: [n]) + column(columns, shape: [n]))
    }

    public var namedParameters: [NamedParameter] {
        projection.namedParameters(prefix: "projection") + row.namedParameters(prefix: "row")
            + column.namedParameters(prefix: "column")
    }
}
