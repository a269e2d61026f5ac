import Foundation
import RunSupport

/// Reading and writing the Hugging Face `tokenizer.json` format (version "1.0"): added tokens,
/// no normalizer, a `ByteLevel` pre-tokenizer (optionally after `Digits`), a BPE model with
/// `vocab` and `merges`, and a `ByteLevel` decoder.
extension BPETokenizer {
    /// Loads a `tokenizer.json`; throws ``DataError`` naming the file and field for anything this
    /// tokenizer cannot reproduce exactly (another normalizer, pre-tokenizer or model type).
    ///
    /// ```swift
    /// let tokenizer = try BPETokenizer(contentsOf: URL(fileURLWithPath: "runs/tok/tokenizer.json"))
    /// ```
    public convenience init(contentsOf url: URL) throws {
        try self.init(jsonData: try TokenizerFileReading.data(of: url), source: url.path)
    }

    /// Parses `tokenizer.json` bytes (`source` names the file in errors).
    public convenience init(jsonData data: Data, source: String = "tokenizer.json") throws {
        let (reader, root) = try TokenizerFileReading.root(data, source: source)
        if let normalizer = root["normalizer"], !(normalizer is NSNull) {
            throw reader.error("normalizer", "expected null (this tokenizer does not normalise text)")
        }
        let preTokenizer = try Self.parsePreTokenizer(root["pre_tokenizer"], reader)
        if let decoder = root["decoder"], !(decoder is NSNull) {
            let type = try reader.string(try reader.object(decoder, "decoder")["type"], "decoder.type")
            guard type == "ByteLevel" else { throw reader.error("decoder.type", "expected \"ByteLevel\", found \"\(type)\"") }
        }
        if let post = root["post_processor"], !(post is NSNull) {
            // A ByteLevel post-processor only trims offsets; anything else would add tokens.
            let type = try reader.string(try reader.object(post, "post_processor")["type"], "post_processor.type")
            guard type == "ByteLevel" else { throw reader.error("post_processor.type", "expected null or \"ByteLevel\", found \"\(type)\"") }
        }

        let model = try reader.object(root["model"], "model")
        if let type = model["type"] {
            let name = try reader.string(type, "model.type")
            guard name == "BPE" else { throw reader.error("model.type", "expected \"BPE\", found \"\(name)\"") }
        }
        for field in ["dropout", "continuing_subword_prefix", "end_of_word_suffix"] {
            if let value = model[field], !(value is NSNull) { throw reader.error("model.\(field)", "expected null") }
        }
        for field in ["byte_fallback", "ignore_merges"] {
            if let value = model[field], try reader.bool(value, "model.\(field)") {
                throw reader.error("model.\(field)", "expected false")
            }
        }
        let vocab = try reader.object(model["vocab"], "model.vocab")
        var byID: [Int: String] = [:]
        for (token, value) in vocab {
            let id = try reader.int(value, "model.vocab.\(token)")
            if let other = byID.updateValue(token, forKey: id) {
                throw reader.error("model.vocab", "id \(id) is given to both \"\(other)\" and \"\(token)\"")
            }
        }
        var addedTokens: [AddedToken] = []
        if let list = root["added_tokens"], !(list is NSNull) {
            for (k, item) in try reader.array(list, "added_tokens").enumerated() {
                let field = "added_tokens[\(k)]"
                let token = try reader.object(item, field)
                let id = try reader.int(token["id"], "\(field).id")
                let content = try reader.string(token["content"], "\(field).content")
                let special = try token["special"].map { try reader.bool($0, "\(field).special") } ?? false
                for flag in ["single_word", "lstrip", "rstrip"] {
                    if let value = token[flag], try reader.bool(value, "\(field).\(flag)") {
                        throw reader.error("\(field).\(flag)", "expected false")
                    }
                }
                if let existing = byID[id], existing != content {
                    throw reader.error("\(field).id", "id \(id) is \"\(existing)\" in model.vocab, not \"\(content)\"")
                }
                byID[id] = content
                addedTokens.append(AddedToken(id: Int32(id), content: content, special: special))
            }
        }
        let count = (byID.keys.max() ?? -1) + 1
        var vocabulary: [String] = []
        vocabulary.reserveCapacity(count)
        for id in 0..<count {
            guard let token = byID[id] else { throw reader.error("model.vocab", "no token has id \(id) (ids must be 0..<\(count))") }
            vocabulary.append(token)
        }
        var merges: [(String, String)] = []
        for (k, item) in try reader.array(model["merges"], "model.merges").enumerated() {
            if let text = item as? String {
                let sides = text.split(separator: " ", omittingEmptySubsequences: false)
                guard sides.count == 2 else { throw reader.error("model.merges[\(k)]", "expected \"left right\", found \"\(text)\"") }
                merges.append((String(sides[0]), String(sides[1])))
            } else {
                let pair = try reader.array(item, "model.merges[\(k)]")
                guard pair.count == 2 else { throw reader.error("model.merges[\(k)]", "expected a pair, found \(pair.count) items") }
                merges.append((try reader.string(pair[0], "model.merges[\(k)][0]"), try reader.string(pair[1], "model.merges[\(k)][1]")))
            }
        }
        try self.init(vocabulary: vocabulary, addedTokens: addedTokens, merges: merges,
                      preTokenizer: preTokenizer, source: source)
    }

    private static func parsePreTokenizer(_ value: Any?, _ reader: JSONFieldReader) throws -> PreTokenizer {
        let object = try reader.object(value, "pre_tokenizer")
        let type = try reader.string(object["type"], "pre_tokenizer.type")
        switch type {
        case "ByteLevel":
            try checkByteLevel(object, "pre_tokenizer", reader)
            return PreTokenizer(digits: .grouped)
        case "Sequence":
            let steps = try reader.array(object["pretokenizers"], "pre_tokenizer.pretokenizers")
            guard steps.count == 2 else {
                throw reader.error("pre_tokenizer.pretokenizers", "expected [Digits, ByteLevel], found \(steps.count) steps")
            }
            let digits = try reader.object(steps[0], "pre_tokenizer.pretokenizers[0]")
            let digitsType = try reader.string(digits["type"], "pre_tokenizer.pretokenizers[0].type")
            guard digitsType == "Digits" else {
                throw reader.error("pre_tokenizer.pretokenizers[0].type", "expected \"Digits\", found \"\(digitsType)\"")
            }
            let individual = try reader.bool(digits["individual_digits"], "pre_tokenizer.pretokenizers[0].individual_digits")
            guard individual else {
                throw reader.error("pre_tokenizer.pretokenizers[0].individual_digits", "expected true (grouped digits use ByteLevel alone)")
            }
            let byteLevel = try reader.object(steps[1], "pre_tokenizer.pretokenizers[1]")
            let byteLevelType = try reader.string(byteLevel["type"], "pre_tokenizer.pretokenizers[1].type")
            guard byteLevelType == "ByteLevel" else {
                throw reader.error("pre_tokenizer.pretokenizers[1].type", "expected \"ByteLevel\", found \"\(byteLevelType)\"")
            }
            try checkByteLevel(byteLevel, "pre_tokenizer.pretokenizers[1]", reader)
            return PreTokenizer(digits: .individual)
        default:
            throw reader.error("pre_tokenizer.type", "expected \"ByteLevel\" or \"Sequence\", found \"\(type)\"")
        }
    }

    private static func checkByteLevel(_ object: [String: Any], _ path: String, _ reader: JSONFieldReader) throws {
        if let value = object["add_prefix_space"], try reader.bool(value, "\(path).add_prefix_space") {
            throw reader.error("\(path).add_prefix_space", "expected false")
        }
        if let value = object["use_regex"], !(try reader.bool(value, "\(path).use_regex")) {
            throw reader.error("\(path).use_regex", "expected true")
        }
    }

    // MARK: Writing

    /// The `tokenizer.json` text: keys in Hugging Face's order, vocabulary in id order, merges as
    /// `"left right"` strings (readable by every `tokenizers` version); deterministic bytes.
    public func jsonText() -> String {
        var out = "{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n  \"added_tokens\": ["
        for (k, token) in addedTokens.enumerated() {
            out += k == 0 ? "\n" : ",\n"
            out += "    {\"id\": \(token.id), \"content\": \(jsonString(token.content)), \"single_word\": false, "
            out += "\"lstrip\": false, \"rstrip\": false, \"normalized\": false, \"special\": \(token.special)}"
        }
        out += addedTokens.isEmpty ? "],\n" : "\n  ],\n"
        out += "  \"normalizer\": null,\n"
        let byteLevel = "{\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": true, \"use_regex\": true}"
        switch preTokenizer.digits {
        case .grouped:
            out += "  \"pre_tokenizer\": \(byteLevel),\n"
        case .individual:
            out += "  \"pre_tokenizer\": {\"type\": \"Sequence\", \"pretokenizers\": [\n"
            out += "    {\"type\": \"Digits\", \"individual_digits\": true},\n    \(byteLevel)\n  ]},\n"
        }
        out += "  \"post_processor\": null,\n"
        out += "  \"decoder\": {\"type\": \"ByteLevel\", \"add_prefix_space\": true, \"trim_offsets\": true, \"use_regex\": true},\n"
        out += "  \"model\": {\n    \"type\": \"BPE\",\n    \"dropout\": null,\n    \"unk_token\": null,\n"
        out += "    \"continuing_subword_prefix\": null,\n    \"end_of_word_suffix\": null,\n"
        out += "    \"fuse_unk\": false,\n    \"byte_fallback\": false,\n    \"ignore_merges\": false,\n    \"vocab\": {"
        for (id, token) in vocabulary.enumerated() {
            out += id == 0 ? "\n      " : ",\n      "
            out += "\(jsonString(token)): \(id)"
        }
        out += "\n    },\n    \"merges\": ["
        for (k, merge) in merges.enumerated() {
            out += k == 0 ? "\n      " : ",\n      "
            out += jsonString(vocabulary[Int(merge.left)] + " " + vocabulary[Int(merge.right)])
        }
        out += merges.isEmpty ? "]\n  }\n}\n" : "\n    ]\n  }\n}\n"
        return out
    }

    /// Writes `tokenizer.json` atomically (a killed process never leaves half a file).
    public func save(to url: URL) throws {
        try AtomicFile.write(jsonText(), to: url)
    }
}


/// Typed access to parsed JSON values, throwing ``DataError`` with the dotted field path.
struct JSONFieldReader {
    let file: String

    func error(_ field: String, _ message: String) -> DataError { DataError(file: file, field: field, message) }

    func object(_ value: Any?, _ field: String) throws -> [String: Any] {
        guard let object = value as? [String: Any] else { throw error(field, "expected an object, found \(describe(value))") }
        return object
    }

    func array(_ value: Any?, _ field: String) throws -> [Any] {
        guard let array = value as? [Any] else { throw error(field, "expected an array, found \(describe(value))") }
        return array
    }

    func string(_ value: Any?, _ field: String) throws -> String {
        guard let string = value as? String else { throw error(field, "expected a string, found \(describe(value))") }
        return string
    }

    func int(_ value: Any?, _ field: String) throws -> Int {
        guard let number = value as? NSNumber, !isBool(number), let int = Int(exactly: number.doubleValue) else {
            throw error(field, "expected an integer, found \(describe(value))")
        }
        return int
    }

    func bool(_ value: Any?, _ field: String) throws -> Bool {
        guard let number = value as? NSNumber, isBool(number) else { throw error(field, "expected true or false, found \(describe(value))") }
        return number.boolValue
    }

    /// JSON `true`/`false` arrive as NSNumbers of Objective-C type `c` (char) on every platform.
    private func isBool(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }

    private func describe(_ value: Any?) -> String {
        switch value {
        case nil: return "nothing"
        case is NSNull: return "null"
        case let s as String: return "\"\(s.prefix(40))\""
        case is [Any]: return "an array"
        case is [String: Any]: return "an object"
        case let n as NSNumber: return isBool(n) ? (n.boolValue ? "true" : "false") : "\(n)"
        default: return "\(value!)"
        }
    }
}
