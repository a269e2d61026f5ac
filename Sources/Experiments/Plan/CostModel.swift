import Training

/// Rough time estimates for a plan: the page encoder's multiply-adds at an effective rate, and
/// measured per-question costs of the parts that encode no page (cached training and evaluation,
/// data generation).
///
/// Calibrated on a quiet 2-core AMD EPYC (Zen 3), release build, default synthetic data
/// (README "Experiments"): the from-scratch recipe (1,800 end-to-end steps, 8.5–9.5 training
/// minutes), building its train cache (15,273 pages in 91 s), its cached stage 2 (1,800 steps
/// in 46–53 s) and the quickstart's evaluations. Other machines differ by a constant factor,
/// which the runner's ETA corrects as finished steps come in.
public enum CostModel {
    /// Effective rate of end-to-end training, counting 3 × `forwardFLOPsPerPage` per page trained
    /// (forward and backward, decoder and data pipeline included).
    static let trainingFLOPs = 55e9
    /// Effective rate of forward page encoding (feature caches, end-to-end evaluation).
    static let encodingFLOPs = 63e9
    /// One cached training step, per question of the batch, at d 128, 2 decoder layers, K 16 and
    /// ≈ 8 pages a question (scaled by d², layers and memory slots for other shapes).
    static let cachedStepSecondsPerQuestion = 3.5e-3
    /// Answering one question from a feature cache (greedy generation, page head).
    static let cachedAnswerSeconds = 4e-3
    /// Decoding one answer after its pages are encoded.
    static let answerSeconds = 0.01

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

    /// Pages encoded per end-to-end training step (after the single-page warm-up).
    static func pagesPerStep(_ c: RunSettings) -> Double {
        let window = c.train.pageWindow
        let pages = window > 0 ? min(Double(window), meanPages(c)) : meanPages(c)
        return Double(c.train.batchQuestions) * pages * passesPerQuestion(c)
    }

    /// Pages encoded by `steps` end-to-end steps: the single-page warm-up steps encode one page a question.
    static func pagesTrained(_ c: RunSettings, steps: Double) -> Double {
        let warmup = min(steps, Double(c.train.singlePageWarmupSteps))
        return warmup * Double(c.train.batchQuestions) * passesPerQuestion(c) + (steps - warmup) * pagesPerStep(c)
    }

    /// Seconds of one cached training step (decoder and heads on cached summaries, no page encoded).
    static func cachedStepSeconds(_ c: RunSettings) -> Double {
        let d = Double(c.model.dModel) / 128, layers = Double(c.model.decoderLayers) / 2
        let slots = meanPages(c) * Double(c.encoder.summaryTokens) / (8 * 16)
        // Below a quarter of the calibration's slots the step's fixed part (the vocabulary projection) dominates.
        return Double(c.train.batchQuestions) * cachedStepSecondsPerQuestion * d * d * layers * max(slots, 0.25)
    }

    /// Seconds of the first `steps` training steps.
    static func stepSeconds(_ c: RunSettings, steps: Double, cached: Bool) -> Double {
        cached ? steps * cachedStepSeconds(c) : pagesTrained(c, steps: steps) * 3 * forwardFLOPsPerPage(c) / trainingFLOPs
    }

    /// The steps a training is expected to reach: `train.steps`, or fewer when the time limit stops it.
    static func expectedSteps(_ c: RunSettings, cached: Bool = false) -> Double {
        let steps = Double(c.train.steps), limit = c.train.timeLimitMinutes * 60
        guard limit > 0 && stepSeconds(c, steps: steps, cached: cached) > limit else { return steps }
        // Step costs are constant within the single-page warm-up and after it.
        let warmup = cached ? 0 : min(steps, Double(c.train.singlePageWarmupSteps))
        let warmupSeconds = stepSeconds(c, steps: warmup, cached: cached)
        if warmupSeconds >= limit { return limit / warmupSeconds * warmup }
        return warmup + (limit - warmupSeconds) / (stepSeconds(c, steps: warmup + 1, cached: cached) - warmupSeconds)
    }

    /// Training: the steps (capped by the time limit) plus the periodic validations.
    public static func trainingSeconds(_ c: RunSettings, cached: Bool = false) -> Double {
        let steps = Double(c.train.steps), trainedSteps = expectedSteps(c, cached: cached)
        let seconds = stepSeconds(c, steps: trainedSteps, cached: cached)
        // Validations every eval_every steps, and one more where the time limit stops the run.
        let validations = (trainedSteps / Double(max(1, c.train.evalEvery))).rounded(.down) + (trainedSteps < steps ? 1 : 0)
        let evalQuestions = Double(c.train.evalQuestions > 0 ? min(c.train.evalQuestions, c.dataset.synthetic.dev) : c.dataset.synthetic.dev)
        return seconds + max(1, validations) * evaluationSeconds(c, questions: evalQuestions, cached: cached)
    }

    /// Answering `questions`: every page encoded (`passes` times) and the answer decoded, or,
    /// `cached`, answered from the split's feature cache.
    public static func evaluationSeconds(_ c: RunSettings, questions: Double, cached: Bool = false) -> Double {
        cached ? questions * cachedAnswerSeconds
            : questions * (meanPages(c) * passesPerQuestion(c) * forwardFLOPsPerPage(c) / encodingFLOPs + answerSeconds)
    }

    /// Encoding a split into the feature cache (one forward pass per page).
    public static func cacheSeconds(_ c: RunSettings, questions: Double) -> Double {
        questions * meanPages(c) * forwardFLOPsPerPage(c) / encodingFLOPs
    }

    /// Generating the synthetic set (≈ 16 ms per question: ≈ 2.3 new PNG pages each, documents are shared).
    public static func datasetSeconds(_ c: RunSettings) -> Double {
        Double(c.dataset.synthetic.train + c.dataset.synthetic.val + c.dataset.synthetic.test + c.dataset.synthetic.dev) * 0.016
    }

    /// Training the tokenizer: reading the train split's OCR dominates.
    public static func tokenizerSeconds(_ c: RunSettings) -> Double { 0.5 + Double(c.dataset.synthetic.train) * 0.003 }
}
