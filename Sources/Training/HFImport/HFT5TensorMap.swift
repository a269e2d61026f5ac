import Models

/// Which Hugging Face T5 tensor is which MPVQA parameter (README "Hugging Face T5 import
/// and export"). MPVQA names are `HiVT5.namedParameters` names (no `model.` prefix).
///
/// ```
/// shared.weight                                          tokenEmbedding.weight
/// encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight
///                                                        pageEncoder.encoder.relativePositionBias.weight
/// encoder.block.i.layer.0.layer_norm.weight              pageEncoder.encoder.layers.i.selfAttentionNorm.weight
/// encoder.block.i.layer.0.SelfAttention.{q,k,v,o}.weight pageEncoder.encoder.layers.i.selfAttention.{query,key,value,output}.weight
/// encoder.block.i.layer.1.layer_norm.weight              pageEncoder.encoder.layers.i.feedForwardNorm.weight
/// encoder.block.i.layer.1.DenseReluDense.wi.weight       …feedForward.up.weight    (v1.0)
/// encoder.block.i.layer.1.DenseReluDense.wi_0.weight     …feedForward.gate.weight  (gated)
/// encoder.block.i.layer.1.DenseReluDense.wi_1.weight     …feedForward.up.weight    (gated)
/// encoder.block.i.layer.1.DenseReluDense.wo.weight       …feedForward.down.weight
/// encoder.final_layer_norm.weight                        pageEncoder.encoder.finalNorm.weight
/// decoder.block.i.layer.{0,1,2}                          decoder.stack.layers.i.{self attention, cross attention (EncDecAttention), feed-forward}
/// decoder.final_layer_norm.weight                        decoder.stack.finalNorm.weight
/// lm_head.weight                                         decoder.outputProjection.weight  (untied only)
/// (none: scaled by d_model^-½, tied)                     the token embedding, AnswerDecoder.outputScale
/// ```
/// T5 keeps the relative position bias in block 0 and shares it with every block of the
/// stack, which is MPVQA's one table per stack. Projections are `[out, in]` in both.
public struct HFT5TensorMap: Sendable {
    /// `(hf, mpvqa)` pairs in checkpoint order.
    public let pairs: [(hf: String, mpvqa: String)]
    /// Names transformers may also write that alias a mapped tensor (tied embeddings, a
    /// tied `lm_head`): accepted on import, never written on export.
    public let aliases: Set<String>

    public init(_ config: HFT5Config) {
        var pairs: [(String, String)] = [("shared.weight", "tokenEmbedding.weight")]
        func attention(_ hf: String, _ mine: String) {
            for (a, b) in [("q", "query"), ("k", "key"), ("v", "value"), ("o", "output")] {
                pairs.append(("\(hf).\(a).weight", "\(mine).\(b).weight"))
            }
        }
        func feedForward(_ hf: String, _ mine: String) {
            if config.isGated {
                pairs.append(("\(hf).wi_0.weight", "\(mine).gate.weight"))
                pairs.append(("\(hf).wi_1.weight", "\(mine).up.weight"))
            } else {
                pairs.append(("\(hf).wi.weight", "\(mine).up.weight"))
            }
            pairs.append(("\(hf).wo.weight", "\(mine).down.weight"))
        }
        let enc = "pageEncoder.encoder"
        pairs.append(("encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight", "\(enc).relativePositionBias.weight"))
        for i in 0..<config.numLayers {
            let hf = "encoder.block.\(i).layer", mine = "\(enc).layers.\(i)"
            pairs.append(("\(hf).0.layer_norm.weight", "\(mine).selfAttentionNorm.weight"))
            attention("\(hf).0.SelfAttention", "\(mine).selfAttention")
            pairs.append(("\(hf).1.layer_norm.weight", "\(mine).feedForwardNorm.weight"))
            feedForward("\(hf).1.DenseReluDense", "\(mine).feedForward")
        }
        pairs.append(("encoder.final_layer_norm.weight", "\(enc).finalNorm.weight"))
        let dec = "decoder.stack"
        pairs.append(("decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight", "\(dec).relativePositionBias.weight"))
        for i in 0..<config.numDecoderLayers {
            let hf = "decoder.block.\(i).layer", mine = "\(dec).layers.\(i)"
            pairs.append(("\(hf).0.layer_norm.weight", "\(mine).selfAttentionNorm.weight"))
            attention("\(hf).0.SelfAttention", "\(mine).selfAttention")
            pairs.append(("\(hf).1.layer_norm.weight", "\(mine).crossAttentionNorm.weight"))
            attention("\(hf).1.EncDecAttention", "\(mine).crossAttention")
            pairs.append(("\(hf).2.layer_norm.weight", "\(mine).feedForwardNorm.weight"))
            feedForward("\(hf).2.DenseReluDense", "\(mine).feedForward")
        }
        pairs.append(("decoder.final_layer_norm.weight", "\(dec).finalNorm.weight"))
        var aliases: Set<String> = ["encoder.embed_tokens.weight", "decoder.embed_tokens.weight"]
        if !config.tieWordEmbeddings {
            pairs.append(("lm_head.weight", "decoder.outputProjection.weight"))
        } else {
            aliases.insert("lm_head.weight")
            // Tied but unscaled (see `HFT5Config.scaleDecoderOutputs`): the output projection
            // is `shared.weight`, held as its own parameter.
            if !config.scaleDecoderOutputs { pairs.append(("shared.weight", "decoder.outputProjection.weight")) }
        }
        self.pairs = pairs.map { (hf: $0.0, mpvqa: $0.1) }
        self.aliases = aliases
    }

    /// The MPVQA names of the T5 part.
    public var mpvqaNames: Set<String> { Set(pairs.map(\.mpvqa)) }
}
