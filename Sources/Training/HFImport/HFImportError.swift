import Foundation

/// Why a Hugging Face T5 directory cannot be imported (or a run exported): one line that
/// names the file and, where there is one, the tensor or config field (README "Hugging Face
/// T5 import and export").
public struct HFImportError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// The file at fault (`config.json`, a safetensors shard, …), as given.
    public let file: String
    /// The tensor or config field at fault, nil when the whole file is.
    public let subject: String?
    public let message: String

    public init(file: String, subject: String? = nil, _ message: String) {
        self.file = file
        self.subject = subject
        self.message = message
    }

    public var description: String { [file, subject.map { "'\($0)'" }, message].compactMap { $0 }.joined(separator: ": ") }
    public var errorDescription: String? { description }
}
