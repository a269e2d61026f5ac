import DocData
import Models

/// Turns DocData's token batches into the model's input type (the one place where a data
/// batch meets a model, README "Layout"): segment ids are renumbered, masks become flags, the
/// unknown answer page becomes the ignore index, and the auxiliary labels are attached.
public enum ModelBatchConversion {
    /// `answer` is the answer-pass batch; `probe` (2n-pass probe) the same items rendered
    /// with the probe prompt. `spanLabels` attaches per-token answer-span labels.
    public static func convert(_ answer: DocData.QuestionBatch, probe: DocData.QuestionBatch? = nil,
                               spanLabels: Bool) -> Models.QuestionBatch {
        let b = answer.batchSize, p = answer.pageCount, l = answer.sequenceLength
        let rows = b * p
        let pageValid = answer.pageMask.map { $0 > 0 }
        var span: [Int32]? = nil
        if spanLabels {
            var labels = [Int32](repeating: AnswerTargets.ignoreIndex, count: rows * l)
            for i in 0..<(rows * l) where answer.segmentIDs[i] == SegmentID.ocr.rawValue && answer.attentionMask[i] > 0 {
                labels[i] = answer.answerSpanMask[i] > 0 ? 1 : 0
            }
            span = labels
        }
        let targets = AnswerTargets(length: answer.targetLength, decoderInput: answer.decoderInputIDs, labels: answer.targetIDs,
                                    answerPage: answer.answerPageIndex.map { $0 < 0 ? AnswerTargets.ignoreIndex : $0 },
                                    spanLabels: span, pageContainsAnswer: nil)  // nil: 1 on the answer page, 0 on other real pages
        var pageIndices: [Int32]? = nil
        if answer.firstPageIndex.contains(where: { $0 != 0 }) {
            // Page slot p of question b is document page firstPageIndex[b] + p; padded slots
            // (masked) keep a valid in-range index.
            pageIndices = (0..<rows).map { r in
                let page = answer.firstPageIndex[r / p] + Int32(r % p)
                return r % p < Int(answer.pageCounts[r / p]) ? page : Int32(r % p)
            }
        }
        return Models.QuestionBatch(batchSize: b, pageCount: p, answerPass: encoderInput(answer),
                                    probePass: probe.map(encoderInput), pageValid: pageValid, pageIndices: pageIndices,
                                    targets: targets)
    }

    /// The page-encoder rows of a DocData batch.
    static func encoderInput(_ batch: DocData.QuestionBatch) -> PageEncoderInput {
        let segments = batch.segmentIDs.map { DocData.SegmentID(rawValue: $0).map(modelSegment) ?? PageSegment.summary.rawValue }
        var patches: PatchInput? = nil
        if let values = batch.patches, batch.patchCount > 0 {
            patches = PatchInput(count: batch.patchCount, pixels: values.count / max(1, batch.batchSize * batch.pageCount * batch.patchCount),
                                 values: values, positions: batch.patchPositions ?? [])
        }
        var input = PageEncoderInput(rows: batch.batchSize * batch.pageCount, length: batch.sequenceLength,
                                     summarySlots: batch.summarySlots, tokens: batch.tokenIDs, boxes: batch.boxes,
                                     segments: segments, tokenValid: batch.attentionMask.map { $0 > 0 }, patches: patches)
        input.questionMatch = batch.questionMatch.map { $0 > 0 }  // read only when the model's switch is on
        return input
    }

    /// DocData numbers padding 0, summary 1, question 2, OCR 3, image 4; the model has no
    /// padding segment (padding is masked), so padding maps onto the summary embedding.
    static func modelSegment(_ s: DocData.SegmentID) -> Int32 {
        switch s {
        case .padding, .summary: return PageSegment.summary.rawValue
        case .question: return PageSegment.question.rawValue
        case .ocr: return PageSegment.ocr.rawValue
        case .image: return PageSegment.visual.rawValue
        }
    }
}
