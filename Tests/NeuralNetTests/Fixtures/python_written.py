#!/usr/bin/env python3
"""A safetensors file written by Python `safetensors`, read by NeuralNetTests/SafeTensorsTests.

Regenerate (from this folder):   python3 python_written.py
The values are IEEE 754 landmarks that the Swift test spells out independently.
"""
import torch
from safetensors.torch import save_file

save_file({
    "f32": torch.tensor([[-1.0, -0.5, 0.0], [0.5, 1.0, 1.5]], dtype=torch.float32),
    # 0, -0, 1, -2.5, largest half, smallest normal half, smallest subnormal half, +inf
    "f16": torch.tensor([0.0, -0.0, 1.0, -2.5, 65504.0, 2.0 ** -14, 2.0 ** -24, float("inf")], dtype=torch.float16),
    "bf16": torch.tensor([1.0, -3.0, 0.15625, 2.0 ** 100], dtype=torch.bfloat16),
    "f64": torch.tensor([[1.0 / 3.0], [-1e300]], dtype=torch.float64),
    "scalar": torch.tensor(42.0, dtype=torch.float32),
    "empty": torch.zeros(0, 3, dtype=torch.float32),
    "ids": torch.tensor([1, 2, 3], dtype=torch.int64),
}, "python_written.safetensors", metadata={"writer": "python safetensors", "purpose": "fixture"})
