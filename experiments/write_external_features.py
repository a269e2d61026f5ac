#!/usr/bin/env python3
"""Write an MPVQA feature cache (mpvqa-features schema, version 2) from an encoder of your own.

The "encoder" here is deliberately simple — each page's K summary vectors are sums of fixed
random word vectors (hashed words of the question and of the page's OCR lines) — to show the
file layout; replace `encode_page` with a large vision-language model's pooled states.

    python3 experiments/write_external_features.py DATASET_ROOT SPLIT OUT.h5 --K 8 --d 256
    mpvqa train --config C.yaml --set train.mode=cached \
        --set train.features.train=train.h5 --set train.features.dev=val.h5

DATASET_ROOT holds SPLIT.json (MP-DocVQA questions) and ocr/<page_id>.json (Textract-style
blocks). Rows of one question are contiguous, pages in document order; `complete` is set last.
Needs numpy and h5py.
"""
import argparse
import hashlib
import json
import os

import h5py
import numpy as np


def word_vector(word, d):
    """A fixed pseudo-random unit vector per lower-cased word."""
    seed = int.from_bytes(hashlib.sha256(word.lower().encode()).digest()[:8], "little")
    v = np.random.default_rng(seed).standard_normal(d)
    return v / np.sqrt(d)


def page_lines(root, page_id):
    with open(os.path.join(root, "ocr", page_id + ".json")) as f:
        blocks = json.load(f).get("Blocks", [])
    return [b.get("Text", "") for b in blocks if b.get("BlockType") == "LINE"]


def encode_page(question, lines, K, d):
    """[K, d]: slot 0 the question, slots 1…K−1 the OCR lines dealt round-robin."""
    s = np.zeros((K, d))
    for w in question.split():
        s[0] += word_vector(w, d)
    for i, line in enumerate(lines):
        for w in line.split():
            s[1 + i % max(1, K - 1) if K > 1 else 0] += word_vector(w, d)
    return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    ap.add_argument("split")
    ap.add_argument("out")
    ap.add_argument("--K", type=int, default=8)
    ap.add_argument("--d", type=int, default=256)
    ap.add_argument("--dtype", choices=["float32", "float16"], default="float16")
    a = ap.parse_args()
    with open(os.path.join(a.root, a.split + ".json")) as f:
        questions = json.load(f)["data"]
    summaries, qids, pidx, pids = [], [], [], []
    for q in questions:
        for i, page_id in enumerate(q["page_ids"]):
            summaries.append(encode_page(q["question"], page_lines(a.root, page_id), a.K, a.d))
            qids.append(q["questionId"]); pidx.append(i); pids.append(page_id)
    n = len(qids)
    with h5py.File(a.out, "w") as f:
        f.attrs.update(format="mpvqa-features", version=2, K=a.K, d=a.d, dtype=a.dtype,
                       encoder_hash="hashed-bag-of-words-v1", prompt_template="{question}",
                       split=a.split, complete=0, rows=0)
        chunk = (max(1, min(n, 16)), a.K, a.d)
        f.create_dataset("summaries", data=np.asarray(summaries, dtype=a.dtype), maxshape=(None, a.K, a.d), chunks=chunk)
        f.create_dataset("question_ids", data=np.asarray(qids, np.int64), maxshape=(None,))
        f.create_dataset("page_indices", data=np.asarray(pidx, np.int32), maxshape=(None,))
        f.create_dataset("page_ids", data=np.asarray(pids, dtype=h5py.string_dtype()), maxshape=(None,))
        # No copy sources from this encoder: every slot −1 (the dataset may also be left out).
        f.create_dataset("slot_tokens", data=np.full((n, a.K), -1, np.int32), maxshape=(None, a.K))
        f.attrs["rows"] = n
        f.flush()
        f.attrs["complete"] = 1
    print(f"wrote {a.out}: {n} rows, {len(questions)} questions, K={a.K}, d={a.d}, {a.dtype}")


if __name__ == "__main__":
    main()
