import ArgumentParser
import DocData
import Foundation
import RunSupport

/// `mpvqa tokenizer …`: train a byte-level BPE tokenizer, or encode text with one.
struct TokenizerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenizer",
        abstract: "Train the byte-level BPE tokenizer, or apply a Hugging Face tokenizer.json (BPE or SentencePiece Unigram).",
        subcommands: [Train.self, Encode.self])

    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a tokenizer on the questions, answers and OCR words of a split (or on text files).",
            discussion: """
                Deterministic: the same corpus and flags write the same bytes. Examples:
                  mpvqa tokenizer train --data /data/mp-docvqa --vocab 4096 --out runs/tok/tokenizer.json
                  mpvqa tokenizer train --text corpus.txt --vocab 800 --digits individual --out tokenizer.json
                """)

        @Option(name: .long, help: "Dataset root in the MP-DocVQA layout.")
        var data: String?

        @Option(name: .long, help: "Split whose questions, answers and OCR words form the corpus.")
        var split: String = "train"

        @Option(help: "OCR directory, relative to the dataset root.")
        var ocrDir = "ocr"

        @Option(name: .long, parsing: .singleValue, help: "A text file whose lines are training texts (repeatable; instead of or besides --data).")
        var text: [String] = []

        @Option(name: .long, help: "Vocabulary size: special tokens + 256 byte tokens + merges.")
        var vocab: Int = 4096

        @Option(name: .long, help: "Digit pre-tokenisation: grouped (GPT-2 runs of numbers) or individual (one token per digit).")
        var digits: DigitSplitting = .grouped

        @Option(name: .long, help: "Number of summary-slot tokens <page_0>…")
        var pageTokens: Int = 32

        @Option(name: .long, help: "Pairs seen fewer times are not merged.")
        var minCount: Int = 2

        @Option(name: .long, help: "Where to write tokenizer.json.")
        var out: String

        @Flag(name: .long, help: "After training, encode the corpus once and print the encoding speed.")
        var timing = false

        @Flag(name: .long, help: "Replace --out even if it is not a tokenizer file.")
        var force = false

        func validate() throws {
            guard data != nil || !text.isEmpty else { throw ValidationError("give --data ROOT or --text FILE") }
            guard pageTokens >= 0 else { throw ValidationError("--page-tokens must be ≥ 0, got \(pageTokens)") }
            let minimum = SpecialTokens(pageSlotCount: pageTokens).all.count + 256
            guard vocab >= minimum else {
                throw ValidationError("--vocab must be at least \(minimum) (special tokens + 256 bytes), got \(vocab)")
            }
            guard minCount >= 1 else { throw ValidationError("--min-count must be ≥ 1, got \(minCount)") }
        }

        func run() throws {
            // Before any work: only a tokenizer file (JSON with a "model") is replaced without --force.
            try OwnershipMarker.checkReplaceable(URL(fileURLWithPath: out), what: "tokenizer", option: "--out", force: force,
                                                 isOurs: TokenizerFileCheck.isTokenizerFile)
            var corpus: [String] = []
            for path in text {
                let url = URL(fileURLWithPath: path)
                guard let contents = try? String(contentsOf: url, encoding: .utf8) else {
                    throw DataError(file: path, "cannot read as UTF-8 text")
                }
                corpus += contents.split(whereSeparator: \.isNewline).map(String.init)
            }
            if let data {
                let layout = DatasetLayout(root: URL(fileURLWithPath: data), ocrDirectory: ocrDir)
                let dataset = try MPDocVQADataset(layout: layout, split: split)
                corpus += try TokenizerCorpus.texts(of: dataset)
            }
            var trainer = try BPETrainer(vocabularySize: vocab, minimumPairCount: minCount, digits: digits,
                                     specialTokens: SpecialTokens(pageSlotCount: pageTokens))
            let counting = Progress("tokenizer: counting pieces", total: corpus.count, unit: "texts")
            for (k, line) in corpus.enumerated() {
                trainer.add(line)
                if k % 1024 == 1023 || k == corpus.count - 1 { counting.advance(k % 1024 + 1) }
            }
            counting.finish(note: "\(trainer.distinctPieceCount) distinct pieces, \(trainer.byteCount) bytes")
            let budget = vocab - SpecialTokens(pageSlotCount: pageTokens).all.count - 256
            let merging = Progress("tokenizer: merges", total: budget, unit: "merges")
            let tokenizer = trainer.train(progress: merging)
            merging.finish()
            let url = URL(fileURLWithPath: out)
            try tokenizer.save(to: url)
            print("wrote \(out): \(tokenizer.vocabularySize) tokens (\(tokenizer.merges.count) merges), digits \(digits.rawValue)")
            if tokenizer.vocabularySize < vocab {
                print("note: the corpus had no more pairs seen \(minCount)+ times; the vocabulary is smaller than --vocab \(vocab)")
            }
            if timing {
                // Fresh tokenizer: the speed includes filling the word cache.
                let fresh = try BPETokenizer(contentsOf: url)
                let start = Date()
                var ids: [Int32] = []
                var tokens = 0
                for line in corpus {
                    ids.removeAll(keepingCapacity: true)
                    fresh.encode(line, appendingTo: &ids)
                    tokens += ids.count
                }
                let seconds = Date().timeIntervalSince(start)
                let mb = Double(trainer.byteCount) / 1e6
                print(String(format: "encoded %.2f MB (%d tokens, %.2f bytes/token) in %.3f s: %.2f MB/s",
                             mb, tokens, Double(trainer.byteCount) / Double(max(tokens, 1)), seconds, mb / seconds))
            }
        }
    }

    struct Encode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the token ids of a text (or of every line of a file), or time the encoder.",
            discussion: """
                The file may be MPVQA's byte-level BPE or a SentencePiece Unigram one (T5, Flan-T5).
                  mpvqa tokenizer encode --tokenizer tokenizer.json "Total due: $1,234.00"
                  mpvqa tokenizer encode --tokenizer t5/tokenizer.json --text "Total due" --special --json
                  mpvqa tokenizer encode --tokenizer tokenizer.json --file corpus.txt --timing
                """)

        @Option(name: .long, help: "tokenizer.json to use.")
        var tokenizer: String

        @Option(name: .long, help: "Encode every line of this file instead of a text argument.")
        var file: String?

        @Flag(name: .long, help: "Print the tokens' text next to their ids.")
        var tokens = false

        @Flag(name: .long, help: "Only print the encoding speed (MB/s) over the file.")
        var timing = false

        @Flag(name: .long, help: "Apply the file's post-processor (T5 appends </s>), as Python's encode(text) does.")
        var special = false

        @Flag(name: .long, help: "Print one JSON object per text: text, ids and pieces.")
        var json = false

        @Option(name: .customLong("text"), help: "Text to encode (instead of the text argument).")
        var textOption: String?

        @Argument(help: "Text to encode.")
        var text: String?

        func validate() throws {
            let given = [file != nil, text != nil, textOption != nil].filter { $0 }.count
            guard given == 1 else { throw ValidationError("give one of: a text argument, --text TEXT, --file FILE") }
            if timing && file == nil { throw ValidationError("--timing needs --file FILE") }
        }

        func run() throws {
            let model = try loadAnyTokenizer(from: URL(fileURLWithPath: tokenizer))
            let lines: [String]
            if let file {
                guard let contents = try? String(contentsOf: URL(fileURLWithPath: file), encoding: .utf8) else {
                    throw DataError(file: file, "cannot read as UTF-8 text")
                }
                lines = contents.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            } else {
                lines = [text ?? textOption!]
            }
            if timing {
                let bytes = lines.reduce(0) { $0 + $1.utf8.count }
                let start = Date()
                var ids: [Int32] = []
                var count = 0
                for line in lines {
                    ids.removeAll(keepingCapacity: true)
                    model.encode(line, appendingTo: &ids)
                    count += ids.count
                }
                let seconds = Date().timeIntervalSince(start)
                print(String(format: "encoded %.2f MB (%d tokens) in %.3f s: %.2f MB/s",
                             Double(bytes) / 1e6, count, seconds, Double(bytes) / 1e6 / seconds))
                return
            }
            for line in lines {
                let ids = model.encode(line, addingSpecialTokens: special)
                if json {
                    let pieces = ids.map { model.token(of: $0) ?? "" }
                    let object: [String: Any] = ["text": line, "ids": ids.map(Int.init), "pieces": pieces]
                    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
                    print(String(decoding: data, as: UTF8.self))
                } else if tokens {
                    print(ids.map { "\($0):\(model.token(of: $0) ?? "")" }.joined(separator: " "))
                } else {
                    print(ids.map(String.init).joined(separator: " "))
                }
            }
        }
    }
}

extension DigitSplitting: ExpressibleByArgument {}
