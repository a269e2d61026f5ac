import NeuralNet
import TensorCore

/// 2D layout embeddings of OCR boxes (LayoutLM style): the quantised left and right edges
/// share one table, top and bottom another, and the box width and height have their own.
///
/// Coordinates 0…1000 map to `buckets` bins (`v · buckets / 1001`). Only OCR positions
/// (`PageSegment.ocr`) get a layout vector; every other position gets zeros.
///
/// Shapes: `boxes: [R, L, 4]` (x0, y0, x1, y1), `segments: [R, L]` → `[R, L, d]`.
/// Tables: `x, y, width, height: [buckets, d]`.
/// Parameter names: `x.weight`, `y.weight`, `width.weight`, `height.weight`.
public final class LayoutEmbedding: Module, Sendable {
    public let x: Embedding
    public let y: Embedding
    public let width: Embedding
    public let height: Embedding
    public let buckets: Int

    /// Tables ~ Normal(0, 0.5²): six of them are summed, so the layout vector stays on the
    /// scale of one token embedding.
    public init(buckets: Int, dimension: Int, dtype: DType = .float32, rng: inout SeededRNG) {
        precondition(buckets > 0 && buckets <= 1001, "LayoutEmbedding: buckets must be in 1...1001, got \(buckets)")
        x = Embedding(count: buckets, dimension: dimension, std: 0.5, dtype: dtype, rng: &rng)
        y = Embedding(count: buckets, dimension: dimension, std: 0.5, dtype: dtype, rng: &rng)
        width = Embedding(count: buckets, dimension: dimension, std: 0.5, dtype: dtype, rng: &rng)
        height = Embedding(count: buckets, dimension: dimension, std: 0.5, dtype: dtype, rng: &rng)
        self.buckets = buckets
    }

    /// The bin of a coordinate or extent in 0…1000.
    @inline(__always)
    func bucket(_ value: Int32) -> Int32 { Int32(Int(value) * buckets / 1001) }

    /// `boxes: [R, L, 4]` (row-major, `rows · length · 4` values), `segments: [R, L]` → `[R, L, d]`.
    public func callAsFunction(boxes: [Int32], segments: [Int32], rows: Int, length: Int) -> Tensor {
        let n = rows * length
        precondition(boxes.count == n * 4 && segments.count == n,
                     "LayoutEmbedding: \(boxes.count) box values and \(segments.count) segments for [R, L] = [\(rows), \(length)]")
        // Index -1 gathers a zero row: non-OCR positions get no layout vector.
        var left = [Int32](repeating: -1, count: n), right = left, top = left, bottom = left, w = left, h = left
        let ocr = PageSegment.ocr.rawValue
        for i in 0..<n where segments[i] == ocr {
            let x0 = boxes[4 * i], y0 = boxes[4 * i + 1], x1 = boxes[4 * i + 2], y1 = boxes[4 * i + 3]
            left[i] = bucket(x0)
            top[i] = bucket(y0)
            right[i] = bucket(x1)
            bottom[i] = bucket(y1)
            w[i] = bucket(max(0, x1 - x0))
            h[i] = bucket(max(0, y1 - y0))
        }
        let shape = [rows, length]
        return x(left, shape: shape) + x(right, shape: shape) + y(top, shape: shape) + y(bottom, shape: shape)
            + width(w, shape: shape) + height(h, shape: shape)
    }

    public var namedParameters: [NamedParameter] {
        x.namedParameters(prefix: "x") + y.namedParameters(prefix: "y")
            + width.namedParameters(prefix: "width") + height.namedParameters(prefix: "height")
    }
}
