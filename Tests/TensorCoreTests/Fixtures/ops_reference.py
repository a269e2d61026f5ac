"""Reference values for the TensorCore primitive ops (Unary, Reduce, ShapeOps, Gather tests).

Regenerate from the repository root with:
    python3 Tests/TensorCoreTests/Fixtures/ops_reference.py
which rewrites Tests/TensorCoreTests/Fixtures/ops_reference.json next to this script.

Every case holds its float64 inputs, the op arguments and the expected output computed by
numpy (and torch for GELU); gather cases also hold the gradient of sum(out * weight) with
respect to the table, computed with torch.nn.functional.embedding.
"""
import json
import os

import numpy as np
import torch

rng = np.random.default_rng(20240611)
cases = []


def tensor(a):
    a = np.asarray(a, dtype=np.float64)
    return {"shape": list(a.shape), "data": [float(v) for v in a.reshape(-1)]}


def add(name, op, inputs, output, **args):
    case = {"name": name, "op": op, "inputs": [tensor(x) for x in inputs], "output": tensor(output), "args": args}
    cases.append(case)
    return case


# Unary: a general input and a positive one for log / sqrt.
x = rng.normal(size=(2, 3, 4)) * 2
pos = rng.uniform(0.1, 3.0, size=(3, 5))
tx = torch.from_numpy(x)
add("exp", "exp", [x], np.exp(x))
add("log", "log", [pos], np.log(pos))
add("sqrt", "sqrt", [pos], np.sqrt(pos))
add("tanh", "tanh", [x], np.tanh(x))
add("sigmoid", "sigmoid", [x], 1 / (1 + np.exp(-x)))
add("relu", "relu", [x], np.maximum(x, 0))
add("gelu", "gelu", [x], torch.nn.functional.gelu(tx).numpy(), approximate=False)
add("gelu tanh", "gelu", [x], torch.nn.functional.gelu(tx, approximate="tanh").numpy(), approximate=True)
add("square", "square", [x], x * x)

# Reductions over several axis sets, with and without keepDims.
for shape, axes_list in [((2, 3, 4), [[1], [-1], [0, 2], [], [0, 1, 2], [2, 0]]),
                         ((2, 1, 3), [[1], [0], [0, 1], [-3, -1]]),
                         ((5,), [[0]]),
                         ((3, 1), [[1], [0]])]:
    x = rng.normal(size=shape)
    for axes in axes_list:
        for keep in (False, True):
            t = tuple(axes)
            add(f"sum {shape} {axes} keep={keep}", "sum", [x], np.sum(x, axis=t, keepdims=keep), axes=axes, keepDims=keep)
            add(f"mean {shape} {axes} keep={keep}", "mean", [x], np.mean(x, axis=t, keepdims=keep), axes=axes, keepDims=keep)
            if axes:
                add(f"max {shape} {axes} keep={keep}", "max", [x], np.max(x, axis=t, keepdims=keep), axes=axes, keepDims=keep)

# Transpose and permute.
x = rng.normal(size=(2, 3, 4))
add("transpose 0 2", "transpose", [x], np.swapaxes(x, 0, 2), a=0, b=2)
add("transpose -1 -2", "transpose", [x], np.swapaxes(x, -1, -2), a=-1, b=-2)
for perm in ([1, 2, 0], [2, 0, 1], [0, 2, 1], [0, 1, 2]):
    add(f"permute {perm}", "permute", [x], np.transpose(x, perm), axes=perm)
y = rng.normal(size=(2, 1, 3, 2))
add("permute [3,0,2,1] size-1", "permute", [y], np.transpose(y, [3, 0, 2, 1]), axes=[3, 0, 2, 1])
add("permute [0,2,1,3]", "permute", [y], np.transpose(y, [0, 2, 1, 3]), axes=[0, 2, 1, 3])

# Concat, split and slice.
a, b, c = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 1, 4)), rng.normal(size=(2, 2, 4))
add("concat axis 1", "concat", [a, b, c], np.concatenate([a, b, c], axis=1), axis=1)
d = rng.normal(size=(2, 3, 2))
add("concat axis -1", "concat", [a, d], np.concatenate([a, d], axis=-1), axis=-1)
e = rng.normal(size=(1, 3, 4))
add("concat axis 0", "concat", [a, e], np.concatenate([a, e], axis=0), axis=0)
for axis, sizes in [(1, [1, 0, 2]), (-1, [3, 1]), (0, [2])]:
    pieces = np.split(a, np.cumsum(sizes)[:-1], axis=axis)
    case = add(f"split {axis} {sizes}", "split", [a], pieces[0], axis=axis, sizes=sizes)
    case["outputs"] = [tensor(p) for p in pieces]
for axis, lo, hi in [(1, 1, 3), (-1, 0, 2), (0, 1, 2), (2, 3, 3)]:
    idx = [slice(None)] * 3
    idx[axis] = slice(lo, hi)
    add(f"slice {axis} {lo}..<{hi}", "slice", [a], a[tuple(idx)], axis=axis, start=lo, end=hi)

# Gather (embedding lookup) with repeated indices and -1 padding.
table = rng.normal(size=(5, 3))
for indices, shape in [([4, 0, 4, -1, 2, 4], [2, 3]), ([1], [1]), ([3, -1, 3, 3], [4])]:
    idx = np.array(indices)
    weight = rng.normal(size=tuple(shape) + (3,))
    tt = torch.from_numpy(table).requires_grad_()
    ti = torch.from_numpy(np.where(idx < 0, 5, idx)).reshape(shape)
    # Row 5 is an extra zero padding row (padding_idx gets no gradient), standing in for -1.
    padded = torch.cat([tt, torch.zeros(1, 3, dtype=torch.float64)])
    out = torch.nn.functional.embedding(ti, padded, padding_idx=5)
    (out * torch.from_numpy(weight)).sum().backward()
    case = add(f"gather {indices}", "gather", [table], out.detach().numpy(), indices=indices, shape=shape)
    case["weight"] = tensor(weight)
    case["tableGrad"] = tensor(tt.grad.numpy())

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ops_reference.json")
with open(path, "w") as f:
    json.dump({"cases": cases}, f, separators=(",", ":"))
print(f"wrote {len(cases)} cases to {path}")
