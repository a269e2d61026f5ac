import Foundation
import RunSupport

/// What every `tokenizer.json` reader does first, whatever its model: read the file, parse the
/// JSON, check the top-level object and its `version` ("1.0"), with errors naming the file.
enum TokenizerFileReading {
    /// The bytes of `url`; an unreadable file is a `DataError` naming it.
    static func data(of url: URL) throws -> Data {
        do { return try Data(contentsOf: url) } catch {
            throw DataError(file: url.path, "cannot read: \(FileSystemError.reason(of: error) ?? error.localizedDescription)")
        }
    }

    /// The top-level object of `data` (version checked) and a reader naming `source` in errors.
    static func root(_ data: Data, source: String) throws -> (reader: JSONFieldReader, root: [String: Any]) {
        let parsed: Any
        do { parsed = try JSONSerialization.jsonObject(with: data) } catch {
            throw DataError(file: source, "not valid JSON: \(error.localizedDescription)")
        }
        let reader = JSONFieldReader(file: source)
        let root = try reader.object(parsed, "")
        let version = try reader.string(root["version"], "version")
        guard version == "1.0" else { throw reader.error("version", "expected \"1.0\", found \"\(version)\"") }
        return (reader, root)
    }
}
