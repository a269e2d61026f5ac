#!/usr/bin/env python3
"""Reference for NeuralNetTests/LayerReferenceTests: the layers the T5 stack fixture does not
exercise (LayerNorm with bias, erf-GELU feed-forward, Linear with bias, attention with a head
width that does not divide the model width and a non-unit scale, embedding id -1).

Regenerate (from this folder):   python3 layers_reference.py
Writes layers_reference.safetensors (F64): parameters under Swift names, the input x, the
context, the output y, the projection direction r, and grad.<name> of sum(r * y) for every
parameter and for x.

  h = LayerNorm(x);  h = h + FFN_gelu(h);  a = attention(h, context) (2 heads of width 3,
  scale 1/sqrt(3), causal=False, key mask hides context position 4 of example 1)
  y = Linear_bias(a) + E[ids]   with ids = [[0, 2, -1], [1, -1, 3]] (-1 = zero row)
"""
import torch
from safetensors.torch import save_file

torch.manual_seed(11)
torch.set_default_dtype(torch.float64)
D, F, H, DH, O, V = 8, 16, 2, 3, 8, 4
P = {
    "norm.weight": 1 + 0.2 * torch.randn(D), "norm.bias": 0.1 * torch.randn(D),
    "ffn.up.weight": torch.randn(F, D) / D ** 0.5, "ffn.down.weight": torch.randn(D, F) / F ** 0.5,
    "attention.query.weight": torch.randn(H * DH, D) / D ** 0.5, "attention.key.weight": torch.randn(H * DH, D) / D ** 0.5,
    "attention.value.weight": torch.randn(H * DH, D) / D ** 0.5, "attention.output.weight": torch.randn(D, H * DH) / (H * DH) ** 0.5,
    "projection.weight": torch.randn(O, D) / D ** 0.5, "projection.bias": torch.randn(O),
    "embedding.weight": torch.randn(V, O),
}
P = {k: v.requires_grad_(True) for k, v in P.items()}
x = torch.randn(2, 3, D, requires_grad=True)
context = torch.randn(2, 5, D)
ids = torch.tensor([[0, 2, -1], [1, -1, 3]])
key_bias = torch.zeros(2, 5)
key_bias[1, 4] = -1e9

h = torch.nn.functional.layer_norm(x, (D,), P["norm.weight"], P["norm.bias"], eps=1e-5)
h = h + torch.nn.functional.gelu(h @ P["ffn.up.weight"].T) @ P["ffn.down.weight"].T
q = (h @ P["attention.query.weight"].T).view(2, 3, H, DH).transpose(1, 2)
k = (context @ P["attention.key.weight"].T).view(2, 5, H, DH).transpose(1, 2)
v = (context @ P["attention.value.weight"].T).view(2, 5, H, DH).transpose(1, 2)
s = q @ k.transpose(-1, -2) / DH ** 0.5 + key_bias[:, None, None, :]
a = (torch.softmax(s, -1) @ v).transpose(1, 2).reshape(2, 3, H * DH) @ P["attention.output.weight"].T
emb = torch.where((ids >= 0)[..., None], P["embedding.weight"][ids.clamp(min=0)], torch.zeros(()))
y = a @ P["projection.weight"].T + P["projection.bias"] + emb
r = torch.randn_like(y)
(r * y).sum().backward()
out = {k: v.detach() for k, v in P.items()}
out.update({"x": x.detach(), "context": context, "y": y.detach(), "r": r, "grad.x": x.grad})
out.update({"grad." + k: v.grad for k, v in P.items()})
save_file(out, "layers_reference.safetensors", metadata={"generator": "layers_reference.py"})
