import Foundation
import Models
import NeuralNet
import RunSupport

/// The shape of a Hugging Face `T5ForConditionalGeneration`, read from (and written back
/// to) its `config.json` (README "Hugging Face T5 import and export").
///
/// Supported: T5 v1.0 (`feed_forward_proj: relu`, ReLU `wi/wo`), v1.1 / Flan
/// (`gated-gelu`: `gelu_new` of `wi_0` times `wi_1`), plain `gelu`; tied or untied output
/// (`tie_word_embeddings`); any `d_kv`. Anything else is refused, naming the field.
public struct HFT5Config: Equatable, Sendable {
    public var vocabSize: Int
    public var dModel: Int
    public var dKV: Int
    public var dFF: Int
    public var numLayers: Int
    public var numDecoderLayers: Int
    public var numHeads: Int
    public var relativeAttentionNumBuckets: Int
    public var relativeAttentionMaxDistance: Int
    public var layerNormEpsilon: Double
    public var dropoutRate: Double
    /// `relu`, `gelu` or `gated-gelu` (the only forms MPVQA's feed-forward layer has).
    public var feedForwardProj: String
    public var tieWordEmbeddings: Bool
    /// Whether decoder states are scaled by `d_model^-½` before the output projection.
    /// transformers 4 derives it from `tie_word_embeddings`; transformers 5 writes it
    /// (`scale_decoder_outputs`) and always ties, so a v1.1 config from it reads "tied,
    /// unscaled", which imports as an own output projection initialised from `shared.weight`.
    public var scaleDecoderOutputs: Bool
    /// True when MPVQA needs its own output projection (`untiedOutput`).
    public var untiedOutput: Bool { !tieWordEmbeddings || !scaleDecoderOutputs }
    public var padTokenId: Int
    public var eosTokenId: Int
    public var decoderStartTokenId: Int

    /// The architectures this importer reads.
    public static let architectures: Set<String> = ["T5ForConditionalGeneration"]
    /// The `feed_forward_proj` values it maps, and MPVQA's activation for each.
    public static let activations: [String: FeedForward.Activation] = ["relu": .relu, "gelu": .gelu, "gated-gelu": .gatedGELU]

    public var activation: FeedForward.Activation { Self.activations[feedForwardProj]! }
    public var isGated: Bool { activation == .gatedGELU }

    /// The fields of `config.json` this importer reads (every other key is ignored).
    struct Raw: Decodable {
        var architectures: [String]?
        var model_type: String?
        var is_encoder_decoder: Bool?
        var vocab_size: Int?, d_model: Int?, d_kv: Int?, d_ff: Int?, num_layers: Int?, num_decoder_layers: Int?, num_heads: Int?
        var relative_attention_num_buckets: Int?, relative_attention_max_distance: Int?
        var layer_norm_epsilon: Double?, dropout_rate: Double?
        var feed_forward_proj: String?, dense_act_fn: String?
        var tie_word_embeddings: Bool?, scale_decoder_outputs: Bool?
        var pad_token_id: Int?, eos_token_id: Int?, decoder_start_token_id: Int?
    }

    /// Reads and checks `config.json`; `name` is how errors name the file.
    public init(contentsOf url: URL, name: String? = nil) throws {
        let file = name ?? url.path
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw HFImportError(file: file, "cannot read the model config (\(FileSystemError.reason(of: error) ?? error.localizedDescription))")
        }
        try self.init(data: data, file: file)
    }

    /// Checks the bytes of a `config.json`.
    public init(data: Data, file: String) throws {
        func fail(_ key: String, _ message: String) -> HFImportError { HFImportError(file: file, subject: key, message) }
        let raw: Raw
        do { raw = try JSONDecoder().decode(Raw.self, from: data) } catch let DecodingError.typeMismatch(type, context) {
            throw fail(context.codingPath.map(\.stringValue).joined(separator: "."), "not of type \(type)")
        } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
            throw fail(context.codingPath.map(\.stringValue).joined(separator: "."), context.debugDescription)
        } catch {
            throw HFImportError(file: file, "not a JSON object")
        }
        for name in raw.architectures ?? [] where !Self.architectures.contains(name) {
            throw fail("architectures", "unsupported architecture \(name) (importable: \(Self.architectures.sorted().joined(separator: ", ")))")
        }
        if let type = raw.model_type, type != "t5" { throw fail("model_type", "unsupported model type \(type) (importable: t5)") }
        if raw.is_encoder_decoder == false { throw fail("is_encoder_decoder", "false: only the encoder-decoder T5 is importable") }
        // Defaults are T5Config's.
        vocabSize = raw.vocab_size ?? 32128
        dModel = raw.d_model ?? 512
        dKV = raw.d_kv ?? 64
        dFF = raw.d_ff ?? 2048
        numLayers = raw.num_layers ?? 6
        numDecoderLayers = raw.num_decoder_layers ?? numLayers
        numHeads = raw.num_heads ?? 8
        relativeAttentionNumBuckets = raw.relative_attention_num_buckets ?? 32
        relativeAttentionMaxDistance = raw.relative_attention_max_distance ?? 128
        layerNormEpsilon = raw.layer_norm_epsilon ?? 1e-6
        dropoutRate = raw.dropout_rate ?? 0.1
        padTokenId = raw.pad_token_id ?? 0
        eosTokenId = raw.eos_token_id ?? 1
        decoderStartTokenId = raw.decoder_start_token_id ?? padTokenId
        let proj = raw.feed_forward_proj ?? "relu"
        guard Self.activations[proj] != nil else {
            throw fail("feed_forward_proj", "unsupported activation \(proj) (importable: \(Self.activations.keys.sorted().joined(separator: ", ")))")
        }
        feedForwardProj = proj
        if let act = raw.dense_act_fn {
            // transformers derives dense_act_fn from feed_forward_proj; a config that says
            // otherwise describes a model this mapping would compute wrongly.
            let expected = Self.denseActivation(proj)
            guard act == expected else { throw fail("dense_act_fn", "\(act) disagrees with feed_forward_proj \(proj) (expected \(expected))") }
        }
        tieWordEmbeddings = raw.tie_word_embeddings ?? true
        scaleDecoderOutputs = raw.scale_decoder_outputs ?? tieWordEmbeddings
        for (key, value) in [("vocab_size", vocabSize), ("d_model", dModel), ("d_kv", dKV), ("d_ff", dFF), ("num_layers", numLayers),
                             ("num_decoder_layers", numDecoderLayers), ("num_heads", numHeads),
                             ("relative_attention_num_buckets", relativeAttentionNumBuckets),
                             ("relative_attention_max_distance", relativeAttentionMaxDistance)] where value <= 0 {
            throw fail(key, "must be positive, got \(value)")
        }
        guard layerNormEpsilon > 0 else { throw fail("layer_norm_epsilon", "must be positive, got \(layerNormEpsilon)") }
        for (key, id) in [("pad_token_id", padTokenId), ("eos_token_id", eosTokenId), ("decoder_start_token_id", decoderStartTokenId)]
            where id < 0 || id >= vocabSize {
            throw fail(key, "\(id) is not a token id below vocab_size \(vocabSize)")
        }
    }

    /// transformers' `dense_act_fn` for a `feed_forward_proj`.
    static func denseActivation(_ proj: String) -> String {
        proj == "gated-gelu" ? "gelu_new" : (proj == "relu" ? "relu" : "gelu")
    }

    /// The T5 shape of an MPVQA model configuration (export).
    public init(_ m: HiVT5Configuration, dropoutRate: Double = 0.1) throws {
        guard let proj = Self.activations.first(where: { $0.value == m.activation })?.key else {
            throw HFImportError(file: "config.json", subject: "feed_forward_proj", "no T5 form of activation \(m.activation)")
        }
        vocabSize = m.vocabSize
        dModel = m.modelDim
        dKV = m.headDim ?? m.modelDim / m.heads
        dFF = m.ffnDim
        numLayers = m.encoderLayers
        numDecoderLayers = m.decoderLayers
        numHeads = m.heads
        relativeAttentionNumBuckets = m.relativeBuckets
        relativeAttentionMaxDistance = m.relativeMaxDistance
        layerNormEpsilon = m.normEpsilon ?? 1e-6
        self.dropoutRate = dropoutRate
        feedForwardProj = proj
        tieWordEmbeddings = !(m.untiedOutput ?? false)
        scaleDecoderOutputs = tieWordEmbeddings
        padTokenId = Int(m.padTokenId)
        eosTokenId = Int(m.eosTokenId)
        decoderStartTokenId = Int(m.decoderStartTokenId)
    }

    /// This shape as MPVQA model settings; the Hi-VT5 parts keep `base`'s settings.
    public func modelConfiguration(base: HiVT5Configuration) -> HiVT5Configuration {
        var m = base
        m.vocabSize = vocabSize
        m.modelDim = dModel
        m.heads = numHeads
        m.headDim = dKV * numHeads == dModel ? nil : dKV
        m.encoderLayers = numLayers
        m.decoderLayers = numDecoderLayers
        m.ffnDim = dFF
        m.activation = activation
        m.relativeBuckets = relativeAttentionNumBuckets
        m.relativeMaxDistance = relativeAttentionMaxDistance
        m.normEpsilon = layerNormEpsilon == 1e-6 ? nil : layerNormEpsilon
        m.untiedOutput = untiedOutput ? true : nil
        m.padTokenId = Int32(padTokenId)
        m.eosTokenId = Int32(eosTokenId)
        m.decoderStartTokenId = Int32(decoderStartTokenId)
        return m
    }

    /// `config.json` as transformers writes it for this shape (keys sorted).
    public var json: Data {
        let object: [String: Any] = [
            "architectures": ["T5ForConditionalGeneration"], "model_type": "t5", "is_encoder_decoder": true,
            "vocab_size": vocabSize, "d_model": dModel, "d_kv": dKV, "d_ff": dFF, "num_layers": numLayers,
            "num_decoder_layers": numDecoderLayers, "num_heads": numHeads,
            "relative_attention_num_buckets": relativeAttentionNumBuckets,
            "relative_attention_max_distance": relativeAttentionMaxDistance,
            "layer_norm_epsilon": layerNormEpsilon, "dropout_rate": dropoutRate, "feed_forward_proj": feedForwardProj,
            "dense_act_fn": Self.denseActivation(feedForwardProj), "is_gated_act": isGated,
            "tie_word_embeddings": tieWordEmbeddings, "scale_decoder_outputs": scaleDecoderOutputs, "pad_token_id": padTokenId, "eos_token_id": eosTokenId,
            "decoder_start_token_id": decoderStartTokenId, "initializer_factor": 1.0, "use_cache": true,
            "torch_dtype": "float32",
        ]
        return (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
    }
}
