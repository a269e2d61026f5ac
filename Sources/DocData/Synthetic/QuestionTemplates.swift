/// Question phrasings per field kind; `{p}` is replaced by one of the key's phrases
/// (`What is the {p}?` → `What is the invoice number?`).
public enum QuestionTemplates {
    public static func templates(for kind: FieldKind) -> [String] {
        switch kind {
        case .date: return ["What is the {p}?", "When is the {p}?", "What {p} is mentioned in the document?"]
        case .amount: return ["What is the {p}?", "How much is the {p}?", "What {p} is stated in the document?"]
        case .identifier, .code: return ["What is the {p}?", "Which {p} is given?", "What {p} is written in the document?"]
        case .phone: return ["What is the {p}?", "Which {p} is listed?", "What {p} is given in the document?"]
        case .person: return ["Who is the {p}?", "What is the name of the {p}?", "Who is named as the {p}?"]
        case .city: return ["What is the {p}?", "Which city is listed as the {p}?", "What {p} is given in the document?"]
        case .percent: return ["What is the {p}?", "What {p} is applied?", "How much is the {p}?"]
        case .weight: return ["What is the {p}?", "What {p} is stated?", "How much is the {p}?"]
        case .time: return ["What is the {p}?", "At what time is the {p}?", "What {p} is given?"]
        case .email: return ["What is the {p}?", "Which {p} is given?", "What {p} is listed in the document?"]
        }
    }

    /// A question about `key`: a template of its kind filled with one of its phrases.
    static func question(for key: FieldKey, templateIndex: Int, phraseIndex: Int) -> String {
        let templates = templates(for: key.kind)
        let template = templates[templateIndex % templates.count]
        return template.replacingOccurrences(of: "{p}", with: key.phrases[phraseIndex % key.phrases.count])
    }
}

import Foundation
