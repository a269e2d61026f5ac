import Training

/// Rough time estimates for a plan, from the encoder's multiply-adds per page. Calibrated on
/// the from-scratch recipe (README "Learning from scratch": d 128, 3 + 2 layers, 208 OCR
/// tokens, batch 8 on 2-page windows: 1,800 steps in 12.4 min ⇒ ≈ 26 ms per page trained,
/// i.e. ≈ 32 GFLOP/s effective on 2 cores including the decoder and the data pipeline).
public enum CostModel {
    static let effectiveFLOPs = 32e9

    /// Mean pages per question of the dataset (the synthetic default 1–20 averages ≈ 8).
    public static func meanPages(_ c: Config) -> Double {
        let lo = Double(c.int("dataset.synthetic.min_pages")), hi = Double(c.int("dataset.synthetic.max_pages"))
        return lo == 1 && hi == 20 ? 8 : (lo + hi) / 2
    }

    /// Tokens per (question, page) row.
    static func tokens(_ c: Config) -> Double {
        Double(c.int("encoder.max_ocr_tokens") + c.int("encoder.max_question_tokens") + c.int("encoder.summary_tokens"))
    }

    /// Multiply-add FLOPs of one forward page encoding (2 · parameters per token · tokens, plus attention).
    static func forwardFLOPsPerPage(_ c: Config) -> Double {
        let d = Double(c.int("model.d_model")), ffn = Double(c.int("model.ffn")), layers = Double(c.int("model.encoder_layers"))
        let t = tokens(c)
        return 2 * t * layers * (4 * d * d + 2 * d * ffn) + 4 * t * t * d * layers
    }

    /// Encoder passes per question (the probe doubles them).
    public static func passesPerQuestion(_ c: Config) -> Double { c.bool("page_head.probe") ? 2 : 1 }

    /// Pages encoded per training step.
    public static func pagesPerStep(_ c: Config) -> Double {
        let window = c.int("train.page_window")
        let pages = window > 0 ? min(Double(window), meanPages(c)) : meanPages(c)
        return Double(c.int("train.batch_questions")) * pages * passesPerQuestion(c)
    }

    /// Training: steps × pages per step × 3 × forward (forward + backward), capped by the time limit,
    /// plus the periodic validations.
    /// `cached`: decoder and head on cached summaries — no page encoding, ≈ 5% of the encoder's
    /// training cost per page (the decoder reads K vectors per page instead of ~240 tokens).
    public static func trainingSeconds(_ c: Config, cached: Bool = false) -> Double {
        let steps = Double(c.int("train.steps"))
        let perStep = pagesPerStep(c) * 3 * forwardFLOPsPerPage(c) / effectiveFLOPs * (cached ? 0.05 : 1)
        var seconds = steps * perStep, trainedSteps = steps
        let limit = c.double("train.time_limit_minutes") * 60
        if limit > 0 && seconds > limit {
            seconds = limit
            trainedSteps = limit / perStep
        }
        // Validations every eval_every steps, and one more where the time limit stops the run.
        let validations = (trainedSteps / Double(max(1, c.int("train.eval_every")))).rounded(.down) + (trainedSteps < steps ? 1 : 0)
        let evalQuestions = Double(c.int("train.eval_questions") > 0 ? c.int("train.eval_questions") : c.int("dataset.synthetic.val"))
        return seconds + max(1, validations) * evaluationSeconds(c, questions: evalQuestions)
    }

    /// Answering `questions` (every page encoded, `passes` times), decoding included.
    public static func evaluationSeconds(_ c: Config, questions: Double) -> Double {
        questions * meanPages(c) * passesPerQuestion(c) * forwardFLOPsPerPage(c) / effectiveFLOPs * 1.5 + questions * 0.01
    }

    /// Encoding a split into the feature cache (one forward pass per page).
    public static func cacheSeconds(_ c: Config, questions: Double) -> Double {
        questions * meanPages(c) * forwardFLOPsPerPage(c) / effectiveFLOPs
    }

    /// Generating the synthetic set (≈ 4 ms per page, PNG-encoded) and training its tokenizer.
    public static func datasetSeconds(_ c: Config) -> Double {
        let questions = Double(c.int("dataset.synthetic.train") + c.int("dataset.synthetic.val") + c.int("dataset.synthetic.test"))
        return questions * meanPages(c) * 0.004
    }

    public static func tokenizerSeconds(_ c: Config) -> Double { 5 + Double(c.int("tokenizer.vocab")) * 0.004 }
}
