/// Every key a training config or manifest accepts (README "Configs and runs"), with type, default and meaning.
/// `prompts.<name>` keys are free-form templates containing `{question}`.
public enum ConfigSchema {
    /// Seeds are stored as UInt64 and written to JSON as doubles: keep them exactly representable.
    public static let maxSeed = 1 << 53

    public static let keys: [ConfigKey] = [
        ConfigKey("name", .text(.name), .string("run"), "experiment name (runs/<name>/, notebooks-md/<name>.md)"),

        // Dataset: the built-in synthetic set, or the released MP-DocVQA at a root.
        ConfigKey("dataset.synthetic.train", .int(1...1_000_000), .int(2000), "synthetic training questions"),
        ConfigKey("dataset.synthetic.val", .int(1...1_000_000), .int(300), "synthetic validation questions"),
        ConfigKey("dataset.synthetic.test", .int(1...1_000_000), .int(300), "synthetic test questions (test.json without answers, test_gold.json with them)"),
        ConfigKey("dataset.synthetic.dev", .int(0...1_000_000), .int(0),
                  "synthetic dev questions: training validates and keeps `best` on dev, never on val or test (0 = as many as val)"),
        ConfigKey("dataset.synthetic.seed", .int(0...maxSeed), .int(7), "seed of the synthetic dataset"),
        ConfigKey("dataset.synthetic.min_pages", .int(1...20), .int(1), "fewest pages per document"),
        ConfigKey("dataset.synthetic.max_pages", .int(1...20), .int(20), "most pages per document"),
        ConfigKey("dataset.synthetic.distractor_rate", .double(0...1), .double(0.5), "share of distractor fields on non-answer pages"),
        ConfigKey("dataset.synthetic.ocr_noise", .double(0...0.5), .double(0.02), "rate of OCR character noise"),
        ConfigKey("dataset.synthetic.image_format", .choice(["png", "jpeg"]), .string("png"), "page image format"),
        ConfigKey("dataset.synthetic.online", .bool, .bool(false), "train on freshly generated documents every batch"),
        ConfigKey("dataset.mpdocvqa.root", .text(.path), .string(""), "root of a released MP-DocVQA copy (empty: use the synthetic set)"),
        ConfigKey("dataset.mpdocvqa.images_dir", .text(.relativeDirectory), .string("images"), "page images directory under the root"),
        ConfigKey("dataset.mpdocvqa.ocr_dir", .text(.relativeDirectory), .string("ocr"), "OCR directory under the root"),
        ConfigKey("dataset.mpdocvqa.dev_questions", .int(1...1_000_000), .int(1000),
                  "without a dev.json: questions carved from train (whole documents, fixed hash order) as the dev split training selects on"),

        ConfigKey("tokenizer.vocab", .int(1...1_048_576), .int(4096), "BPE vocabulary size"),
        ConfigKey("tokenizer.digits", .choice(["individual", "grouped"]), .string("individual"), "split numbers into single digits"),

        ConfigKey("model.d_model", .int(1...8192), .int(256), "hidden size"),
        ConfigKey("model.heads", .int(1...128), .int(4), "attention heads"),
        ConfigKey("model.encoder_layers", .int(1...64), .int(4), "page-encoder layers"),
        ConfigKey("model.decoder_layers", .int(1...64), .int(2), "answer-decoder layers"),
        ConfigKey("model.ffn", .int(1...65_536), .int(1024), "feed-forward hidden size"),
        ConfigKey("model.activation", .choice(["relu", "gelu", "gated_gelu"]), .string("gelu"), "feed-forward activation"),
        ConfigKey("model.dropout", .double(0...0.9), .double(0.0), "dropout rate (0 = off)"),
        ConfigKey("model.relative_buckets", .int(4...1024), .int(32), "T5 relative-position buckets"),
        ConfigKey("model.relative_max_distance", .int(1...65_536), .int(128), "T5 relative-position max distance"),
        // Shapes of imported T5s (README "Hugging Face T5 import and export"); the defaults are today's models.
        ConfigKey("model.head_dim", .int(0...8192), .int(0), "per-head attention width, T5's d_kv (0 = d_model / heads)"),
        ConfigKey("model.norm_eps", .double(1e-12...1), .double(1e-6), "epsilon of every RMS norm, T5's layer_norm_epsilon"),
        ConfigKey("model.untied_output", .bool, .bool(false),
                  "the decoder's own output projection (T5 v1.1 / Flan lm_head) instead of the token embedding scaled by d_model^-0.5"),
        ConfigKey("model.vocab_size", .int(0...4_194_304), .int(0),
                  "rows of the token embedding (0 = the tokenizer's size; an imported T5 keeps its padded vocabulary)"),

        ConfigKey("encoder.summary_tokens", .int(1...256), .int(8), "K summary tokens per page"),
        ConfigKey("encoder.summarizer", .choice(["page_tokens", "queries", "pointer"]), .string("page_tokens"),
                  "how summaries are formed: summary-slot outputs, learned queries, or slot outputs + the tokens the span head points at"),
        ConfigKey("encoder.prompt", .text(.promptName), .string("plain"), "prompt template (a key of prompts) of the answer pass"),
        ConfigKey("encoder.pointer_end_feature", .bool, .bool(false),
                  "pointer summarizer: each slot also carries the span head's probability that the answer ends at its token"),
        ConfigKey("encoder.layout", .bool, .bool(true), "2D layout embeddings of OCR boxes"),
        ConfigKey("encoder.layout_embedding", .choice(["buckets", "spatial"]), .string("buckets"),
                  "which layout embedding: buckets (quantised edges, width, height) or spatial (Hi-VT5's x/y tables, normalised, projected)"),
        ConfigKey("encoder.question_match", .bool, .bool(false), "exact-match feature: mark OCR words matching a question word (case- and suffix-insensitive)"),
        ConfigKey("encoder.visual", .choice(["none", "patches"]), .string("none"), "visual patch tokens of the page image"),
        ConfigKey("encoder.image_size", .int(8...2048), .int(128), "page image side (pixels) for visual patches"),
        ConfigKey("encoder.patch_size", .int(1...512), .int(32), "visual patch side (pixels)"),
        ConfigKey("encoder.max_ocr_tokens", .int(1...4096), .int(128), "OCR tokens kept per page"),
        ConfigKey("encoder.pad_to_maximum", .bool, .bool(false),
                  "pad every row to the longest possible length (fixed shapes, e.g. to compare with bench)"),
        ConfigKey("encoder.max_question_tokens", .int(1...512), .int(24), "prompt-rendered question tokens kept"),

        ConfigKey("decoder.copy", .bool, .bool(false),
                  "copy path: the decoder mixes its vocabulary softmax with copying the source tokens of memory slots (slot k: the k-th OCR token from the span head's start, every summarizer)"),

        ConfigKey("decoder.target_leading_space", .bool, .bool(true),
                  "encode answer targets as \" \" + answer, the form OCR words are encoded in, so a target token is the id of the OCR token it copies"),

        ConfigKey("page_head.pooling", .choice(["max", "mean", "attention", "first"]), .string("attention"), "pooling over the K summaries"),
        ConfigKey("page_head.probe", .bool, .bool(false), "2n-pass probe: the head reads a second, probe-prompted encoding"),
        ConfigKey("page_head.probe_prompt", .text(.promptName), .string("probe"), "prompt template of the probe pass"),
        ConfigKey("page_head.hidden", .int(1...65_536), .int(256), "page-head MLP hidden size"),

        ConfigKey("train.mode", .choice(["end_to_end", "cached"]), .string("end_to_end"),
                  "train everything on page windows, or (cached) decoder + page head on full documents from feature caches, no encoder pass"),
        ConfigKey("train.encoder_run", .text(.path), .string(""),
                  "cached mode: run directory whose frozen encoder (best checkpoint, else latest) makes the train/val caches; its weights initialise the model"),
        ConfigKey("train.features.train", .text(.path), .string(""),
                  "cached mode without encoder_run: an external train-split cache file (.h5, mpvqa-features schema)"),
        ConfigKey("train.features.dev", .text(.path), .string(""),
                  "cached mode without encoder_run: an external dev-split cache file (.h5, mpvqa-features schema), validated and selected on"),
        ConfigKey("train.init.decoder", .choice(GroupInitialisation.names), .string("continue"),
                  "cached mode: the answer decoder starts fresh, continues from train.encoder_run's checkpoint, or stays untrained (fresh and frozen: a control)"),
        ConfigKey("train.init.page_memory", .choice(GroupInitialisation.names), .string("continue"),
                  "cached mode: the page memory (page and slot embeddings) starts fresh, continues from train.encoder_run, or stays untrained"),
        ConfigKey("train.init.page_head", .choice(GroupInitialisation.names), .string("fresh"),
                  "cached mode: the page head starts fresh, continues from train.encoder_run (same pooling and size only), or stays untrained (a control)"),
        ConfigKey("train.features.val", .text(.path), .string(""),
                  "cached mode without encoder_run: an external val-split cache file, read only by `mpvqa eval --split val` (empty: none)"),
        ConfigKey("train.features.test", .text(.path), .string(""),
                  "cached mode without encoder_run: an external test-split cache file, read only by `mpvqa eval --split test` (empty: none)"),
        ConfigKey("train.cache_dir", .text(.path), .string("runs/_cache"), "cached mode: shared directory of feature caches, files named by their cache key"),
        ConfigKey("train.cache_dtype", .choice(["float32", "float16"]), .string("float32"), "cached mode: storage type of the caches it builds"),
        ConfigKey("train.cache_batch_questions", .int(1...4096), .int(32),
                  "cached mode and `mpvqa cache`: questions encoded per batch while building a cache (a batch's rows are committed together)"),
        ConfigKey("train.init_from", .text(.path), .string(""),
                  "run directory (e.g. from mpvqa import-hf) whose checkpoint initialises every parameter of the same name and shape; the rest start fresh"),
        ConfigKey("train.steps", .int(1...100_000_000), .int(2000), "optimizer steps"),
        ConfigKey("train.time_limit_minutes", .double(0...1_000_000), .double(0), "stop after this many minutes (0 = no limit)"),
        ConfigKey("train.batch_questions", .int(1...4096), .int(8), "questions per batch"),
        ConfigKey("train.lr", .double(1e-12...1e12), .double(3e-4), "peak learning rate"),
        ConfigKey("train.warmup_steps", .int(0...100_000_000), .int(100), "linear warm-up steps"),
        ConfigKey("train.schedule", .choice(["cosine", "linear", "constant"]), .string("cosine"), "decay after warm-up"),
        ConfigKey("train.weight_decay", .double(0...10), .double(0.01), "AdamW decoupled weight decay"),
        ConfigKey("train.clip_norm", .double(0...1e6), .double(1.0), "gradient-norm clipping (0 = off)"),
        ConfigKey("train.page_loss_weight", .double(0...1000), .double(1.0), "λ of the page cross-entropy"),
        ConfigKey("train.span_loss_weight", .double(0...1000), .double(0.0), "auxiliary loss marking the answer span among OCR tokens"),
        ConfigKey("train.contains_loss_weight", .double(0...1000), .double(0.0), "auxiliary per-page 'contains the answer' loss"),
        ConfigKey("train.page_window", .int(0...20), .int(0), "train on W consecutive pages containing the answer page (0 = all)"),
        ConfigKey("train.window_page_offsets", .bool, .bool(true),
                  "training windows keep their document page indexes (every page-index embedding row trains); off: renumbered 0…W−1"),
        ConfigKey("train.single_page_warmup_steps", .int(0...100_000_000), .int(0), "steps on the answer page alone before whole documents"),
        ConfigKey("train.answer_draw", .choice(["extractive", "any"]), .string("extractive"),
                  "draw the training target among gold forms printed on the answer page, or among all golds"),
        ConfigKey("train.seed", .int(0...maxSeed), .int(1), "seed of initialisation, shuffling, dropout and gold-answer draws"),
        ConfigKey("train.eval_every", .int(1...100_000_000), .int(250), "validate (and keep the best checkpoint) every N steps"),
        ConfigKey("train.eval_questions", .int(0...1_000_000), .int(300), "validation questions used during training (0 = all)"),
        ConfigKey("train.threads", .int(0...1024), .int(0), "worker threads (0 = all cores)"),

        ConfigKey("eval.memory_pages", .choice(["all", "head_top1"]), .string("all"),
                  "pages the decoder reads when generating: all (FiD), or only the page head's top page (hard routing)"),
        ConfigKey("eval.beams", .int(1...64), .int(1), "beam width (1 = greedy)"),
        ConfigKey("eval.max_answer_tokens", .int(1...512), .int(16), "longest generated (or extracted) answer, in tokens"),
        ConfigKey("eval.answer", .choice(["generate", "extract"]), .string("generate"),
                  "submitted answer and page: the decoder's generation with the page head's page, or the span head's best span and its page"),
    ]

    /// Built-in prompt templates, overridable under `prompts:`.
    public static let defaultPrompts: [String: String] = [
        "plain": "question: {question}",
        "probe": "does this page answer: {question}",
    ]

    static let byName: [String: ConfigKey] = Dictionary(uniqueKeysWithValues: keys.map { ($0.name, $0) })

    public static func key(_ name: String) -> ConfigKey? { byName[name] }

    /// True when `name` is a section (`model`, `dataset.synthetic`), i.e. a prefix of keys.
    public static func isSection(_ name: String) -> Bool { keys.contains { $0.name.hasPrefix(name + ".") } }

    /// The keys under section `name`, in schema order.
    public static func keys(in name: String) -> [String] { keys.map(\.name).filter { $0.hasPrefix(name + ".") } }

    /// The valid key closest to `name` (by edit distance, ties broken by schema order).
    public static func closest(to name: String) -> String? {
        let target = Array(name.unicodeScalars)
        var best: (String, Int)? = nil
        for candidate in keys.map(\.name) + ["prompts.<name>", "grid", "seeds", "runs"] {
            let d = AnswerMetrics.levenshtein(Array(candidate.unicodeScalars), target)
            if d < (best?.1 ?? Int.max) { best = (candidate, d) }
        }
        return best?.0
    }
}
