#!/usr/bin/env python3
"""Opens cache files written by MPVQA (Swift) with h5py and checks them against the schema
and the formula `mpvqa cache write-pattern` writes. Run by hand; the tests never run Python.

Regenerate check_swift_file.expected.txt (from the package root):
    swift build
    rm -rf /tmp/mpvqa-check && mkdir -p /tmp/mpvqa-check
    .build/debug/mpvqa cache write-pattern /tmp/mpvqa-check/finished-f16.h5 --rows 40 --batch 16 --pages 8 \
        --K 4 --d 32 --dtype float16 --reserve 64
    .build/debug/mpvqa cache write-pattern /tmp/mpvqa-check/unfinished-f32.h5 --rows 24 --batch 8 --pages 8 \
        --K 4 --d 32 --dtype float32 --reserve 64 --no-finish
    python3 Tests/FeatureStoreTests/Fixtures/check_swift_file.py /tmp/mpvqa-check/finished-f16.h5 \
        /tmp/mpvqa-check/unfinished-f32.h5 > Tests/FeatureStoreTests/Fixtures/check_swift_file.expected.txt

write-pattern rows: S[r, k, j] = (131·r + 7·k + j) mod 2048, question r // pages, page r % pages,
page id "q<question>-p<page>".
"""
import os
import sys

import h5py
import numpy as np

PAGES = 8


def describe_attr(value):
    if isinstance(value, (bytes, np.bytes_)):
        return f"bytes {value!r}"
    if isinstance(value, str):
        return f"str {value!r}"
    return f"{np.asarray(value).dtype} {value!r}"


def check(path):
    print(f"== {os.path.basename(path)}  (h5py {h5py.version.version}, HDF5 {h5py.version.hdf5_version})")
    with h5py.File(path, "r") as f:
        for name in sorted(f.attrs):
            print(f"  attr {name}: {describe_attr(f.attrs[name])}")
        for name in ["summaries", "question_ids", "page_indices", "page_ids"]:
            d = f[name]
            print(f"  dataset {name}: shape {d.shape} maxshape {d.maxshape} dtype {d.dtype} chunks {d.chunks} "
                  f"compression {d.compression}")
        assert f.attrs["format"] == "mpvqa-features" and f.attrs["version"] == 1
        K, d, rows = int(f.attrs["K"]), int(f.attrs["d"]), int(f.attrs["rows"])
        dtype = {"float32": np.float32, "float16": np.float16}[f.attrs["dtype"]]
        s = f["summaries"][:rows]
        assert s.dtype == dtype and s.shape == (rows, K, d)
        r = np.arange(rows)[:, None, None]
        expected = ((131 * r + 7 * np.arange(K)[None, :, None] + np.arange(d)[None, None, :]) % 2048).astype(dtype)
        assert np.array_equal(s, expected), "summaries differ from the pattern"
        assert np.array_equal(f["question_ids"][:rows], np.arange(rows) // PAGES)
        assert np.array_equal(f["page_indices"][:rows], np.arange(rows) % PAGES)
        ids = [x.decode() for x in f["page_ids"][:rows]]
        assert ids == [f"q{i // PAGES}-p{i % PAGES}" for i in range(rows)]
        if f.attrs["complete"] == 1:
            assert all(f[n].shape[0] == rows for n in ["summaries", "question_ids", "page_indices", "page_ids"])
        print(f"  rows {rows} complete {int(f.attrs['complete'])}: values, ids and pages match; first page ids {ids[:3]}")
    print("  OK")


for p in sys.argv[1:]:
    check(p)
