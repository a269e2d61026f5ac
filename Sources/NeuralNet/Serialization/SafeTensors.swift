import Foundation
import RunSupport
import TensorCore

#if _endian(big)
#error("safetensors data is little-endian; this writer copies host-order floats")
#endif

/// Writing the safetensors format (https://huggingface.co/docs/safetensors):
///
/// ```
/// [8 bytes]  N, the header length (UInt64, little-endian)
/// [N bytes]  JSON: {"__metadata__": {str: str},
///                   "<name>": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...}
///            padded with spaces so the data starts 8-byte aligned
/// [rest]     raw little-endian tensor data; offsets are relative to the start of this part
/// ```
/// Tensors are written in the given order, back to back, Float32 as `F32` and Float64
/// as `F64`. The output is deterministic (same tensors → same bytes). Read files back
/// with `SafeTensorsFile`.
///
/// ```swift
/// try SafeTensors.write(model.namedParameters, metadata: ["step": "100"], to: url)
/// ```
public enum SafeTensors {
    /// Encodes `tensors` (unique names, not `__metadata__`) and `metadata` into file bytes.
    public static func encode(_ tensors: [NamedParameter], metadata: [String: String] = [:]) -> Data {
        var seen = Set<String>()
        for t in tensors {
            precondition(t.name != "__metadata__", "SafeTensors: '__metadata__' is reserved and cannot name a tensor")
            precondition(seen.insert(t.name).inserted, "SafeTensors: tensor name '\(t.name)' appears twice")
        }
        var header = "{"
        var fields: [String] = []
        if !metadata.isEmpty {
            let entries = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            fields.append("\"__metadata__\":{\(entries.joined(separator: ","))}")
        }
        var offset = 0
        for t in tensors {
            let bytes = t.tensor.count * t.tensor.dtype.byteSize
            let shape = t.tensor.shape.map(String.init).joined(separator: ",")
            fields.append("\(jsonString(t.name)):{\"dtype\":\"\(dtypeCode(t.tensor.dtype))\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + bytes)]}")
            offset += bytes
        }
        header += fields.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        while (8 + headerBytes.count) % 8 != 0 { headerBytes.append(0x20) }

        var data = Data(capacity: 8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: headerBytes)
        for t in tensors where t.tensor.count > 0 {
            switch t.tensor.dtype {
            case .float32: t.tensor.withUnsafeBufferPointer(as: Float.self) { data.append(UnsafeRawBufferPointer($0).assumingMemoryBound(to: UInt8.self)) }
            case .float64: t.tensor.withUnsafeBufferPointer(as: Double.self) { data.append(UnsafeRawBufferPointer($0).assumingMemoryBound(to: UInt8.self)) }
            }
        }
        return data
    }

    /// Writes `tensors` and `metadata` to `url` atomically (temporary file, then rename),
    /// so a killed process leaves either the old file or the complete new one.
    public static func write(_ tensors: [NamedParameter], metadata: [String: String] = [:], to url: URL) throws {
        try AtomicFile.write(encode(tensors, metadata: metadata), to: url)
    }

    /// The format's name for a tensor dtype.
    static func dtypeCode(_ dtype: DType) -> String {
        switch dtype {
        case .float32: return "F32"
        case .float64: return "F64"
        }
    }

}
