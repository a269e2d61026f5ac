import Foundation
import RunSupport

/// Reading and writing SentencePiece-style `tokenizer.json` files (model `Unigram`), the layout
/// T5 / Flan-T5 ship and `transformers`' SentencePiece converters write. Anything the tokenizer
/// cannot reproduce exactly is refused naming the file, the JSON field and what was expected.
extension UnigramTokenizer {
    /// Loads a Unigram `tokenizer.json`.
    public convenience init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DataError(file: url.path, "cannot read: \(FileSystemError.reason(of: error) ?? error.localizedDescription)")
        }
        try self.init(jsonData: data, source: url.path)
    }

    /// Parses `tokenizer.json` bytes (`source` names the file in errors).
    public convenience init(jsonData data: Data, source: String = "tokenizer.json") throws {
        let parsed: Any
        do { parsed = try JSONSerialization.jsonObject(with: data) } catch {
            throw DataError(file: source, "not valid JSON: \(error.localizedDescription)")
        }
        let r = JSONFieldReader(file: source)
        let root = try r.object(parsed, "")
        let version = try r.string(root["version"], "version")
        guard version == "1.0" else { throw r.error("version", "expected \"1.0\", found \"\(version)\"") }
        for field in ["truncation", "padding"] {
            if let value = root[field], !(value is NSNull) {
                throw r.error(field, "expected null (encode and pad with MPVQA's batching instead)")
            }
        }
        let modelObject = try r.object(root["model"], "model")
        let type = try r.string(modelObject["type"], "model.type")
        guard type == "Unigram" else { throw r.error("model.type", "expected \"Unigram\", found \"\(type)\"") }
        let vocab = try r.array(modelObject["vocab"], "model.vocab")
        guard !vocab.isEmpty else { throw r.error("model.vocab", "expected at least one piece, found none") }
        var pieces: [String] = [], scores: [Double] = []
        pieces.reserveCapacity(vocab.count)
        scores.reserveCapacity(vocab.count)
        for (k, item) in vocab.enumerated() {
            let pair = try r.array(item, "model.vocab[\(k)]")
            guard pair.count == 2 else { throw r.error("model.vocab[\(k)]", "expected [piece, score], found \(pair.count) items") }
            pieces.append(try r.string(pair[0], "model.vocab[\(k)][0]"))
            // JSON true/false also arrive as NSNumbers, of Objective-C type `c`.
            guard let score = pair[1] as? NSNumber, String(cString: score.objCType) != "c", score.doubleValue.isFinite else {
                throw r.error("model.vocab[\(k)][1]", "expected a finite number (the piece's score)")
            }
            scores.append(score.doubleValue)
        }
        // JSONSerialization may round a score off by an ulp; JSONDecoder parses doubles exactly,
        // as Python wrote them (ties in the Viterbi search depend on the last bit).
        do {
            scores = try JSONDecoder().decode(ScoresOnly.self, from: data).model.vocab.map(\.score)
        } catch {
            throw r.error("model.vocab", "expected [piece, score] pairs (\(error))")
        }
        guard let unk = modelObject["unk_id"], !(unk is NSNull) else {
            throw r.error("model.unk_id", "expected the id of the unknown piece (without one, tokenizers cannot encode unseen characters)")
        }
        let unknownID = try r.int(unk, "model.unk_id")
        guard unknownID >= 0 && unknownID < pieces.count else {
            throw r.error("model.unk_id", "expected an id in 0..<\(pieces.count), found \(unknownID)")
        }
        let byteFallback = try modelObject["byte_fallback"].map { $0 is NSNull ? false : try r.bool($0, "model.byte_fallback") } ?? false
        let model = UnigramModel(pieces: pieces, scores: scores, unknownID: Int32(unknownID), byteFallback: byteFallback)

        let normalizer = try Self.parseNormalizer(root["normalizer"], "normalizer", r)
        let preTokenizer = try Self.parsePreTokenizer(root["pre_tokenizer"], "pre_tokenizer", r)
        let decoder = try Self.parseDecoder(root["decoder"], r)

        var addedTokens: [AddedToken] = [], normalizedFlags: [Bool] = []
        if let list = root["added_tokens"], !(list is NSNull) {
            for (k, item) in try r.array(list, "added_tokens").enumerated() {
                let field = "added_tokens[\(k)]"
                let token = try r.object(item, field)
                let id = try r.int(token["id"], "\(field).id")
                let content = try r.string(token["content"], "\(field).content")
                let special = try token["special"].map { try r.bool($0, "\(field).special") } ?? false
                for flag in ["single_word", "lstrip", "rstrip"] {
                    if let value = token[flag], try r.bool(value, "\(field).\(flag)") {
                        throw r.error("\(field).\(flag)", "expected false")
                    }
                }
                let normalized = try token["normalized"].map { try r.bool($0, "\(field).normalized") } ?? !special
                addedTokens.append(AddedToken(id: Int32(id), content: content, special: special))
                normalizedFlags.append(normalized)
            }
        }
        var template: [TemplateItem]? = nil
        var pair: [String]? = nil
        if let post = root["post_processor"], !(post is NSNull) {
            (template, pair) = try Self.parseTemplate(post, r)
        }
        try self.init(model: model, normalizer: normalizer, preTokenizer: preTokenizer, addedTokens: addedTokens,
                      addedTokenIsNormalized: normalizedFlags, template: template, pairTemplate: pair,
                      decoder: decoder, source: source)
    }

    // MARK: Parsing parts

    /// Just the vocabulary scores, decoded exactly.
    private struct ScoresOnly: Decodable {
        struct Model: Decodable { var vocab: [Entry] }
        struct Entry: Decodable {
            var score: Double
            init(from decoder: Decoder) throws {
                var pair = try decoder.unkeyedContainer()
                _ = try pair.decode(String.self)
                score = try pair.decode(Double.self)
            }
        }
        var model: Model
    }

    private static func parseNormalizer(_ value: Any?, _ path: String, _ r: JSONFieldReader) throws -> TextNormalizer? {
        guard let value, !(value is NSNull) else { return nil }
        var steps: [TextNormalizer.Step] = []
        try appendNormalizer(value, path, r, to: &steps)
        return TextNormalizer(steps: steps)
    }

    private static func appendNormalizer(_ value: Any, _ path: String, _ r: JSONFieldReader, to steps: inout [TextNormalizer.Step]) throws {
        let object = try r.object(value, path)
        let type = try r.string(object["type"], "\(path).type")
        switch type {
        case "Sequence":
            for (k, item) in try r.array(object["normalizers"], "\(path).normalizers").enumerated() {
                try appendNormalizer(item, "\(path).normalizers[\(k)]", r, to: &steps)
            }
        case "Precompiled":
            let text = try r.string(object["precompiled_charsmap"], "\(path).precompiled_charsmap")
            guard let map = PrecompiledCharsmap(base64: text) else {
                throw r.error("\(path).precompiled_charsmap", "expected base64 of a SentencePiece charsmap (u32 trie size, trie, UTF-8 strings)")
            }
            steps.append(.precompiled(map))
        case "Strip":
            steps.append(.strip(left: try r.bool(object["strip_left"], "\(path).strip_left"),
                                right: try r.bool(object["strip_right"], "\(path).strip_right")))
        case "Replace":
            let pattern = try r.object(object["pattern"], "\(path).pattern")
            let content = try r.string(object["content"], "\(path).content")
            if let literal = pattern["String"] {
                steps.append(.replace(pattern: .string(try r.string(literal, "\(path).pattern.String")), content: content))
            } else if let regex = pattern["Regex"] {
                let source = try r.string(regex, "\(path).pattern.Regex")
                guard let run = characterRun(source) else {
                    throw r.error("\(path).pattern.Regex", "expected one literal character repeated (\" {2,}\", \"x+\", \"a{3}\"), found \"\(source)\"")
                }
                steps.append(.replace(pattern: run, content: content))
            } else {
                throw r.error("\(path).pattern", "expected {\"String\": …} or {\"Regex\": …}")
            }
        default:
            throw r.error("\(path).type", "expected \"Precompiled\", \"Strip\", \"Replace\" or \"Sequence\", found \"\(type)\" (not supported)")
        }
    }

    /// The `Replace` pattern of a regex that is one character repeated: `c+`, `c{n}`, `c{n,}`,
    /// `c{n,m}` with a literal (or backslash-escaped punctuation) character `c`; nil for any other regex.
    public static func characterRun(_ source: String) -> TextNormalizer.ReplacePattern? {
        var scalars = Array(source.unicodeScalars)
        guard !scalars.isEmpty else { return nil }
        var c = scalars.removeFirst()
        if c == "\\" {
            guard !scalars.isEmpty else { return nil }
            c = scalars.removeFirst()
            guard !c.properties.isAlphabetic && !("0"..."9").contains(c) else { return nil }  // \s, \d, … are classes
        } else if "\\^$.|?*+()[]{}".unicodeScalars.contains(c) {
            return nil
        }
        let rest = String(String.UnicodeScalarView(scalars))
        if rest == "+" { return .run(c, min: 1, max: nil, source: source) }
        guard rest.hasPrefix("{"), rest.hasSuffix("}") else { return nil }
        let inner = rest.dropFirst().dropLast()
        let parts = inner.split(separator: ",", omittingEmptySubsequences: false)
        guard let low = Int(parts[0]), low >= 1 else { return nil }
        switch parts.count {
        case 1: return .run(c, min: low, max: low, source: source)
        case 2 where parts[1].isEmpty: return .run(c, min: low, max: nil, source: source)
        case 2: guard let high = Int(parts[1]), high >= low else { return nil }
            return .run(c, min: low, max: high, source: source)
        default: return nil
        }
    }

    private static func parsePreTokenizer(_ value: Any?, _ path: String, _ r: JSONFieldReader) throws -> SentencePiecePreTokenizer? {
        guard let value, !(value is NSNull) else { return nil }
        var steps: [SentencePiecePreTokenizer.Step] = []
        try appendPreTokenizer(value, path, r, to: &steps)
        return SentencePiecePreTokenizer(steps: steps)
    }

    private static func appendPreTokenizer(_ value: Any, _ path: String, _ r: JSONFieldReader,
                                           to steps: inout [SentencePiecePreTokenizer.Step]) throws {
        let object = try r.object(value, path)
        let type = try r.string(object["type"], "\(path).type")
        switch type {
        case "Sequence":
            for (k, item) in try r.array(object["pretokenizers"], "\(path).pretokenizers").enumerated() {
                try appendPreTokenizer(item, "\(path).pretokenizers[\(k)]", r, to: &steps)
            }
        case "WhitespaceSplit":
            steps.append(.whitespaceSplit)
        case "Metaspace":
            steps.append(.metaspace(try parseMetaspace(object, path, r)))
        default:
            throw r.error("\(path).type", "expected \"WhitespaceSplit\", \"Metaspace\" or \"Sequence\", found \"\(type)\" (not supported)")
        }
    }

    /// Metaspace settings, including the pre-0.19 spelling (`add_prefix_space`, no `prepend_scheme`).
    private static func parseMetaspace(_ object: [String: Any], _ path: String, _ r: JSONFieldReader) throws -> Metaspace {
        let replacement = try r.string(object["replacement"], "\(path).replacement")
        guard replacement.unicodeScalars.count == 1, let scalar = replacement.unicodeScalars.first else {
            throw r.error("\(path).replacement", "expected one character, found \"\(replacement)\"")
        }
        var scheme = Metaspace.PrependScheme.always
        if let value = object["prepend_scheme"], !(value is NSNull) {
            let name = try r.string(value, "\(path).prepend_scheme")
            guard let parsed = Metaspace.PrependScheme(rawValue: name) else {
                throw r.error("\(path).prepend_scheme", "expected \"always\", \"first\" or \"never\", found \"\(name)\"")
            }
            scheme = parsed
        }
        if let value = object["add_prefix_space"], !(value is NSNull), !(try r.bool(value, "\(path).add_prefix_space")) {
            guard object["prepend_scheme"] == nil || scheme == .never else {
                throw r.error("\(path).add_prefix_space", "false contradicts prepend_scheme \"\(scheme.rawValue)\"")
            }
            scheme = .never
        }
        let split = try object["split"].map { $0 is NSNull ? true : try r.bool($0, "\(path).split") } ?? true
        return Metaspace(replacement: scalar, prependScheme: scheme, split: split)
    }

    private static func parseDecoder(_ value: Any?, _ r: JSONFieldReader) throws -> Metaspace? {
        guard let value, !(value is NSNull) else { return nil }
        let object = try r.object(value, "decoder")
        let type = try r.string(object["type"], "decoder.type")
        guard type == "Metaspace" else { throw r.error("decoder.type", "expected \"Metaspace\" or null, found \"\(type)\" (not supported)") }
        return try parseMetaspace(object, "decoder", r)
    }

    private static func parseTemplate(_ value: Any, _ r: JSONFieldReader) throws -> ([TemplateItem], [String]?) {
        let object = try r.object(value, "post_processor")
        let type = try r.string(object["type"], "post_processor.type")
        guard type == "TemplateProcessing" else {
            throw r.error("post_processor.type", "expected \"TemplateProcessing\" or null, found \"\(type)\" (not supported)")
        }
        var specials: [String: [Int32]] = [:]
        if let map = object["special_tokens"], !(map is NSNull) {
            for (name, entry) in try r.object(map, "post_processor.special_tokens") {
                let field = "post_processor.special_tokens.\(name)"
                let ids = try r.array(try r.object(entry, field)["ids"], "\(field).ids")
                specials[name] = try ids.enumerated().map { Int32(try r.int($0.element, "\(field).ids[\($0.offset)]")) }
            }
        }
        func items(_ key: String) throws -> [TemplateItem] {
            try r.array(object[key], "post_processor.\(key)").enumerated().map { k, item in
                let field = "post_processor.\(key)[\(k)]"
                let entry = try r.object(item, field)
                if let sequence = entry["Sequence"] {
                    let id = try r.string(try r.object(sequence, "\(field).Sequence")["id"], "\(field).Sequence.id")
                    guard id == "A" || key == "pair" else { throw r.error("\(field).Sequence.id", "expected \"A\", found \"\(id)\"") }
                    return .sequence
                }
                if let special = entry["SpecialToken"] {
                    let id = try r.string(try r.object(special, "\(field).SpecialToken")["id"], "\(field).SpecialToken.id")
                    guard let ids = specials[id] else { throw r.error("\(field).SpecialToken.id", "\"\(id)\" is not in post_processor.special_tokens") }
                    return .special(id, ids: ids)
                }
                throw r.error(field, "expected {\"Sequence\": …} or {\"SpecialToken\": …}")
            }
        }
        let single = try items("single")
        var pair: [String]? = nil
        if let p = object["pair"], !(p is NSNull) {
            pair = try r.array(p, "post_processor.pair").enumerated().map { k, item in
                let entry = try r.object(item, "post_processor.pair[\(k)]")
                if let s = entry["Sequence"] as? [String: Any], let id = s["id"] as? String { return "$" + id }
                if let s = entry["SpecialToken"] as? [String: Any], let id = s["id"] as? String { return id }
                throw r.error("post_processor.pair[\(k)]", "expected {\"Sequence\": …} or {\"SpecialToken\": …}")
            }
        }
        return (single, pair)
    }
}
