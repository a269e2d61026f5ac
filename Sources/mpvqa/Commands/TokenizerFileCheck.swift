import Foundation

/// Recognises a tokenizer file the tool may replace: a JSON object with a `model` section
/// (the tokenizer.json layout mpvqa writes and reads).
enum TokenizerFileCheck {
    static func isTokenizerFile(_ url: URL) -> Bool {
        guard let data = FileManager.default.contents(atPath: url.path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return false }
        return object["model"] is [String: Any]
    }
}
