#!/usr/bin/env python3
"""Reference for NeuralNetTests/AdamWTests: torch.optim.AdamW on a small least-squares problem.

Regenerate (from this folder):   python3 adamw_reference.py
Writes adamw_reference.safetensors (F64): the problem (x, y), the initial parameters
(weight [3, 4] with weight decay, bias [4] without), the learning rate of every step, and
the parameters after every step (step.<k>.weight, step.<k>.bias, k = 1..8).
loss = mean((x @ weight + bias - y)^2).
"""
import torch
from safetensors.torch import save_file

torch.manual_seed(7)
torch.set_default_dtype(torch.float64)
x, y = torch.randn(5, 3), torch.randn(5, 4)
weight, bias = torch.randn(3, 4, requires_grad=True), torch.randn(4, requires_grad=True)
out = {"x": x, "y": y, "initial.weight": weight.detach().clone(), "initial.bias": bias.detach().clone()}
lrs = [0.05, 0.1, 0.1, 0.08, 0.05, 0.03, 0.02, 0.01]
opt = torch.optim.AdamW([{"params": [weight], "weight_decay": 0.2}, {"params": [bias], "weight_decay": 0.0}],
                        lr=lrs[0], betas=(0.8, 0.95), eps=1e-6)
for k, lr in enumerate(lrs, start=1):
    opt.zero_grad()
    loss = ((x @ weight + bias - y) ** 2).mean()
    loss.backward()
    for g in opt.param_groups:
        g["lr"] = lr
    opt.step()
    out[f"step.{k}.weight"] = weight.detach().clone()
    out[f"step.{k}.bias"] = bias.detach().clone()
out["learningRates"] = torch.tensor(lrs)
save_file(out, "adamw_reference.safetensors", metadata={"betas": "0.8,0.95", "eps": "1e-6", "weight_decay": "0.2"})
