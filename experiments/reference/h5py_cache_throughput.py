#!/usr/bin/env python3
"""h5py's feature-cache throughput with MPVQA's layout and chunking (the h5py figures of `mpvqa bench`).

Writes `rows` random [K, d] summaries in committed batches as FeatureCacheWriter does (rows of
the batch, then flush + fsync, then the `rows` attribute, flush + fsync again), into the same
five datasets, allocated up front as the writer's reserved rows are, with the same chunking (`chunk_rows` rows of summaries per chunk, 1024-row chunks for the
per-row lists), then reads every question's rows (`pages` per question) in a shuffled order.
Prints one JSON object: write_mb_s, read_mb_s, question_read_us (median), question_read_max_us.

    python3 experiments/reference/h5py_cache_throughput.py --rows 4096 --K 8 --d 256 --dtype float32
"""
import argparse
import json
import os
import tempfile
import time

import h5py
import numpy as np


def dataset(f, name, shape, dtype, chunks, late):
    """A chunked, extendable dataset; chunks allocated at creation (as FeatureCacheWriter's reserved rows) unless `late`."""
    if late:
        return f.create_dataset(name, shape, dtype=dtype, chunks=chunks, maxshape=(None,) + tuple(shape[1:]))
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_chunk(chunks)
    dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
    space = h5py.h5s.create_simple(shape, (h5py.h5s.UNLIMITED,) + tuple(shape[1:]))
    h5py.h5d.create(f.id, name.encode(), h5py.h5t.py_create(np.dtype(dtype)), space, dcpl=dcpl)
    return f[name]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=4096)
    ap.add_argument("--K", type=int, default=8)
    ap.add_argument("--d", type=int, default=256)
    ap.add_argument("--dtype", choices=["float32", "float16"], default="float32")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--pages", type=int, default=8)
    ap.add_argument("--chunk-rows", type=int, default=None)
    ap.add_argument("--no-sync", action="store_true")
    ap.add_argument("--late-alloc", action="store_true", help="h5py's default chunk allocation instead of MPVQA's up-front reservation")
    a = ap.parse_args()
    item = 4 if a.dtype == "float32" else 2
    chunk_rows = a.chunk_rows or min(256, max(1, (64 << 10) // (a.K * a.d * item)))
    rng = np.random.default_rng(1)
    batch = rng.standard_normal((a.batch, a.K, a.d)).astype(a.dtype)
    path = os.path.join(tempfile.gettempdir(), f"h5py-throughput-{os.getpid()}.h5")
    try:
        start = time.perf_counter()
        with h5py.File(path, "w") as f:
            f.attrs.update(format="mpvqa-features", version=2, K=a.K, d=a.d, dtype=a.dtype, encoder_hash="throughput",
                           prompt_template="{question}", complete=0, rows=0)
            s = dataset(f, "summaries", (a.rows, a.K, a.d), a.dtype, (chunk_rows, a.K, a.d), a.late_alloc)
            q = dataset(f, "question_ids", (a.rows,), np.int64, (1024,), a.late_alloc)
            p = dataset(f, "page_indices", (a.rows,), np.int32, (1024,), a.late_alloc)
            ids = dataset(f, "page_ids", (a.rows,), "S64", (1024,), a.late_alloc)
            s2 = dataset(f, "slot_tokens", (a.rows, a.K), np.int32, (max(1, 1024 // a.K), a.K), a.late_alloc)
            fd = None if a.no_sync else os.open(path, os.O_RDONLY)
            row = 0
            while row < a.rows:
                n = min(a.batch, a.rows - row)
                r = np.arange(row, row + n)
                s[row:row + n] = batch[:n]
                q[row:row + n] = r // a.pages
                p[row:row + n] = r % a.pages
                ids[row:row + n] = [f"page{i // a.pages}_{i % a.pages}".encode() for i in r]
                s2[row:row + n] = -1
                f.flush()
                if fd is not None: os.fsync(fd)
                f.attrs["rows"] = row + n
                f.flush()
                if fd is not None: os.fsync(fd)
                row += n
            f.attrs["complete"] = 1
            if fd is not None: os.close(fd)
        write_s = time.perf_counter() - start

        start = time.perf_counter()
        times = []
        with h5py.File(path, "r") as f:
            qids = f["question_ids"][: int(f.attrs["rows"])]
            bounds = np.flatnonzero(np.diff(qids)) + 1
            starts = np.concatenate([[0], bounds]); ends = np.concatenate([bounds, [len(qids)]])
            order = rng.permutation(len(starts))
            s = f["summaries"]
            for i in order:
                t = time.perf_counter()
                x = s[starts[i]:ends[i]]
                if a.dtype == "float16": x = x.astype(np.float32)
                times.append(time.perf_counter() - t)
        read_s = time.perf_counter() - start
        mb = a.rows * a.K * a.d * item / 1e6
        print(json.dumps(dict(write_mb_s=mb / write_s, read_mb_s=mb / read_s, question_read_us=float(np.median(times)) * 1e6,
                              question_read_max_us=float(np.max(times)) * 1e6, chunk_rows=chunk_rows, h5py=h5py.__version__)))
    finally:
        if os.path.exists(path): os.remove(path)


if __name__ == "__main__":
    main()
