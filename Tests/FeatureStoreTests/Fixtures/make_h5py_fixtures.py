#!/usr/bin/env python3
"""Feature cache files written by h5py (not by MPVQA), and reference values for the tests.

Regenerate (from this directory):   python3 make_h5py_fixtures.py
Needs numpy and h5py. Deterministic (fixed seed); rewrites every file below.

Writes
  h5py_float16_complete.h5    a finished float16 cache in h5py's defaults: variable-length
                              page ids, int64 attributes, chunks of 2 rows
  h5py_float32_incomplete.h5  an unfinished float32 cache (complete=0, rows=4, extent 6 with
                              NaN "half-written" rows 4..5), int32 question ids, fixed-length
                              (16-byte) page ids
  bad_*.h5                    one schema violation each (see BAD below)
  reference.json              the values the files hold; float16 rounding of edge cases by numpy;
                              SHA-256 digests computed with hashlib from the byte layouts that
                              FeatureCacheKey documents (canonical key text, weight hashing)

The schema is the one documented in Sources/FeatureStore/Cache/FeatureCacheSchema.swift.
"""
import hashlib
import json
import os

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20240611)


def path(name):
    return os.path.join(HERE, name)


def write_cache(name, summaries, qids, pidx, pids, *, dtype, rows, complete, extent=None,
                qid_dtype=np.int64, fixed_ids=None, attrs=None, drop=(), summaries_shape=None):
    """One cache file. `extent` > rows pads every dataset with NaN / -1 / "junk" rows."""
    n = len(qids)
    extent = extent or n
    K, d = summaries.shape[1], summaries.shape[2]
    with h5py.File(path(name), "w") as f:
        a = dict(format="mpvqa-features", version=1, K=K, d=d, dtype=dtype, encoder_hash="h5py-encoder",
                 prompt_template="question: {question}", complete=complete, rows=rows, split="val")
        a.update(attrs or {})
        for key, value in a.items():
            if key not in drop:
                f.attrs[key] = value
        np_type = np.float16 if dtype == "float16" else np.float32
        s = np.full((extent, K, d), np.nan, np_type)
        s[:n] = summaries.astype(np_type)
        if "summaries" not in drop:
            data = s if summaries_shape is None else s.reshape(summaries_shape(extent, K, d))
            f.create_dataset("summaries", data=data, maxshape=(None,) + data.shape[1:], chunks=(2,) + data.shape[1:])
        q = np.full(extent, -1, qid_dtype); q[:n] = qids
        p = np.full(extent, -1, np.int32); p[:n] = pidx
        ids = list(pids) + ["junk"] * (extent - n)
        if "question_ids" not in drop:
            f.create_dataset("question_ids", data=q, maxshape=(None,), chunks=(4,))
        if "page_indices" not in drop:
            f.create_dataset("page_indices", data=p, maxshape=(None,), chunks=(4,))
        if "page_ids" not in drop:
            if fixed_ids:
                f.create_dataset("page_ids", data=np.array([i.encode() for i in ids], dtype=f"S{fixed_ids}"),
                                 maxshape=(None,), chunks=(4,))
            else:
                f.create_dataset("page_ids", data=np.array(ids, dtype=h5py.string_dtype()), maxshape=(None,), chunks=(4,))


reference = {}

# A finished float16 cache: 3 questions with 2, 3, 2 pages; K = 3, d = 5.
K, d = 3, 5
qids = [101, 101, 205, 205, 205, 307, 307]
pidx = [0, 1, 0, 1, 2, 0, 1]
pids = [f"doc{q}_p{i}" for q, i in zip(qids, pidx)]
s32 = rng.normal(0, 2, size=(7, K, d)).astype(np.float32)
write_cache("h5py_float16_complete.h5", s32, qids, pidx, pids, dtype="float16", rows=7, complete=1)
reference["float16_complete"] = dict(
    rows=7, K=K, d=d, question_ids=qids, page_indices=pidx, page_ids=pids, questions=[101, 205, 307],
    summaries_float32=s32.ravel().tolist(),
    summaries_as_float16=s32.astype(np.float16).astype(np.float32).ravel().tolist())

# An unfinished float32 cache: 4 committed rows of 2 questions, 2 NaN rows beyond.
K2, d2 = 2, 4
qids2 = [11, 11, 12, 12]
pidx2 = [0, 1, 0, 1]
pids2 = ["a_0", "a_1", "b_0", "b_1"]
s2 = rng.normal(0, 1, size=(4, K2, d2)).astype(np.float32)
write_cache("h5py_float32_incomplete.h5", s2, qids2, pidx2, pids2, dtype="float32", rows=4, complete=0, extent=6,
            qid_dtype=np.int32, fixed_ids=16)
# Other string flavours for the header: fixed-length bytes (ASCII) and variable-length ASCII,
# and a 32-bit integer attribute.
with h5py.File(path("h5py_float32_incomplete.h5"), "a") as f:
    f.attrs["prompt_template"] = np.bytes_(b"question: {question}")
    f.attrs.create("encoder_hash", "h5py-encoder", dtype=h5py.string_dtype("ascii"))
    f.attrs.create("rows", 4, dtype=np.int32)
reference["float32_incomplete"] = dict(rows=4, K=K2, d=d2, question_ids=qids2, page_indices=pidx2, page_ids=pids2,
                                       summaries=s2.ravel().tolist())

# Files that break one rule each: (file, error kind, field named in the message).
small = rng.normal(size=(2, 3, 5)).astype(np.float32)
BAD = [
    ("bad_missing_dataset.h5", dict(drop=("page_indices",)), "missingDataset", "dataset 'page_indices'"),
    ("bad_missing_attribute.h5", dict(drop=("encoder_hash",)), "missingAttribute", "attribute 'encoder_hash'"),
    ("bad_wrong_rank.h5", dict(summaries_shape=lambda n, k, d: (n, k * d)), "wrongRank", "dataset 'summaries'"),
    ("bad_k_mismatch.h5", dict(attrs=dict(K=4)), "wrongShape", "dataset 'summaries'"),
    ("bad_wrong_format.h5", dict(attrs=dict(format="not-mpvqa")), "wrongValue", "attribute 'format'"),
    ("bad_future_version.h5", dict(attrs=dict(version=99)), "wrongValue", "attribute 'version'"),
    ("bad_dtype_mismatch.h5", dict(attrs=dict(dtype="float16"), ), "wrongType", "dataset 'summaries'"),
    ("bad_rows_beyond_extent.h5", dict(attrs=dict(rows=5)), "wrongShape", "dataset 'summaries'"),
    ("bad_noncontiguous_question.h5", dict(qids_override=[7, 8, 7]), "wrongValue", "dataset 'question_ids'"),
]
reference["bad"] = []
for name, options, kind, field in BAD:
    q = options.pop("qids_override", [7, 7])
    n = len(q)
    s = rng.normal(size=(n, 3, 5)).astype(np.float32)
    dtype = "float32"
    attrs = options.pop("attrs", {})
    # bad_dtype_mismatch stores float32 data but claims float16.
    write_cache(name, s, q, list(range(n)), [f"p{i}" for i in range(n)], dtype=dtype, rows=n, complete=1,
                attrs=attrs, **options)
    reference["bad"].append(dict(file=name, kind=kind, field=field))

# float16 rounding of edge cases (numpy: round to nearest, ties to even).
edge = np.array([0.0, -0.0, 1.0, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 2049.0, 2051.0, 65504.0, 65519.0, 65520.0, -70000.0,
                 6.0e-5, 5.96e-8, 2.0e-8, 3.0e-8, 1.0e-10, 0.1, -3.14159265, 1234.567], np.float32)
with np.errstate(over="ignore"):  # 65520 and -70000 overflow to ±inf on purpose
    rounded = edge.astype(np.float16).astype(np.float32)
reference["float16_rounding"] = dict(inputs=edge.tolist(),
                                     float16=[float(x) if np.isfinite(x) else ("inf" if x > 0 else "-inf") for x in rounded])

# SHA-256 of byte strings (hashlib).
messages = {"empty": b"", "abc": b"abc", "two_blocks": bytes(range(256)) * 3 + b"tail",
            "block_55": b"a" * 55, "block_56": b"a" * 56, "block_64": b"a" * 64}
reference["sha256"] = {k: dict(hex=v.hex(), digest=hashlib.sha256(v).hexdigest()) for k, v in messages.items()}


# Cache key: the canonical text as FeatureCacheKey documents it, built here independently.
def canonical(encoder_hash, prompt, K, d, dtype, split, dataset, settings):
    fields = [("encoder_hash", encoder_hash), ("prompt_template", prompt), ("K", str(K)), ("d", str(d)),
              ("dtype", dtype), ("split", split), ("dataset", dataset)]
    fields += [("setting." + k, settings[k]) for k in sorted(settings)]
    text = "mpvqa-feature-cache-key/1\n"
    for name, value in fields:
        text += f"{name} {len(value.encode())}:{value}\n"
    return text


key = dict(encoder_hash="3f" * 32, prompt_template="question: {question}\nanswer:", K=8, d=256, dtype="float16",
           split="val", dataset="synthetic seed=7 train=4000 val=500", settings={"tokenizer": "ab12", "max_ocr_tokens": "128"})
digest = hashlib.sha256(canonical(key["encoder_hash"], key["prompt_template"], key["K"], key["d"], key["dtype"],
                                  key["split"], key["dataset"], key["settings"]).encode()).hexdigest()
reference["cache_key"] = dict(inputs=key, digest=digest, file_name=f"val-{digest[:16]}.h5")

# Encoder weight hash: tensors in name order; name, dtype, shape line, then little-endian bytes.
weights = [("encoder.layers.0.attention.query", rng.normal(size=(3, 4)).astype(np.float32)),
           ("embedding", rng.normal(size=(5, 2)).astype(np.float32)),
           ("scale", np.array(0.5, np.float32))]
h = hashlib.sha256(b"mpvqa-weights/1\n")
for name, w in sorted(weights, key=lambda t: t[0]):
    h.update(f"{len(name.encode())}:{name} float32 {list(w.shape)}\n".encode())
    h.update(w.astype("<f4").tobytes())
reference["encoder_hash"] = dict(tensors=[dict(name=n, shape=list(w.shape), values=w.ravel().tolist()) for n, w in weights],
                                 digest=h.hexdigest())

with open(path("reference.json"), "w") as f:
    json.dump(reference, f, indent=1)
print("wrote", len(BAD) + 2, "h5 files and reference.json")
