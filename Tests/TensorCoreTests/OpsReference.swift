import Foundation
import TensorCore

/// The numpy / torch reference cases of Fixtures/ops_reference.json (written by
/// Fixtures/ops_reference.py), shared by the Unary, Reduce, ShapeOps and Gather tests.
struct OpsReference: Decodable, Sendable {
    /// A row-major float64 array with its shape.
    struct Array: Decodable, Sendable {
        let shape: [Int]
        let data: [Double]

        /// The values as a tensor of `dtype`.
        func tensor(_ dtype: DType) -> Tensor { Tensor(data, shape: shape, as: Double.self).converted(to: dtype) }
    }

    /// Op arguments; each op reads the ones it takes.
    struct Args: Decodable, Sendable {
        let axes: [Int]?
        let keepDims: Bool?
        let approximate: Bool?
        let a: Int?
        let b: Int?
        let axis: Int?
        let sizes: [Int]?
        let start: Int?
        let end: Int?
        let indices: [Int32]?
        let shape: [Int]?
    }

    struct Case: Decodable, Sendable {
        let name: String
        let op: String
        let inputs: [Array]
        let output: Array
        let args: Args
        /// Every piece of a split.
        let outputs: [Array]?
        /// Gather: the weight of the objective sum(out · weight) and its gradient w.r.t. the table.
        let weight: Array?
        let tableGrad: Array?
    }

    let cases: [Case]

    static let shared: OpsReference = {
        guard let url = Bundle.module.url(forResource: "ops_reference", withExtension: "json", subdirectory: "Fixtures") else {
            fatalError("Fixtures/ops_reference.json missing from the test bundle")
        }
        do {
            return try JSONDecoder().decode(OpsReference.self, from: Data(contentsOf: url))
        } catch {
            fatalError("Fixtures/ops_reference.json: \(error)")
        }
    }()

    /// The cases of the ops in `ops`.
    static func cases(_ ops: Set<String>) -> [Case] { shared.cases.filter { ops.contains($0.op) } }
}
