/// One matrix product shape of a workload, as `matmul` runs it: `batch` independent
/// `C[m, n] = op(A)·op(B)` products with inner dimension `k`, repeated `count` times per step.
///
/// `A: [m, k]` (`[k, m]` when `transposeA`), `B: [k, n]` (`[n, k]` when `transposeB`).
public struct GemmProduct: Hashable, Sendable, CustomStringConvertible {
    /// What the product computes, e.g. `encoder.ffn.in` or `encoder.ffn.in dW`.
    public var name: String
    public var batch: Int
    public var m: Int
    public var n: Int
    public var k: Int
    public var transposeA: Bool
    public var transposeB: Bool
    /// Occurrences per step (e.g. once per layer).
    public var count: Int

    public init(_ name: String, batch: Int = 1, m: Int, n: Int, k: Int,
                transposeA: Bool = false, transposeB: Bool = false, count: Int = 1) {
        self.name = name
        self.batch = batch
        self.m = m
        self.n = n
        self.k = k
        self.transposeA = transposeA
        self.transposeB = transposeB
        self.count = count
    }

    /// Multiply-adds counted as 2 FLOPs: `2·m·n·k·batch·count`.
    public var flops: Int { 2 * m * n * k * batch * count }

    public var description: String {
        let shape = "\(m)×\(n)×\(k)\(transposeA ? " Aᵀ" : "")\(transposeB ? " Bᵀ" : "")"
        return "\(name): \(batch > 1 ? "\(batch) × " : "")\(shape)\(count > 1 ? " (×\(count))" : "")"
    }

    /// The products `matmul`'s VJP runs for this one: `dA` (when `needsA`) and `dB`
    /// (when `needsB`), each with the same FLOPs as the forward product.
    ///
    /// For `C = op(A)·op(B)` and upstream gradient `G: [m, n]`:
    /// `dA = G·op(B)ᵀ` (or `op(B)·Gᵀ` when A is transposed), `dB = op(A)ᵀ·G` (or `Gᵀ·op(A)`
    /// when B is transposed) — the same operand orders as `Tensor.matmul`'s VJP.
    public func backward(needsA: Bool = true, needsB: Bool = true) -> [GemmProduct] {
        var out: [GemmProduct] = []
        if needsA {
            out.append(transposeA
                ? GemmProduct(name + " dA", batch: batch, m: k, n: m, k: n, transposeA: transposeB, transposeB: true, count: count)
                : GemmProduct(name + " dA", batch: batch, m: m, n: k, k: n, transposeA: false, transposeB: !transposeB, count: count))
        }
        if needsB {
            out.append(transposeB
                ? GemmProduct(name + " dB", batch: batch, m: n, n: k, k: m, transposeA: true, transposeB: transposeA, count: count)
                : GemmProduct(name + " dB", batch: batch, m: k, n: n, k: m, transposeA: !transposeA, transposeB: false, count: count))
        }
        return out
    }
}

extension Array where Element == GemmProduct {
    /// Total FLOPs of all products.
    public var flops: Int { reduce(0) { $0 + $1.flops } }
}
