#!/bin/sh
# Regenerates the h5py-written external-feature caches of the tiny synthetic set the CLI
# tests train on (dataset: {synthetic: {train: 24, val: 8, test: 4, seed: 5, max_pages: 3}},
# K = 4, d = 32): train, dev (training validates on it) and val (eval), with
# experiments/write_external_features.py. Needs numpy and h5py.
# Run from the repository root after `swift build -c release`.
set -e
out=Tests/CLITests/Fixtures
tmp=$(mktemp -d)
# A one-step run generates the dataset exactly as the tests' runs do.
cat > "$tmp/c.yaml" <<YAML
dataset: {synthetic: {train: 24, val: 8, test: 4, seed: 5, max_pages: 3}}
tokenizer: {vocab: 700}
model: {d_model: 32, heads: 2, encoder_layers: 1, decoder_layers: 1, ffn: 64}
encoder: {summary_tokens: 4, max_ocr_tokens: 200}
train: {steps: 1, warmup_steps: 0, eval_every: 1, eval_questions: 2}
YAML
.build/release/mpvqa train --config "$tmp/c.yaml" --data-dir "$tmp/data" --run-dir "$tmp/run" >/dev/null 2>&1
root=$(ls -d "$tmp"/data/synthetic-s5-24-8-4-dev8-p1_3-*)
for split in train dev val; do
  python3 experiments/write_external_features.py "$root" $split "$out/external_$split.h5" --K 4 --d 32 --dtype float16
done
rm -rf "$tmp"
