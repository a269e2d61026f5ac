import NeuralNet
import TensorCore

/// Hi-VT5's spatial embedding of boxes (`encoder.layout_embedding: spatial`, README
/// "Configs and runs"): one table for x and one for y over the coordinates 0…1000, looked up at the
/// left, upper, right and lower edge and summed, layer-normalised, then projected:
///
///     e = LayerNorm(x[left] + y[upper] + x[right] + y[lower]) · Wᵀ + b
///
/// Every text position gets a box: an OCR token its word's box, the summary slots ([PAGE_i]
/// tokens) and the question the whole page [0, 0, 1000, 1000], as Hi-VT5 feeds them. (Padded
/// positions are masked; what they get does not matter.) Beside it, `LayoutEmbedding` is
/// MPVQA's own bucketed variant for models trained from scratch.
///
/// Shapes: `boxes: [R, L, 4]` (x0, y0, x1, y1), `segments: [R, L]` → `[R, L, d]`.
/// Parameter names: `x.weight`, `y.weight` `[1001, d]`, `norm.weight`, `norm.bias` `[d]`,
/// `projection.weight` `[d, d]`, `projection.bias` `[d]`.
public final class SpatialEmbedding: Module, Sendable {
    public let x: Embedding
    public let y: Embedding
    public let norm: LayerNorm
    public let projection: Linear
    /// Coordinates run over 0…`maxCoordinate`.
    public static let maxCoordinate: Int32 = 1000

    /// Tables ~ Normal(0, 0.5²) (the norm rescales their sum); projection ~ Normal(0, 1/d), bias 0.
    public init(dimension: Int, dtype: DType = .float32, rng: inout SeededRNG) {
        let count = Int(Self.maxCoordinate) + 1
        x = Embedding(count: count, dimension: dimension, std: 0.5, dtype: dtype, rng: &rng)
        y = Embedding(count: count, dimension: dimension, std: 0.5, dtype: dtype, rng: &rng)
        norm = LayerNorm(dimension, bias: true, dtype: dtype)
        projection = Linear(dimension, dimension, bias: true, dtype: dtype, rng: &rng)
    }

    /// The box of every position: OCR tokens their own (clamped to 0…1000), every other text
    /// position the whole page.
    static func positionBoxes(boxes: [Int32], segments: [Int32], count n: Int) -> (left: [Int32], upper: [Int32], right: [Int32], lower: [Int32]) {
        let full = Self.maxCoordinate, ocr = PageSegment.ocr.rawValue
        var left = [Int32](repeating: 0, count: n), upper = left
        var right = [Int32](repeating: full, count: n), lower = right
        func clamp(_ v: Int32) -> Int32 { min(max(v, 0), full) }
        for i in 0..<n where segments[i] == ocr {
            left[i] = clamp(boxes[4 * i])
            upper[i] = clamp(boxes[4 * i + 1])
            right[i] = clamp(boxes[4 * i + 2])
            lower[i] = clamp(boxes[4 * i + 3])
        }
        return (left, upper, right, lower)
    }

    /// `boxes: [R, L, 4]` (row-major, `rows · length · 4` values), `segments: [R, L]` → `[R, L, d]`.
    public func callAsFunction(boxes: [Int32], segments: [Int32], rows: Int, length: Int) -> Tensor {
        let n = rows * length
        precondition(boxes.count == n * 4 && segments.count == n,
                     "SpatialEmbedding: \(boxes.count) box values and \(segments.count) segments for [R, L] = [\(rows), \(length)]")
        let b = Self.positionBoxes(boxes: boxes, segments: segments, count: n)
        let shape = [rows, length]
        let sum = x(b.left, shape: shape) + y(b.upper, shape: shape) + x(b.right, shape: shape) + y(b.lower, shape: shape)
        return projection(norm(sum))
    }

    public var namedParameters: [NamedParameter] {
        x.namedParameters(prefix: "x") + y.namedParameters(prefix: "y")
            + norm.namedParameters(prefix: "norm") + projection.namedParameters(prefix: "projection")
    }
}
