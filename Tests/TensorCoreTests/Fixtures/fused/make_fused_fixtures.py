"""PyTorch reference values for the fused TensorCore kernels (attention, cross-entropy, norms).

Regenerate (from the package root):
    python3 Tests/TensorCoreTests/Fixtures/fused/make_fused_fixtures.py
Writes attention.json, cross_entropy.json and norms.json next to this script. Everything is
Float64; each case holds its inputs, an upstream gradient `gradOutput` (for the losses the
gradient of the scalar is 1), the forward outputs and the input gradients from torch.autograd.
Format: {"cases": [{"name": str, "params": {str: number}, "tensors": {str: {"shape": [int], "data": [float]}}}]}
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.manual_seed(20240607)
torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))


def pack(t):
    t = t.detach()
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


def write(name, cases):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump({"cases": cases}, f, separators=(",", ":"))
        f.write("\n")


def reference_attention(q, k, v, heads, key_bias, causal, position_bias, scale):
    """Multi-head attention written the textbook way: split heads, permute, softmax."""
    B, Lq, HDk = q.shape
    Lk = k.shape[1]
    dk, dv = HDk // heads, v.shape[2] // heads
    qh = q.view(B, Lq, heads, dk).permute(0, 2, 1, 3)
    kh = k.view(B, Lk, heads, dk).permute(0, 2, 1, 3)
    vh = v.view(B, Lk, heads, dv).permute(0, 2, 1, 3)
    s = scale * qh @ kh.transpose(-1, -2)
    if position_bias is not None:
        s = s + position_bias.unsqueeze(0)
    if key_bias is not None:
        s = s + key_bias[:, None, None, :]
    if causal:
        i = torch.arange(Lq)[:, None]
        j = torch.arange(Lk)[None, :]
        s = s.masked_fill(j > i + (Lk - Lq), float("-inf"))
    p = torch.softmax(s, dim=-1)
    o = (p @ vh).permute(0, 2, 1, 3).reshape(B, Lq, heads * dv)
    return o, p


def attention_cases():
    specs = [
        # name, B, H, Lq, Lk, Dk, Dv, causal, keyBias, positionBias, scale (None = 1/sqrt(Dk))
        ("self_masked_bias", 2, 2, 3, 3, 4, 4, False, True, True, 1.0),
        ("causal_self_bias", 1, 3, 4, 4, 2, 2, True, False, True, None),
        ("cross_keybias", 2, 2, 2, 5, 3, 3, False, True, False, None),
        ("decode_step_lq1", 2, 1, 1, 4, 3, 3, True, True, True, 1.0),
        ("causal_offset", 1, 2, 3, 5, 2, 2, True, False, True, 0.7),
        ("value_width_differs", 2, 2, 3, 4, 2, 3, False, False, False, None),
    ]
    cases = []
    for name, B, H, Lq, Lk, Dk, Dv, causal, use_kb, use_pb, scale in specs:
        q = torch.randn(B, Lq, H * Dk, requires_grad=True)
        k = torch.randn(B, Lk, H * Dk, requires_grad=True)
        v = torch.randn(B, Lk, H * Dv, requires_grad=True)
        kb = None
        if use_kb:
            kb = torch.zeros(B, Lk)
            kb[0, -1] = -1e9  # a padded key in the first item
            if B > 1:
                kb[1, 0] = -1e9
        pb = torch.randn(H, Lq, Lk, requires_grad=True) if use_pb else None
        sc = scale if scale is not None else 1 / math.sqrt(Dk)
        o, p = reference_attention(q, k, v, H, kb, causal, pb, sc)
        g = torch.randn_like(o)
        o.backward(g)
        tensors = {"query": pack(q), "key": pack(k), "value": pack(v), "gradOutput": pack(g),
                   "output": pack(o), "weights": pack(p),
                   "dQuery": pack(q.grad), "dKey": pack(k.grad), "dValue": pack(v.grad)}
        if kb is not None:
            tensors["keyBias"] = pack(kb)
        if pb is not None:
            tensors["positionBias"] = pack(pb)
            tensors["dPositionBias"] = pack(pb.grad)
        params = {"heads": H, "causal": 1 if causal else 0}
        if scale is not None:
            params["scale"] = scale
        cases.append({"name": name, "params": params, "tensors": tensors})
    return cases


def cross_entropy_cases():
    specs = [
        # name, N, V, targets, ignoreIndex
        ("with_ignored_rows", 5, 7, [3, -100, 0, 6, -100], -100),
        ("single_row", 1, 3, [2], -100),
        ("custom_ignore_index", 4, 5, [1, 0, 4, 0], 0),
    ]
    cases = []
    for name, n, vocab, targets, ignore in specs:
        x = (3 * torch.randn(n, vocab)).requires_grad_()
        loss = F.cross_entropy(x, torch.tensor(targets), ignore_index=ignore, reduction="mean")
        loss.backward()
        cases.append({"name": name, "params": {"ignoreIndex": ignore},
                      "tensors": {"logits": pack(x), "targets": pack(torch.tensor(targets, dtype=torch.float64)),
                                  "loss": pack(loss), "dLogits": pack(x.grad)}})
    return cases


def norm_cases():
    cases = []
    for name, shape, eps in [("rms_3d", (2, 3, 5), 1e-6), ("rms_row", (1, 4), 1e-2)]:
        d = shape[-1]
        x = torch.randn(*shape, requires_grad=True)
        w = (1 + 0.5 * torch.randn(d)).requires_grad_()
        y = F.rms_norm(x, (d,), w, eps)
        g = torch.randn_like(y)
        y.backward(g)
        cases.append({"name": name, "params": {"kind": 0, "eps": eps},
                      "tensors": {"x": pack(x), "weight": pack(w), "gradOutput": pack(g), "output": pack(y),
                                  "dX": pack(x.grad), "dWeight": pack(w.grad)}})
    for name, shape, eps, use_bias in [("layer_bias", (3, 6), 1e-5, True), ("layer_nobias", (2, 1, 4), 1e-3, False)]:
        d = shape[-1]
        x = (2 * torch.randn(*shape) + 1).requires_grad_()
        w = (1 + 0.5 * torch.randn(d)).requires_grad_()
        b = torch.randn(d, requires_grad=True) if use_bias else None
        y = F.layer_norm(x, (d,), w, b, eps)
        g = torch.randn_like(y)
        y.backward(g)
        tensors = {"x": pack(x), "weight": pack(w), "gradOutput": pack(g), "output": pack(y),
                   "dX": pack(x.grad), "dWeight": pack(w.grad)}
        if b is not None:
            tensors["bias"] = pack(b)
            tensors["dBias"] = pack(b.grad)
        cases.append({"name": name, "params": {"kind": 1, "eps": eps}, "tensors": tensors})
    return cases


write("attention.json", attention_cases())
write("cross_entropy.json", cross_entropy_cases())
write("norms.json", norm_cases())
