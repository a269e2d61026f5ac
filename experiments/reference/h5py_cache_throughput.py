#!/usr/bin/env python3
"""h5py's feature-cache throughput with MPVQA's layout and chunking (the h5py figures of `mpvqa bench`).

Writes `rows` random [K, d] summaries in committed batches as FeatureCacheWriter does (rows of
the batch, then flush + fsync, then the `rows` attribute, flush + fsync again), into datasets
with the same chunking (`chunk_rows` rows of summaries per chunk, 1024-row chunks for the
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
            s = f.create_dataset("summaries", (a.rows, a.K, a.d), dtype=a.dtype, chunks=(chunk_rows, a.K, a.d),
                                 maxshape=(None, a.K, a.d))
            q = f.create_dataset("question_ids", (a.rows,), dtype=np.int64, chunks=(1024,), maxshape=(None,))
            p = f.create_dataset("page_indices", (a.rows,), dtype=np.int32, chunks=(1024,), maxshape=(None,))
            ids = f.create_dataset("page_ids", (a.rows,), dtype="S64", chunks=(1024,), maxshape=(None,))
            fd = None if a.no_sync else os.open(path, os.O_RDONLY)
            row = 0
            while row < a.rows:
                n = min(a.batch, a.rows - row)
                r = np.arange(row, row + n)
                s[row:row + n] = batch[:n]
                q[row:row + n] = r // a.pages
                p[row:row + n] = r % a.pages
                ids[row:row + n] = [f"page{i // a.pages}_{i % a.pages}".encode() for i in r]
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
