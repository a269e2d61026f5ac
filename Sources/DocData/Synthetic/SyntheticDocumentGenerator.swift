import TensorCore

/// Generates synthetic multi-page business documents in memory, deterministically from a
/// seed: pages with positioned words (header, key–value fields, a small table, filler
/// text), OCR readings with noise, and questions that each have their answer on exactly one
/// page. Rendering to pixels (`PageRenderer`) and writing files (`SyntheticDatasetWriter`)
/// are separate steps, so training can draw fresh documents every batch.
///
/// Guarantees, checked for every document (a document that breaks one is redrawn):
/// a question's key is printed on its answer page and on no other page (no label variant of
/// it either); the printed answer is on the answer page; no gold form of the answer is on
/// any other page.
///
/// ```swift
/// let generator = try SyntheticDocumentGenerator(config: SyntheticConfig())
/// var rng = SeededRNG(seed: 7)
/// let doc = generator.document(seed: rng.next(), docId: "online00001")
/// let ocr = doc.pages[doc.questions[0].answerPageIndex].ocrWords()
/// ```
public struct SyntheticDocumentGenerator: Sendable {
    public let config: SyntheticConfig
    public let layout: SyntheticLayout
    public let pageCounts: PageCountDistribution

    /// Throws the config's validation error.
    public init(config: SyntheticConfig) throws {
        try config.validate()
        self.config = config
        layout = SyntheticLayout(width: config.imageWidth, height: config.imageHeight)
        pageCounts = PageCountDistribution(range: config.minPages...config.maxPages)
    }

    /// The document of `seed`. `questionCount` defaults to a draw from the config's
    /// questions-per-document range; it is capped at what the page count allows.
    public func document(seed: UInt64, docId: String, questionCount: Int? = nil) -> SyntheticDocument {
        for attempt in 0..<1000 {
            var rng = SeededRNG(seed: Self.mix(seed, UInt64(attempt)))
            var doc = build(docId: docId, questionCount: questionCount, rng: &rng)
            if Self.violations(of: doc).isEmpty {
                let noise = OCRNoise(rate: config.ocrNoiseRate)
                for p in doc.pages.indices {
                    var pageRNG = SeededRNG(seed: doc.pages[p].seed)
                    noise.apply(to: &doc.pages[p].words, rng: &pageRNG)
                }
                return doc
            }
        }
        preconditionFailure("SyntheticDocumentGenerator: no valid document for seed \(seed) in 1000 attempts")
    }

    /// Mixes two 64-bit values into a well-spread seed (SplitMix64 finaliser).
    public static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var z = a ^ (b &+ 0x9E37_79B9_7F4A_7C15) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    // MARK: - content

    private func build(docId: String, questionCount: Int?, rng: inout SeededRNG) -> SyntheticDocument {
        let vocab = SyntheticVocabulary.self
        let catalog = FieldCatalog.keys
        let pageCount = pageCounts.sample(&rng)
        let questionRange = config.minQuestionsPerDocument...config.maxQuestionsPerDocument
        let wanted = questionCount ?? (questionRange.lowerBound + rng.nextInt(below: questionRange.count))
        let q = max(1, min(wanted, catalog.count / 2))

        let first = pick(vocab.companyFirst, &rng)
        let company = "\(first) \(pick(vocab.companySecond, &rng)) \(pick(vocab.companySuffix, &rng))"
        let documentType = pick(vocab.documentTypes, &rng)
        let footerStyle = rng.nextUniform()
        let fieldStyle: PagePlan.FieldStyle = [.aligned, .aligned, .inline, .twoColumns][rng.nextInt(below: 4)]
        let tableHeader = pick(vocab.tableHeaders, &rng)
        var faker = FieldValueFaker(companyDomain: first.lowercased() + ".com")

        // Questions: distinct keys, answer pages uniform over the document.
        var used = Set<Int>()
        var questionKeys: [Int] = []
        while questionKeys.count < q {
            let k = rng.nextInt(below: catalog.count)
            if used.insert(k).inserted { questionKeys.append(k) }
        }
        let answerPages = questionKeys.map { _ in rng.nextInt(below: pageCount) }

        // Fields per page: the same target distribution for answer and non-answer pages, so
        // the number of fields does not give the answer page away.
        let meanFields = min(4.0, 0.8 * Double(catalog.count) / Double(pageCount))
        let centre = Int(meanFields.rounded())
        var targets = (0..<pageCount).map { _ in
            max(1, centre - 2) + rng.nextInt(below: min(SyntheticLayout.maxFieldsPerPage, centre + 2) - max(1, centre - 2) + 1)
        }
        var pageKeys = [[Int]](repeating: [], count: pageCount)
        for (j, k) in questionKeys.enumerated() { pageKeys[answerPages[j]].append(k) }
        for p in 0..<pageCount { targets[p] = max(targets[p], pageKeys[p].count) }

        // Distractors: same kind as a question's key, on pages other than its answer page.
        for (j, k) in questionKeys.enumerated() {
            let sameKind = FieldCatalog.keysByKind[catalog[k].kind] ?? []
            for p in 0..<pageCount where p != answerPages[j] {
                guard rng.nextUniform() < config.distractorRate, pageKeys[p].count < targets[p] else { continue }
                let free = sameKind.filter { !used.contains($0) }
                guard !free.isEmpty else { break }
                let d = free[rng.nextInt(below: free.count)]
                used.insert(d)
                pageKeys[p].append(d)
            }
        }
        // Other fields: any unused key whose kind is not asked about on another page (so at
        // distractor rate 0 the answer page is the only one with a field of the asked kind).
        for p in 0..<pageCount {
            let askedElsewhere = Set(questionKeys.indices.filter { answerPages[$0] != p }.map { catalog[questionKeys[$0]].kind })
            var candidates = catalog.indices.filter { !used.contains($0) && !askedElsewhere.contains(catalog[$0].kind) }
            while pageKeys[p].count < targets[p] && !candidates.isEmpty {
                let c = candidates.remove(at: rng.nextInt(below: candidates.count))
                used.insert(c)
                pageKeys[p].append(c)
            }
            shuffle(&pageKeys[p], &rng)
        }

        // Values and labels.
        var fieldsByKey: [Int: PagePlan.Field] = [:]
        var plans: [PagePlan] = []
        for p in 0..<pageCount {
            var plan = PagePlan(companyName: company, documentType: documentType,
                                footer: footerStyle < 0.6 ? "Page \(p + 1) of \(pageCount)" : footerStyle < 0.8 ? "Page \(p + 1)" : nil)
            for k in pageKeys[p] {
                let field = PagePlan.Field(keyIndex: k, label: pick(catalog[k].labels, &rng), value: faker.value(for: catalog[k], rng: &rng))
                fieldsByKey[k] = field
                plan.fields.append(field)
            }
            plan.fieldStyle = fieldStyle
            if rng.nextUniform() < 0.6 {
                plan.tableHeader = tableHeader
                plan.tableRows = tableRows(count: 2 + rng.nextInt(below: 5), &rng)
            }
            plan.sentences = sentences(count: 2 + rng.nextInt(below: 6), &rng)
            plan.blocks = blocks(fieldCount: plan.fields.count, hasTable: !plan.tableRows.isEmpty, &rng)
            plans.append(plan)
        }

        let questions = questionKeys.enumerated().map { j, k -> SyntheticQuestion in
            let key = catalog[k], field = fieldsByKey[k]!
            let text = QuestionTemplates.question(for: key, templateIndex: rng.nextInt(below: 3), phraseIndex: rng.nextInt(below: key.phrases.count))
            return SyntheticQuestion(question: text, answers: field.value.golds, answerPageIndex: answerPages[j], fieldName: key.name, label: field.label)
        }

        let pages = plans.enumerated().map { p, plan -> SyntheticPage in
            let (words, lines, rules) = PageComposer.compose(plan, layout: layout)
            return SyntheticPage(pageId: "\(docId)_p\(p)", width: layout.width, height: layout.height,
                                 words: words, lines: lines, rules: rules,
                                 paperTone: UInt8(236 + rng.nextInt(below: 20)), inkTone: UInt8(rng.nextInt(below: 60)),
                                 seed: rng.next())
        }
        return SyntheticDocument(docId: docId, companyName: company, documentType: documentType, pages: pages, questions: questions)
    }

    private func tableRows(count: Int, _ rng: inout SeededRNG) -> [PagePlan.TableRow] {
        var items = SyntheticVocabulary.items
        return (0..<count).map { _ in
            let item = items.remove(at: rng.nextInt(below: items.count))
            let quantity = 1 + rng.nextInt(below: 99)
            let unitCents = Int((50.0 * pow(4000.0, rng.nextUniform())).rounded())  // 0.50 … 2,000.00
            func money(_ cents: Int) -> String { FieldValueFaker.grouped(cents / 100) + "." + FieldValueFaker.twoDigits(cents % 100) }
            return PagePlan.TableRow(item: item, quantity: String(quantity), unitPrice: money(unitCents), amount: money(unitCents * quantity))
        }
    }

    private func sentences(count: Int, _ rng: inout SeededRNG) -> [String] {
        var pool = SyntheticVocabulary.sentences
        return (0..<count).map { _ in pool.remove(at: rng.nextInt(below: pool.count)) }
    }

    /// Block order: fields (split in two blocks now and then), table, paragraph, shuffled.
    private func blocks(fieldCount: Int, hasTable: Bool, _ rng: inout SeededRNG) -> [PagePlan.Block] {
        var blocks: [PagePlan.Block] = [.paragraph]
        if hasTable { blocks.append(.table) }
        if fieldCount >= 4 && rng.nextUniform() < 0.4 {
            let cut = 2 + rng.nextInt(below: fieldCount - 3)
            blocks += [.fields(0..<cut), .fields(cut..<fieldCount)]
        } else if fieldCount > 0 {
            blocks.append(.fields(0..<fieldCount))
        }
        shuffle(&blocks, &rng)
        return blocks
    }

    private func pick<T>(_ options: [T], _ rng: inout SeededRNG) -> T { options[rng.nextInt(below: options.count)] }

    private func shuffle<T>(_ a: inout [T], _ rng: inout SeededRNG) {
        guard a.count > 1 else { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) { a.swapAt(i, rng.nextInt(below: i + 1)) }
    }

    // MARK: - guarantees

    /// Every broken guarantee of `doc` (empty for a valid document), checked on the drawn text.
    public static func violations(of doc: SyntheticDocument) -> [String] {
        let pageTokens = doc.pages.map { page in page.words.map { normalizedToken($0.text) } }
        var problems: [String] = []
        for (j, q) in doc.questions.enumerated() {
            guard let key = FieldCatalog.key(named: q.fieldName) else { problems.append("question \(j): unknown key \(q.fieldName)"); continue }
            let a = q.answerPageIndex
            if !containsSequence(pageTokens[a], tokens(q.label)) { problems.append("question \(j): label '\(q.label)' not on answer page \(a)") }
            if !containsSequence(pageTokens[a], tokens(q.answers[0])) { problems.append("question \(j): answer '\(q.answers[0])' not on answer page \(a)") }
            for p in pageTokens.indices where p != a {
                for label in key.labels where containsSequence(pageTokens[p], tokens(label)) {
                    problems.append("question \(j): label '\(label)' also on page \(p)")
                }
                for gold in q.answers where containsSequence(pageTokens[p], tokens(gold)) {
                    problems.append("question \(j): answer '\(gold)' also on page \(p)")
                }
            }
        }
        return problems
    }

    /// Lower-cased, trailing colon removed (labels are printed as `Invoice No.:`).
    static func normalizedToken<S: StringProtocol>(_ word: S) -> String {
        var t = word.lowercased()
        if t.count > 1 && t.hasSuffix(":") { t.removeLast() }
        return t
    }

    static func tokens(_ text: String) -> [String] { text.split(separator: " ").map { normalizedToken($0) } }

    static func containsSequence(_ haystack: [String], _ needle: [String]) -> Bool {
        guard !needle.isEmpty, needle.count <= haystack.count else { return false }
        outer: for start in 0...(haystack.count - needle.count) {
            for (i, t) in needle.enumerated() where haystack[start + i] != t { continue outer }
            return true
        }
        return false
    }
}

import Foundation
