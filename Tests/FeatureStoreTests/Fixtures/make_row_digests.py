#!/usr/bin/env python3
"""Expected `row_digests` of a small cache, computed independently of MPVQA (numpy + hashlib).

Regenerate (from this directory):   python3 make_row_digests.py   (writes row_digests.json)

The cache (FeatureCacheRowDigestTests writes the same rows with FeatureCacheWriter):
  K = 2, d = 3, 5 rows, page ids stored fixed-width 64 bytes (the writer's default), NUL-padded
  summaries[r, k, j]  = (6 r + 3 k + j) / 4 - 1            (float32, and float16: exact in both)
  question_ids        = [31, 31, 32, 33, 33]                (int64 little-endian)
  page_indices        = [0, 1, 0, 0, 1]                     (int32 little-endian)
  page_ids            = "q{question}-p{page}"
  slot_tokens[r, k]   = 10 r + k, or -1 when (r + k) is odd (int32 little-endian)

Row digest (README "Feature cache (HDF5)"): first 16 bytes of
SHA-256(row index as uint64 little-endian || the row's stored bytes), per dataset in the order
summaries, question_ids, page_indices, page_ids, slot_tokens.
"""
import hashlib
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
K, D, ROWS, PAGE_ID_BYTES = 2, 3, 5, 64
qids = np.array([31, 31, 32, 33, 33], dtype="<i8")
pidx = np.array([0, 1, 0, 0, 1], dtype="<i4")
pids = np.array([f"q{q}-p{p}".encode() for q, p in zip(qids, pidx)], dtype=f"S{PAGE_ID_BYTES}")
r, k, j = np.meshgrid(np.arange(ROWS), np.arange(K), np.arange(D), indexing="ij")
values = ((6 * r + 3 * k + j) / 4 - 1).astype(np.float64)
slots = np.array([[10 * row + s if (row + s) % 2 == 0 else -1 for s in range(K)] for row in range(ROWS)], dtype="<i4")


def digest(row, data):
    return hashlib.sha256(np.uint64(row).astype("<u8").tobytes() + data).digest()[:16].hex()


out = {}
for dtype in ["float32", "float16"]:
    summaries = values.astype("<f4" if dtype == "float32" else "<f2")
    assert np.array_equal(summaries.astype(np.float64), values)
    columns = [summaries, qids, pidx, pids, slots]
    out[dtype] = [[digest(row, c[row:row + 1].tobytes()) for c in columns] for row in range(ROWS)]
with open(os.path.join(HERE, "row_digests.json"), "w") as f:
    json.dump(dict(K=K, d=D, rows=ROWS, digests=out), f, indent=1)
print("wrote row_digests.json")
