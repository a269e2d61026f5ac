import Foundation
import RunSupport
import TensorCore

/// A safetensors file opened for reading: the header is parsed and validated up front,
/// tensors are converted on request (so a large file costs only what is read).
///
/// `F32` and `F64` load as Float32 / Float64 tensors; `F16` and `BF16` are widened to
/// Float32. Other dtypes are listed but throw `unsupportedDType` when requested.
///
/// ```swift
/// let file = try SafeTensorsFile(contentsOf: url)
/// for name in file.names { print(name, file.entry(name)!.shape) }
/// let w = try file.tensor("encoder.layers.0.selfAttention.query.weight")
/// ```
public struct SafeTensorsFile: @unchecked Sendable {
    /// One tensor's header record.
    public struct Entry: Sendable, Equatable {
        public let name: String
        /// The format's dtype code: `F32`, `F16`, `BF16`, `F64`, `I64`, ….
        public let dtype: String
        public let shape: [Int]
        /// Byte range in the data section.
        let byteRange: Range<Int>
    }

    /// Where the bytes came from (a path), used in error messages.
    public let source: String?
    /// The `__metadata__` string map (empty when absent).
    public let metadata: [String: String]
    /// Tensor records in data order.
    public let entries: [Entry]
    private let index: [String: Int]
    private let data: Data
    private let dataStart: Int

    /// Opens `url` (memory-mapped when possible).
    public init(contentsOf url: URL) throws {
        let bytes: Data
        do {
            bytes = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw CheckpointError.malformed(file: url.path, reason: "cannot read file (\(FileSystemError.reason(of: error) ?? error.localizedDescription))")
        }
        try self.init(data: bytes, source: url.path)
    }

    /// Parses safetensors bytes; `source` names them in errors.
    public init(data: Data, source: String? = nil) throws {
        func fail(_ reason: String) -> CheckpointError { .malformed(file: source, reason: reason) }
        guard data.count >= 8 else { throw fail("\(data.count) bytes, shorter than the 8-byte header length") }
        let headerLength = data.withUnsafeBytes { raw -> UInt64 in
            var n: UInt64 = 0
            withUnsafeMutableBytes(of: &n) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[0..<8])) }
            return UInt64(littleEndian: n)
        }
        guard headerLength <= UInt64(data.count - 8) else {
            throw fail("header length \(headerLength) exceeds the file size \(data.count)")
        }
        let headerStart = data.startIndex + 8, dataStart = headerStart + Int(headerLength)
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: data[headerStart..<dataStart])
        } catch {
            throw fail("header is not valid JSON (\(error.localizedDescription))")
        }
        guard let header = json as? [String: Any] else { throw fail("header is not a JSON object") }

        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        let dataLength = data.endIndex - dataStart
        for (name, value) in header {
            if name == "__metadata__" {
                guard let map = value as? [String: Any] else { throw fail("__metadata__ is not an object") }
                for (k, v) in map {
                    guard let s = v as? String else { throw fail("__metadata__ value of '\(k)' is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let record = value as? [String: Any],
                  let dtype = record["dtype"] as? String,
                  let shape = (record["shape"] as? [Any])?.compactMap(Self.integer),
                  let offsets = (record["data_offsets"] as? [Any])?.compactMap(Self.integer),
                  shape.count == (record["shape"] as? [Any])?.count, offsets.count == 2
            else { throw fail("tensor '\(name)': record needs dtype (string), shape (integers) and data_offsets ([begin, end])") }
            guard shape.allSatisfy({ $0 >= 0 }) else { throw fail("tensor '\(name)': negative extent in shape \(shape)") }
            guard offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= dataLength else {
                throw fail("tensor '\(name)': data_offsets \(offsets) outside the \(dataLength)-byte data section")
            }
            if let size = Self.elementSize(dtype) {
                let expected = shape.reduce(1, *) * size
                guard offsets[1] - offsets[0] == expected else {
                    throw fail("tensor '\(name)': \(offsets[1] - offsets[0]) bytes for shape \(shape) of \(dtype), expected \(expected)")
                }
            }
            entries.append(Entry(name: name, dtype: dtype, shape: shape, byteRange: offsets[0]..<offsets[1]))
        }
        entries.sort { ($0.byteRange.lowerBound, $0.name) < ($1.byteRange.lowerBound, $1.name) }
        for (a, b) in zip(entries, entries.dropFirst()) where b.byteRange.lowerBound < a.byteRange.upperBound {
            throw fail("tensors '\(a.name)' and '\(b.name)' overlap in the data section")
        }
        self.source = source
        self.metadata = metadata
        self.entries = entries
        self.index = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($1.name, $0) })
        self.data = data
        self.dataStart = dataStart
    }

    /// Tensor names in data order.
    public var names: [String] { entries.map(\.name) }

    /// The header record of `name`, or nil.
    public func entry(_ name: String) -> Entry? { index[name].map { entries[$0] } }

    /// Whether the file holds a tensor called `name`.
    public func contains(_ name: String) -> Bool { index[name] != nil }

    /// The tensor `name` (Float32, or Float64 for `F64` data); throws when absent or of an
    /// unsupported dtype.
    public func tensor(_ name: String) throws -> Tensor {
        guard let e = entry(name) else {
            throw CheckpointError.malformed(file: source, reason: "no tensor named '\(name)'")
        }
        let count = e.shape.reduce(1, *)
        let start = dataStart + e.byteRange.lowerBound
        return try data.withUnsafeBytes { raw -> Tensor in
            let bytes = UnsafeRawBufferPointer(rebasing: raw[(start - data.startIndex)..<(start - data.startIndex + e.byteRange.count)])
            switch e.dtype {
            case "F32":
                let t = Tensor.zeros(e.shape, dtype: .float32)
                t.withUnsafeMutableBufferPointer(as: Float.self) { UnsafeMutableRawBufferPointer($0).copyMemory(from: bytes) }
                return t
            case "F64":
                let t = Tensor.zeros(e.shape, dtype: .float64)
                t.withUnsafeMutableBufferPointer(as: Double.self) { UnsafeMutableRawBufferPointer($0).copyMemory(from: bytes) }
                return t
            case "F16", "BF16":
                let half = e.dtype == "F16"
                let t = Tensor.zeros(e.shape, dtype: .float32)
                t.withUnsafeMutableBufferPointer(as: Float.self) { out in
                    for i in 0..<count {
                        let bits = UInt16(bytes[2 * i]) | UInt16(bytes[2 * i + 1]) << 8
                        out[i] = half ? HalfPrecision.decode(bits) : floatFromBFloat16Bits(bits)
                    }
                }
                return t
            default:
                throw CheckpointError.unsupportedDType(name: name, dtype: e.dtype, file: source)
            }
        }
    }

    /// Every readable tensor, in data order.
    public func tensors() throws -> [NamedParameter] {
        try entries.map { (name: $0.name, tensor: try tensor($0.name)) }
    }

    /// Bytes per element of a safetensors dtype code, nil when unknown.
    static func elementSize(_ dtype: String) -> Int? {
        switch dtype {
        case "F64", "I64", "U64": return 8
        case "F32", "I32", "U32": return 4
        case "F16", "BF16", "I16", "U16": return 2
        case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2": return 1
        default: return nil
        }
    }

    /// A JSON number that is an integer (JSONSerialization yields NSNumber or Int).
    private static func integer(_ value: Any) -> Int? {
        if let i = value as? Int { return i }
        if let d = value as? Double, d == d.rounded(), abs(d) < 9e15 { return Int(d) }
        return nil
    }
}
