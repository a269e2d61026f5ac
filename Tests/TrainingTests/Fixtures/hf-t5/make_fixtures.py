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

Export check (CI has no Python; run by hand after `mpvqa export-hf`):
    python make_fixtures.py --check-export EXPORT_DIR REFERENCE_DIR
loads EXPORT_DIR with transformers and compares its logits with REFERENCE_DIR's on the same inputs.
"""
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


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--check-export":
        sys.exit(0 if check_export(sys.argv[2], sys.argv[3]) else 1)
    build("v1", 1)
    flan = build("flan", 2)
    bf16 = os.path.join(HERE, "flan-bf16")
    flan.to(torch.bfloat16).save_pretrained(bf16, safe_serialization=True, max_shard_size="150KB")
    for d in ["v1", "flan", "flan-bf16"]:
        for f in os.listdir(os.path.join(HERE, d)):
            if f == "generation_config.json":
                os.remove(os.path.join(HERE, d, f))


if __name__ == "__main__":
    main()
