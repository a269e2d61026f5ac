import Foundation
import NeuralNet
import RunSupport
import TensorCore

/// The weights of a Hugging Face model directory: `model.safetensors`, or the shards named
/// by `model.safetensors.index.json` (`{"weight_map": {tensor: shard file}}`). Every tensor
/// is looked up by name with the file that holds it, so errors name both.
public struct HFSafeTensorsCheckpoint {
    /// Each tensor's file, by tensor name.
    private let files: [String: SafeTensorsFile]
    /// The file names (relative to the directory) errors use, by tensor name.
    private let fileNames: [String: String]
    /// Every tensor name, in file then data order.
    public let names: [String]
    /// What errors call the checkpoint as a whole (`model.safetensors` or the index).
    public let description: String

    public static let singleFile = "model.safetensors"
    public static let indexFile = "model.safetensors.index.json"

    /// Opens the checkpoint of `directory` (sharded when the index exists).
    public init(directory: URL) throws {
        let index = directory.appendingPathComponent(Self.indexFile)
        var files: [String: SafeTensorsFile] = [:], fileNames: [String: String] = [:], names: [String] = []
        func open(_ name: String) throws -> SafeTensorsFile {
            let url = directory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw HFImportError(file: url.path, "no such file")
            }
            do { return try SafeTensorsFile(contentsOf: url) } catch let error as CheckpointError {
                // SafeTensorsFile names the file itself; keep its one line.
                throw HFImportError(file: url.path, "\(error)".replacingOccurrences(of: "\(url.path): ", with: ""))
            }
        }
        if FileManager.default.fileExists(atPath: index.path) {
            description = index.path
            let data: Data
            do { data = try Data(contentsOf: index) } catch {
                throw HFImportError(file: index.path, "cannot read (\(FileSystemError.reason(of: error) ?? error.localizedDescription))")
            }
            guard let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
                  let map = json["weight_map"] as? [String: Any] else {
                throw HFImportError(file: index.path, subject: "weight_map", "missing or not an object of tensor → shard file")
            }
            var shards: [String: SafeTensorsFile] = [:]
            var listed: [String: String] = [:]
            for (tensor, value) in map {
                guard let shard = value as? String, !shard.contains("/"), !shard.hasPrefix(".") else {
                    throw HFImportError(file: index.path, subject: tensor, "shard \(value) is not a file name in the model directory")
                }
                listed[tensor] = shard
            }
            for shard in Set(listed.values).sorted() { shards[shard] = try open(shard) }
            for shard in Set(listed.values).sorted() {
                let file = shards[shard]!
                for name in file.names {
                    guard listed[name] == shard else {
                        throw HFImportError(file: directory.appendingPathComponent(shard).path, subject: name,
                                            listed[name] == nil ? "tensor not listed in \(Self.indexFile)" : "tensor listed in \(Self.indexFile) under shard \(listed[name]!)")
                    }
                    files[name] = file
                    fileNames[name] = directory.appendingPathComponent(shard).path
                    names.append(name)
                }
            }
            for (tensor, shard) in listed.sorted(by: { $0.key < $1.key }) where files[tensor] == nil {
                throw HFImportError(file: directory.appendingPathComponent(shard).path, subject: tensor,
                                    "missing tensor (listed in \(Self.indexFile))")
            }
        } else {
            let file = try open(Self.singleFile)
            description = directory.appendingPathComponent(Self.singleFile).path
            for name in file.names {
                files[name] = file
                fileNames[name] = description
                names.append(name)
            }
        }
        self.files = files
        self.fileNames = fileNames
        self.names = names
    }

    public func contains(_ name: String) -> Bool { files[name] != nil }

    /// The file that holds `name` (for errors), or the checkpoint's description.
    public func fileName(of name: String) -> String { fileNames[name] ?? description }

    /// The shape of `name`, nil when absent.
    public func shape(_ name: String) -> [Int]? { files[name]?.entry(name)?.shape }

    /// `name` as a Float32 tensor (F16 and BF16 widened, F64 narrowed).
    public func tensor(_ name: String) throws -> Tensor {
        guard let file = files[name] else { throw HFImportError(file: description, subject: name, "missing tensor") }
        let t: Tensor
        do { t = try file.tensor(name) } catch let CheckpointError.unsupportedDType(_, dtype, _) {
            throw HFImportError(file: fileName(of: name), subject: name, "dtype \(dtype) is not a float type (readable: F32, F16, BF16, F64)")
        }
        return t.dtype == .float32 ? t : t.converted(to: .float32)
    }
}
