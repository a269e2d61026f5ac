import Training

/// Rough time estimates for a plan, from the encoder's multiply-adds per page. Calibrated on
/// the from-scratch recipe (README "Learning from scratch": d 128, 3 + 2 layers, 208 OCR
/// tokens, batch 8 on 2-page windows: 1,800 steps in 12.4 min ⇒ ≈ 26 ms per page trained,
/// i.e. ≈ 32 GFLOP/s effective on 2 cores including the decoder and the data pipeline).
public enum CostModel {
    static let effectiveFLOPs = 32e9

    /// Mean pages per question of the dataset (the synthetic default 1–20 averages ≈ 8).
    public static func meanPages(_ c: RunSettings) -> Double {
        let lo = Double(c.dataset.synthetic.minPages), hi = Double(c.dataset.synthetic.maxPages)
        return lo == 1 && hi == 20 ? 8 : (lo + hi) / 2
    }

    /// Tokens per (question, page) row.
    static func tokens(_ c: RunSettings) -> Double {
        Double(c.encoder.maxOCRTokens + c.encoder.maxQuestionTokens + c.encoder.summaryTokens)
    }

    /// Multiply-add FLOPs of one forward page encoding (2 · parameters per token · tokens, plus attention).
    static func forwardFLOPsPerPage(_ c: RunSettings) -> Double {
        let d = Double(c.model.dModel), ffn = Double(c.model.ffn), layers = Double(c.model.encoderLayers)
        let t = tokens(c)
        return 2 * t * layers * (4 * d * d + 2 * d * ffn) + 4 * t * t * d * layers
    }

    /// Encoder passes per question (the probe doubles them).
    public static func passesPerQuestion(_ c: RunSettings) -> Double { c.pageHead.probe ? 2 : 1 }

    /// Pages encoded per training step.
    public static func pagesPerStep(_ c: RunSettings) -> Double {
        let window = c.train.pageWindow
        let pages = window > 0 ? min(Double(window), meanPages(c)) : meanPages(c)
        return Double(c.train.batchQuestions) * pages * passesPerQuestion(c)
    }

    /// Training: steps × pages per step × 3 × forward (forward + backward), capped by the time limit,
    /// plus the periodic validations.
    /// `cached`: decoder and head on cached summaries — no page encoding, ≈ 5% of the encoder's
    /// training cost per page (the decoder reads K vectors per page instead of ~240 tokens).
    public static func trainingSeconds(_ c: RunSettings, cached: Bool = false) -> Double {
        let steps = Double(c.train.steps)
        let perStep = pagesPerStep(c) * 3 * forwardFLOPsPerPage(c) / effectiveFLOPs * (cached ? 0.05 : 1)
        var seconds = steps * perStep, trainedSteps = steps
        let limit = c.train.timeLimitMinutes * 60
        if limit > 0 && seconds > limit {
            seconds = limit
            trainedSteps = limit / perStep
        }
        // Validations every eval_every steps, and one more where the time limit stops the run.
        let validations = (trainedSteps / Double(max(1, c.train.evalEvery))).rounded(.down) + (trainedSteps < steps ? 1 : 0)
        let evalQuestions = Double(c.train.evalQuestions > 0 ? c.train.evalQuestions : c.dataset.synthetic.val)
        return seconds + max(1, validations) * evaluationSeconds(c, questions: evalQuestions)
    }

    /// Answering `questions` (every page encoded, `passes` times), decoding included.
    public static func evaluationSeconds(_ c: RunSettings, questions: Double) -> Double {
        questions * meanPages(c) * passesPerQuestion(c) * forwardFLOPsPerPage(c) / effectiveFLOPs * 1.5 + questions * 0.01
    }

    /// Encoding a split into the feature cache (one forward pass per page).
    public static func cacheSeconds(_ c: RunSettings, questions: Double) -> Double {
        questions * meanPages(c) * forwardFLOPsPerPage(c) / effectiveFLOPs
    }

    /// Generating the synthetic set (≈ 4 ms per page, PNG-encoded) and training its tokenizer.
    public static func datasetSeconds(_ c: RunSettings) -> Double {
        let questions = Double(c.dataset.synthetic.train + c.dataset.synthetic.val + c.dataset.synthetic.test)
        return questions * meanPages(c) * 0.004
    }

    public static func tokenizerSeconds(_ c: RunSettings) -> Double { 5 + Double(c.tokenizer.vocab) * 0.004 }
}
