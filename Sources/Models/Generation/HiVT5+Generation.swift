import TensorCore

extension HiVT5 {
    /// Encodes the batch and generates an answer for every question (no gradients).
    ///
    /// ```swift
    /// let result = model.generate(batch, options: GenerationOptions(maxLength: 16, beams: 4))
    /// let answer = tokenizer.decode(result.tokens[0]), page = result.predictedPage[0]
    /// ```
    public func generate(_ batch: QuestionBatch, options: GenerationOptions = GenerationOptions()) -> GenerationResult {
        withNoGrad { generate(encode(batch), options: options) }
    }

    /// Generates answers from encoded questions (also from cached summaries), with the page
    /// scores of the head and of the decoder-attention scorer.
    public func generate(_ encoded: EncodedQuestions, options: GenerationOptions = GenerationOptions()) -> GenerationResult {
        withNoGrad {
            let b = encoded.batchSize, p = encoded.pageCount, w = options.beams
            precondition(w <= configuration.vocabSize, "HiVT5.generate: \(w) beams exceed the vocabulary of \(configuration.vocabSize)")
            let headScores = pageHeadOutput(encoded).scores.doubles
            let pageScores = (0..<b).map { Array(headScores[($0 * p)..<(($0 + 1) * p)]) }
            func bestRealPage(_ scores: [Double], _ q: Int) -> Int {
                var best = 0, bestValue = -Double.infinity
                for page in 0..<p where encoded.pageValid[q * p + page] && scores[page] > bestValue {
                    best = page
                    bestValue = scores[page]
                }
                return best
            }
            let headPages = (0..<b).map { bestRealPage(pageScores[$0], $0) }
            var memory = memory(encoded)
            if options.memoryPages == .headTop1 { memory = memory.keepingOnly(pages: headPages) }
            let questionOfRow = (0..<(b * w)).map { Int32($0 / w) }
            let search = BeamSearch(questions: b, beams: w, options: options, startToken: configuration.decoderStartTokenId,
                                    eosToken: configuration.eosTokenId, padToken: configuration.padTokenId)
            var attentionScores = [[Double]](repeating: [Double](repeating: 0, count: p), count: b)
            let onFirstStep: ([Tensor]) -> Void = { weights in
                // Every beam of a question shares the first step: read beam 0's rows.
                let firstBeams = weights.map { selectBatchRows($0, (0..<b).map { Int32($0 * w) }) }
                attentionScores = DecoderAttentionPageScorer.scores(crossAttentionWeights: firstBeams, pageCount: p,
                                                                    summaryTokens: memory.summaryTokens)
            }
            let decoded: (tokens: [[Int32]], scores: [Double], steps: Int)
            if options.useCache {
                var stepper = CachedStepper(decoder: decoder, memory: memory, questionOfRow: questionOfRow)
                decoded = search.run(&stepper, onFirstStep: onFirstStep)
            } else {
                var stepper = UncachedStepper(decoder: decoder, memory: memory, questionOfRow: questionOfRow)
                decoded = search.run(&stepper, onFirstStep: onFirstStep)
            }
            return GenerationResult(tokens: decoded.tokens, sequenceScores: decoded.scores, pageScores: pageScores,
                                    decoderAttentionPageScores: attentionScores,
                                    predictedPage: headPages,
                                    predictedPageByAttention: (0..<b).map { bestRealPage(attentionScores[$0], $0) },
                                    steps: decoded.steps)
        }
    }
}
