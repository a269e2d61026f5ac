"""Builds the Hugging Face T5 fixtures of HFT5ImportTests (README "Hugging Face T5 import and export").

Offline: random T5s from T5Config, no downloaded weights.

    python3 -m venv /tmp/t5venv
    /tmp/t5venv/bin/pip install torch --index-url https://download.pytorch.org/whl/cpu
    /tmp/t5venv/bin/pip install "transformers>=4.40,<5" safetensors   # 5.x always ties lm_head to shared.weight
    /tmp/t5venv/bin/python Tests/TrainingTests/Fixtures/hf-t5/make_fixtures.py

Writes, beside this script:
  v1/        a T5 v1.0 shape: ReLU wi/wo, tied output (decoder output scaled by d_model^-0.5)
  flan/      a v1.1 / Flan shape: gated-gelu wi_0/wi_1/wo, untied lm_head, d_kv*heads != d_model,
             layer_norm_epsilon 1e-5, 16 buckets / max distance 64
  flan-bf16/ flan's weights stored as bfloat16, sharded (model.safetensors.index.json)
  <name>/expected.safetensors   per case i: input_ids.i, decoder_input_ids.i (ids as float32),
             encoder.i [L, d] (encoder last hidden state), logits.i [T, V] (teacher forced),
             greedy.i (generate(), greedy, max_new_tokens 12, start token first)

  generate/  tokenizer.json (a small SentencePiece Unigram vocabulary, built with `tokenizers`) and
             expected.json: per model (v1, flan) and case the encoder row `mpvqa generate --context`
             builds (K = 8 summary slots <page_0>..<page_7> at the ids after the vocabulary, then
             "question: {question}" and every context word encoded as " " + word), and the tokens of
             transformers' generate() with the decoder reading the first K encoder states (Hi-VT5's
             memory of one page): greedy, and num_beams 3 with early_stopping=True and
             length_penalty 1.0, max_new_tokens 10.
    Only these:  python make_fixtures.py --generation   (reads v1/ and flan/, rewrites generate/)

Export check (CI has no Python; run by hand after `mpvqa export-hf`):
    python make_fixtures.py --check-export EXPORT_DIR REFERENCE_DIR
loads EXPORT_DIR with transformers and compares its logits with REFERENCE_DIR's on the same inputs.
"""
import json
import os
import sys

import torch
from safetensors.torch import save_file
from transformers import T5Config, T5ForConditionalGeneration

HERE = os.path.dirname(os.path.abspath(__file__))
VOCAB = 300
# Lengths past the last exact bucket (8 of 16 one-way buckets, max distance 128) included.
LENGTHS = [1, 3, 9, 17, 40, 90, 150, 200]
TARGET_LENGTHS = [1, 2, 4, 6, 8, 10, 12, 16]

SHAPES = {
    "v1": dict(vocab_size=VOCAB, d_model=64, d_kv=16, d_ff=128, num_layers=2, num_decoder_layers=2, num_heads=4,
               feed_forward_proj="relu", tie_word_embeddings=True),
    "flan": dict(vocab_size=VOCAB, d_model=64, d_kv=24, d_ff=96, num_layers=2, num_decoder_layers=2, num_heads=4,
                 feed_forward_proj="gated-gelu", tie_word_embeddings=False, layer_norm_epsilon=1e-5,
                 relative_attention_num_buckets=16, relative_attention_max_distance=64),
}


def inputs(seed):
    g = torch.Generator().manual_seed(seed)
    cases = []
    for length, target in zip(LENGTHS, TARGET_LENGTHS):
        ids = torch.randint(2, VOCAB, (1, length), generator=g)
        ids[0, -1] = 1  # </s>
        dec = torch.randint(2, VOCAB, (1, target), generator=g)
        dec[0, 0] = 0  # decoder start
        cases.append((ids, dec))
    return cases


@torch.no_grad()
def outputs(model, cases):
    tensors = {}
    for i, (ids, dec) in enumerate(cases):
        out = model(input_ids=ids, decoder_input_ids=dec)
        # Token ids as float32 (exact below 2^24): the Swift reader takes float dtypes only.
        tensors[f"input_ids.{i}"] = ids[0].float()
        tensors[f"decoder_input_ids.{i}"] = dec[0].float()
        tensors[f"encoder.{i}"] = out.encoder_last_hidden_state[0].contiguous()
        tensors[f"logits.{i}"] = out.logits[0].contiguous()
        greedy = model.generate(input_ids=ids, max_new_tokens=12, do_sample=False, num_beams=1, min_new_tokens=12)
        tensors[f"greedy.{i}"] = greedy[0].float()
    return tensors


def build(name, seed):
    torch.manual_seed(seed)
    config = T5Config(**SHAPES[name], dropout_rate=0.0, decoder_start_token_id=0, pad_token_id=0, eos_token_id=1)
    model = T5ForConditionalGeneration(config).eval()
    # Random init gives a near-uniform decoder; larger weights make greedy choices clear-cut.
    with torch.no_grad():
        for n, p in model.named_parameters():
            if "layer_norm" in n:
                p.add_(torch.randn_like(p) * 0.1)
    out = os.path.join(HERE, name)
    model.save_pretrained(out, safe_serialization=True)
    save_file(outputs(model, inputs(seed + 100)), os.path.join(out, "expected.safetensors"))
    return model


def check_export(export_dir, reference_dir):
    exported = T5ForConditionalGeneration.from_pretrained(export_dir).eval()
    reference = T5ForConditionalGeneration.from_pretrained(reference_dir).eval()
    worst = 0.0
    with torch.no_grad():
        for ids, dec in inputs(7):
            a = exported(input_ids=ids, decoder_input_ids=dec).logits
            b = reference(input_ids=ids, decoder_input_ids=dec).logits
            worst = max(worst, (a - b).abs().max().item())
    print(f"export {export_dir}: max abs logit difference to {reference_dir}: {worst:.3g}")
    return worst <= 1e-4


SLOTS = 8
GENERATE_CASES = [
    ("what is the total?", "Invoice 4711 date 2020-03-14 total due $ 1,234.00 thank you"),
    ("who is the sender?", "From: Acme Corp. 12 Main Street to Bob Smith re: order 77"),
    ("when is the meeting?", "meeting on monday at 10:30 in room 5 with the team"),
    ("what is the phone number?", "phone (920) 857-9667 fax (920) 857-1000 email info"),
    ("total", "a b c d e f g h i j k l m n o p q r s t u v w x y z"),
    ("what is the date of the report", "report 2019 quarterly sales north region date 04/05/2019 page 3 of 9"),
]


def build_tokenizer(path):
    """A small SentencePiece-style Unigram vocabulary (T5's layout: <pad> 0, </s> 1, <unk> 2)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors
    pieces = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("\u2581", -3.0)]
    chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:;$%-/()#'?&"
    pieces += [(c, -7.0) for c in chars]
    pieces += [("\u2581" + c, -6.0) for c in "abcdefghijklmnopqrstuvwxyz0123456789$(-"]
    words = ["the", "is", "what", "who", "when", "total", "date", "invoice", "due", "question", "report", "page",
             "phone", "number", "meeting", "room", "order", "sales", "from", "to", "on", "at", "in", "of", "with", "you"]
    pieces += [("\u2581" + w, -2.0 - 0.01 * i) for i, w in enumerate(words)]
    pieces += [(p, -4.0) for p in ["er", "in", "on", "an", "re", "th", "es", "00", "20", "19"]]
    tok = Tokenizer(models.Unigram(pieces, unk_id=2, byte_fallback=False))
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(),
                                                 pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always")])
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always")
    tok.post_processor = processors.TemplateProcessing(single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", 1)])
    tok.add_special_tokens(["<pad>", "</s>", "<unk>"])
    tok.save(path)
    return tok


def encoder_row(tok, question, context):
    """The row BatchBuilder writes for one page: K slots, the rendered prompt, " " + each word."""
    slots = [tok.get_vocab_size() + k for k in range(SLOTS)]
    ids = slots + tok.encode("question: " + question, add_special_tokens=False).ids
    for word in context.split():
        ids += tok.encode(" " + word, add_special_tokens=False).ids
    return ids


@torch.no_grad()
def generated(model, row, beams):
    from transformers.modeling_outputs import BaseModelOutput
    ids = torch.tensor([row])
    memory = model.encoder(input_ids=ids).last_hidden_state[:, :SLOTS]
    out = model.generate(encoder_outputs=BaseModelOutput(last_hidden_state=memory),
                         attention_mask=torch.ones(1, SLOTS, dtype=torch.long), max_new_tokens=10,
                         num_beams=beams, do_sample=False, **({"early_stopping": True, "length_penalty": 1.0} if beams > 1 else {}))
    return out[0].tolist()


def build_generation():
    out = os.path.join(HERE, "generate")
    os.makedirs(out, exist_ok=True)
    tok = build_tokenizer(os.path.join(out, "tokenizer.json"))
    expected = {"slots": SLOTS, "max_new_tokens": 10, "models": {}}
    for name in ["v1", "flan"]:
        model = T5ForConditionalGeneration.from_pretrained(os.path.join(HERE, name)).eval()
        cases = []
        for question, context in GENERATE_CASES:
            row = encoder_row(tok, question, context)
            cases.append({"question": question, "context": context, "input_ids": row,
                          "greedy": generated(model, row, 1), "beam3": generated(model, row, 3)})
        expected["models"][name] = cases
    with open(os.path.join(out, "expected.json"), "w") as f:
        f.write(json.dumps({k: v for k, v in expected.items() if k != "models"})[:-1] + ', "models": {\n')
        for i, (name, cases) in enumerate(expected["models"].items()):
            f.write(f' "{name}": [\n' + ",\n".join("  " + json.dumps(c) for c in cases) + "\n ]" + (",\n" if i == 0 else "\n"))
        f.write("}}\n")


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--check-export":
        sys.exit(0 if check_export(sys.argv[2], sys.argv[3]) else 1)
    if len(sys.argv) == 2 and sys.argv[1] == "--generation":
        build_generation()
        return
    build("v1", 1)
    flan = build("flan", 2)
    bf16 = os.path.join(HERE, "flan-bf16")
    flan.to(torch.bfloat16).save_pretrained(bf16, safe_serialization=True, max_shard_size="150KB")
    for d in ["v1", "flan", "flan-bf16"]:
        for f in os.listdir(os.path.join(HERE, d)):
            if f == "generation_config.json":
                os.remove(os.path.join(HERE, d, f))
    build_generation()


if __name__ == "__main__":
    main()
