import Foundation
import NeuralNet
import TensorCore
import TestSupport
import XCTest

final class SafeTensorsTests: XCTestCase {
    /// The tensors of Fixtures/swift_written.safetensors (verified in Python by verify_swift_written.py).
    static func swiftWrittenTensors() -> [NamedParameter] {
        [
            ("weight", Tensor((0..<6).map { Float($0) * 0.25 - 0.5 }, shape: [2, 3])),
            ("bias", Tensor([1.0 / 3.0, -2, 1e-300], shape: [3], as: Double.self)),
            ("scalar", Tensor([7], shape: [])),
            ("layers.0.ünï\"code", Tensor([1, 2], shape: [1, 2])),
        ]
    }
    static let swiftWrittenMetadata = ["writer": "MPVQA NeuralNet", "step": "3"]

    func testRoundTripKeepsNamesOrderShapesValuesAndMetadata() throws {
        var rng = SeededRNG(seed: 5)
        let tensors: [NamedParameter] = [
            ("z.last", Tensor.randn([3, 4, 2], rng: &rng)),
            ("a.first", Tensor.randn([5], dtype: .float64, rng: &rng)),
            ("empty", Tensor.zeros([0, 7])),
            ("scalar", Tensor.scalar(-1.25)),
        ]
        let dir = try FixtureFiles.temporaryDirectory()
        let url = dir.appendingPathComponent("sub/round.safetensors")
        try SafeTensors.write(tensors, metadata: ["k": "v \"quoted\"", "step": "12"], to: url)
        let file = try SafeTensorsFile(contentsOf: url)
        XCTAssertEqual(file.names, ["z.last", "a.first", "empty", "scalar"])
        XCTAssertEqual(file.metadata, ["k": "v \"quoted\"", "step": "12"])
        for (name, expected) in tensors {
            let t = try file.tensor(name)
            XCTAssertEqual(t.shape, expected.shape, name)
            XCTAssertEqual(t.dtype, expected.dtype, name)
            XCTAssertEqual(t.doubles, expected.doubles, name)
        }
        XCTAssertEqual(file.entry("a.first")?.dtype, "F64")
        // The data section starts 8-byte aligned (header padded with spaces).
        let bytes = try Data(contentsOf: url)
        let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        XCTAssertEqual((8 + headerLength) % 8, 0)
        XCTAssertEqual(bytes.count, 8 + headerLength + (24 + 5 * 2 + 0 + 1) * 4)
    }

    func testReadsFileWrittenByPythonSafetensors() throws {
        let file = try SafeTensorsFile(contentsOf: FixtureFiles.url("python_written.safetensors"))
        XCTAssertEqual(file.metadata["writer"], "python safetensors")
        XCTAssertEqual(Set(file.names), ["f32", "f16", "bf16", "f64", "scalar", "empty", "ids"])

        let f32 = try file.tensor("f32")
        XCTAssertEqual(f32.shape, [2, 3])
        XCTAssertEqual(f32.scalars, [-1, -0.5, 0, 0.5, 1, 1.5])

        let f16 = try file.tensor("f16")
        XCTAssertEqual(f16.dtype, .float32)
        let halves = f16.scalars
        XCTAssertEqual(Array(halves[0..<5]), [0, 0, 1, -2.5, 65504])
        XCTAssertEqual(halves[1].sign, .minus, "negative zero keeps its sign")
        XCTAssertEqual(halves[5], Float(1) / 16384, "smallest normal half 2^-14")
        XCTAssertEqual(halves[6], Float(1) / 16_777_216, "smallest subnormal half 2^-24")
        XCTAssertEqual(halves[7], .infinity)

        XCTAssertEqual(try file.tensor("bf16").scalars, [1, -3, 0.15625, Float(1 << 50) * Float(1 << 50)])
        let f64 = try file.tensor("f64")
        XCTAssertEqual(f64.dtype, .float64)
        XCTAssertEqual(f64.shape, [2, 1])
        XCTAssertEqual(f64.doubles, [1.0 / 3.0, -1e300])
        XCTAssertEqual(try file.tensor("scalar").shape, [])
        XCTAssertEqual(try file.tensor("scalar").item, 42)
        XCTAssertEqual(try file.tensor("empty").shape, [0, 3])

        XCTAssertThrowsError(try file.tensor("ids")) { error in
            XCTAssertEqual(error as? CheckpointError, .unsupportedDType(name: "ids", dtype: "I64", file: file.source))
        }
        XCTAssertEqual(file.entry("ids")?.shape, [3], "unsupported dtypes are still listed")
    }

    /// The committed Swift-written file is byte-identical to what the writer produces
    /// today, so `python3 verify_swift_written.py` keeps checking the current writer.
    func testWriterOutputMatchesCommittedFileThatPythonVerifies() throws {
        let produced = SafeTensors.encode(Self.swiftWrittenTensors(), metadata: Self.swiftWrittenMetadata)
        let committed = try Data(contentsOf: FixtureFiles.url("swift_written.safetensors"))
        if produced != committed {
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("swift_written.safetensors")
            try produced.write(to: out)
            XCTFail("writer output differs from Fixtures/swift_written.safetensors; new bytes at \(out.path) (check them with verify_swift_written.py)")
        }
        let file = try SafeTensorsFile(data: committed)
        XCTAssertEqual(file.names, Self.swiftWrittenTensors().map(\.name))
    }

    func testMalformedFilesThrowNamingTheProblem() {
        func reason(_ bytes: [UInt8]) -> String {
            do {
                _ = try SafeTensorsFile(data: Data(bytes), source: "bad.safetensors")
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertTrue(reason([1, 2, 3]).contains("shorter than the 8-byte header length"), reason([1, 2, 3]))
        XCTAssertTrue(reason([200, 0, 0, 0, 0, 0, 0, 0, 0x7B]).contains("exceeds the file size"))
        let header = Array(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#.utf8)
        let bad = [UInt8(header.count), 0, 0, 0, 0, 0, 0, 0] + header + [0, 0, 0, 0]
        let message = reason(bad)
        XCTAssertTrue(message.hasPrefix("bad.safetensors: "), message)
        XCTAssertTrue(message.contains("tensor 'w': 4 bytes for shape [2] of F32, expected 8"), message)
        let notJSON = Array("{nope".utf8)
        XCTAssertTrue(reason([UInt8(notJSON.count), 0, 0, 0, 0, 0, 0, 0] + notJSON).contains("not valid JSON"))
    }

    func testAtomicWriteLeavesNoTemporaryFiles() throws {
        let dir = try FixtureFiles.temporaryDirectory()
        let url = dir.appendingPathComponent("w.safetensors")
        try SafeTensors.write([("a", Tensor.ones([2]))], to: url)
        try SafeTensors.write([("a", Tensor.zeros([3]))], to: url)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["w.safetensors"])
        XCTAssertEqual(try SafeTensorsFile(contentsOf: url).entry("a")?.shape, [3])
    }
}
