"""Reference values of Hi-VT5's spatial embedding (SpatialEmbeddingTests), computed with numpy
independently of MPVQA: e = LayerNorm(x[left] + y[upper] + x[right] + y[lower]) @ W.T + b, with
OCR positions at their own boxes (clamped to 0..1000) and every other text position at
[0, 0, 1000, 1000]. Run: python3 make_fixture.py  (writes fixture.json beside it)."""
import json
import numpy as np

rng = np.random.default_rng(7)
r7 = lambda a: np.round(a, 7)  # 7 digits: float32 holds them, and the file stays small
d, rows, length = 8, 2, 6
x = r7(rng.normal(0, 0.5, (1001, d)))
y = r7(rng.normal(0, 0.5, (1001, d)))
norm_w = r7(rng.normal(1, 0.1, d))
norm_b = r7(rng.normal(0, 0.1, d))
proj_w = r7(rng.normal(0, d ** -0.5, (d, d)))
proj_b = r7(rng.normal(0, 0.1, d))
# Segments: 0 summary slot, 1 question, 2 OCR.
segments = np.array([[0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 2, 2]])
boxes = rng.integers(0, 1001, (rows, length, 4))
boxes[0, 3] = [-3, 10, 1005, 999]       # clamped to [0, 10, 1000, 999]
boxes[1, 5] = [0, 0, 0, 0]

full = np.array([0, 0, 1000, 1000])
effective = np.where((segments == 2)[..., None], np.clip(boxes, 0, 1000), full)
s = x[effective[..., 0]] + y[effective[..., 1]] + x[effective[..., 2]] + y[effective[..., 3]]
mean = s.mean(-1, keepdims=True)
var = ((s - mean) ** 2).mean(-1, keepdims=True)
normed = (s - mean) / np.sqrt(var + 1e-5) * norm_w + norm_b
out = normed @ proj_w.T + proj_b

json.dump({"d": d, "rows": rows, "length": length,
           "x": x.ravel().tolist(), "y": y.ravel().tolist(),
           "norm_weight": norm_w.tolist(), "norm_bias": norm_b.tolist(),
           "projection_weight": proj_w.ravel().tolist(), "projection_bias": proj_b.tolist(),
           "segments": segments.ravel().tolist(), "boxes": boxes.ravel().tolist(),
           "expected": out.ravel().tolist()}, open("fixture.json", "w"))
