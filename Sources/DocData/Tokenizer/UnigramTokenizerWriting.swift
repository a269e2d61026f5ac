import Foundation
import RunSupport

/// Writing a Unigram `tokenizer.json` back (e.g. after ``UnigramTokenizer/addingTokens(_:special:normalized:)``):
/// keys in Hugging Face's order, every part as it was read, scores in Swift's shortest
/// round-trip form (so Python reads the same doubles).
extension UnigramTokenizer {
    /// The `tokenizer.json` text.
    public func jsonText() -> String {
        var out = "{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n  \"added_tokens\": ["
        for (k, token) in addedTokens.enumerated() {
            out += k == 0 ? "\n" : ",\n"
            out += "    {\"id\": \(token.id), \"content\": \(jsonString(token.content)), \"single_word\": false, "
            out += "\"lstrip\": false, \"rstrip\": false, \"normalized\": \(addedTokenIsNormalized[k]), \"special\": \(token.special)}"
        }
        out += addedTokens.isEmpty ? "],\n" : "\n  ],\n"
        out += "  \"normalizer\": \(normalizer.map(Self.json) ?? "null"),\n"
        out += "  \"pre_tokenizer\": \(preTokenizer.map(Self.json) ?? "null"),\n"
        out += "  \"post_processor\": \(template.map { postProcessorJSON($0) } ?? "null"),\n"
        out += "  \"decoder\": \(decoder.map(Self.json) ?? "null"),\n"
        out += "  \"model\": {\n    \"type\": \"Unigram\",\n    \"unk_id\": \(model.unknownID),\n    \"vocab\": ["
        for (id, piece) in model.pieces.enumerated() {
            out += id == 0 ? "\n      " : ",\n      "
            out += "[\(jsonString(piece)), \(model.scores[id])]"
        }
        out += "\n    ],\n    \"byte_fallback\": \(model.byteFallback)\n  }\n}\n"
        return out
    }

    private static func json(_ normalizer: TextNormalizer) -> String {
        let steps = normalizer.steps.map { step -> String in
            switch step {
            case .precompiled(let map):
                return "{\"type\": \"Precompiled\", \"precompiled_charsmap\": \"\(Data(map.blob).base64EncodedString())\"}"
            case .strip(let left, let right):
                return "{\"type\": \"Strip\", \"strip_left\": \(left), \"strip_right\": \(right)}"
            case .replace(let pattern, let content):
                let p: String
                switch pattern {
                case .string(let s): p = "{\"String\": \(jsonString(s))}"
                case .run(_, _, _, let source): p = "{\"Regex\": \(jsonString(source))}"
                }
                return "{\"type\": \"Replace\", \"pattern\": \(p), \"content\": \(jsonString(content))}"
            }
        }
        return "{\"type\": \"Sequence\", \"normalizers\": [" + steps.joined(separator: ", ") + "]}"
    }

    private static func json(_ metaspace: Metaspace) -> String {
        "{\"type\": \"Metaspace\", \"replacement\": \(jsonString(String(metaspace.replacement))), "
            + "\"prepend_scheme\": \"\(metaspace.prependScheme.rawValue)\", \"split\": \(metaspace.split)}"
    }

    private static func json(_ preTokenizer: SentencePiecePreTokenizer) -> String {
        let steps = preTokenizer.steps.map { step -> String in
            switch step {
            case .whitespaceSplit: return "{\"type\": \"WhitespaceSplit\"}"
            case .metaspace(let m): return json(m)
            }
        }
        return "{\"type\": \"Sequence\", \"pretokenizers\": [" + steps.joined(separator: ", ") + "]}"
    }

    private func postProcessorJSON(_ single: [TemplateItem]) -> String {
        var specials: [(String, [Int32])] = []
        func item(_ i: TemplateItem, _ sequence: String) -> String {
            switch i {
            case .sequence: return "{\"Sequence\": {\"id\": \"\(sequence)\", \"type_id\": 0}}"
            case .special(let name, let ids):
                if !specials.contains(where: { $0.0 == name }) { specials.append((name, ids)) }
                return "{\"SpecialToken\": {\"id\": \(jsonString(name)), \"type_id\": 0}}"
            }
        }
        var out = "{\"type\": \"TemplateProcessing\", \"single\": [" + single.map { item($0, "A") }.joined(separator: ", ") + "]"
        if let pairTemplate {
            let rendered = pairTemplate.map { name -> String in
                if name.hasPrefix("$") { return "{\"Sequence\": {\"id\": \(jsonString(String(name.dropFirst()))), \"type_id\": 0}}" }
                let ids = specials.first { $0.0 == name }?.1 ?? id(of: name).map { [$0] } ?? []
                return item(.special(name, ids: ids), "")
            }
            out += ", \"pair\": [" + rendered.joined(separator: ", ") + "]"
        }
        let map = specials.map { name, ids in
            "\(jsonString(name)): {\"id\": \(jsonString(name)), \"ids\": [\(ids.map(String.init).joined(separator: ", "))], "
                + "\"tokens\": [\(ids.map { jsonString(token(of: $0) ?? name) }.joined(separator: ", "))]}"
        }
        return out + ", \"special_tokens\": {" + map.joined(separator: ", ") + "}}"
    }
}
