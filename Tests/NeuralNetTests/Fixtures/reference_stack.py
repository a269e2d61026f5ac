#!/usr/bin/env python3
"""Reference for NeuralNetTests/ReferenceStackTests (the llm.c test_gpt2 idea, in PyTorch).

Regenerate (from this folder):   python3 reference_stack.py
Writes:
  reference_weights.safetensors   F32 weights under the Swift parameter names
  reference_expected.safetensors  F64: logits, loss, grad.<every parameter>, the AdamW run
  reference_inputs.json           config, token ids, padding mask, labels, schedule, buckets

The model is an independent T5-style implementation (float64, written from the T5 paper
and Hugging Face's modeling_t5 semantics, not from the Swift code):
  shared embedding; encoder: 2 pre-RMS-norm blocks (bidirectional relative-position bias
  shared by the layers, key-padding mask, gated-GELU feed-forward), final RMS norm;
  decoder: 2 blocks (causal self-attention with causal relative bias, cross-attention over
  the encoder output with the padding mask, ReLU feed-forward), final RMS norm; untied
  output projection; cross-entropy with ignore_index -100. Attention is unscaled (T5).
Then 5 steps of torch.optim.AdamW (weight decay on matrices only, gradient clipping at
norm 1, linear warm-up + cosine decay), recording the loss before every step and after
the last one.
"""
import json
import math

import torch
from safetensors.torch import save_file

torch.set_default_dtype(torch.float64)
torch.manual_seed(1234)

CFG = dict(vocab=48, d_model=32, heads=4, head_dim=8, ffn=64, encoder_layers=2, decoder_layers=2,
           num_buckets=8, max_distance=16, eps=1e-6)
V, D, H, DH, F = CFG["vocab"], CFG["d_model"], CFG["heads"], CFG["head_dim"], CFG["ffn"]
NB, MD, EPS = CFG["num_buckets"], CFG["max_distance"], CFG["eps"]
B, LE, LD = 2, 10, 6
OPT = dict(peak_lr=1e-2, warmup_steps=2, total_steps=5, min_lr=1e-3, beta1=0.9, beta2=0.999,
           eps=1e-8, weight_decay=0.1, max_grad_norm=1.0, steps=5)


# ---------------------------------------------------------------- parameters (Swift names)
def randn32(*shape, std=1.0):
    """Drawn in float32 so the F32 file holds exactly the values used here."""
    return (torch.randn(*shape, dtype=torch.float32) * std).to(torch.float32)


params = {}


def add(name, t):
    params[name] = t


def add_attention(prefix):
    add(prefix + ".query.weight", randn32(H * DH, D, std=D ** -0.5))
    add(prefix + ".key.weight", randn32(H * DH, D, std=D ** -0.5))
    add(prefix + ".value.weight", randn32(H * DH, D, std=D ** -0.5))
    add(prefix + ".output.weight", randn32(D, H * DH, std=(H * DH) ** -0.5))


def add_norm(name):
    add(name, 1 + randn32(D, std=0.1))


add("embedding.weight", randn32(V, D))
add("encoder.relativePositionBias.weight", randn32(NB, H, std=0.5))
for i in range(CFG["encoder_layers"]):
    p = f"encoder.layers.{i}"
    add_norm(p + ".selfAttentionNorm.weight")
    add_attention(p + ".selfAttention")
    add_norm(p + ".feedForwardNorm.weight")
    add(p + ".feedForward.gate.weight", randn32(F, D, std=D ** -0.5))
    add(p + ".feedForward.up.weight", randn32(F, D, std=D ** -0.5))
    add(p + ".feedForward.down.weight", randn32(D, F, std=F ** -0.5))
add_norm("encoder.finalNorm.weight")
add("decoder.relativePositionBias.weight", randn32(NB, H, std=0.5))
for i in range(CFG["decoder_layers"]):
    p = f"decoder.layers.{i}"
    add_norm(p + ".selfAttentionNorm.weight")
    add_attention(p + ".selfAttention")
    add_norm(p + ".crossAttentionNorm.weight")
    add_attention(p + ".crossAttention")
    add_norm(p + ".feedForwardNorm.weight")
    add(p + ".feedForward.up.weight", randn32(F, D, std=D ** -0.5))
    add(p + ".feedForward.down.weight", randn32(D, F, std=F ** -0.5))
add_norm("decoder.finalNorm.weight")
add("outputProjection.weight", randn32(V, D, std=D ** -0.5))

# ---------------------------------------------------------------- inputs
enc_ids = torch.randint(2, V, (B, LE))
enc_valid = torch.ones(B, LE, dtype=torch.bool)
enc_valid[1, 7:] = False                       # second example: 7 real tokens, 3 padding
enc_ids[~enc_valid] = 0
dec_ids = torch.randint(2, V, (B, LD))
labels = torch.randint(2, V, (B, LD))
labels[0, 2] = -100
labels[1, 4:] = -100


# ---------------------------------------------------------------- T5 relative position buckets
def relative_position_bucket(rel, bidirectional, num_buckets, max_distance):
    """rel = key position − query position (Hugging Face T5 `_relative_position_bucket`)."""
    buckets = torch.zeros_like(rel)
    if bidirectional:
        num_buckets //= 2
        buckets += (rel > 0).long() * num_buckets
        n = rel.abs()
    else:
        n = -torch.min(rel, torch.zeros_like(rel))
    max_exact = num_buckets // 2
    is_small = n < max_exact
    large = max_exact + (torch.log(n.float() / max_exact) / math.log(max_distance / max_exact)
                         * (num_buckets - max_exact)).long()
    large = torch.min(large, torch.full_like(large, num_buckets - 1))
    return buckets + torch.where(is_small, n, large)


def position_bias(table, lq, lk, bidirectional):
    rel = torch.arange(lk)[None, :] - torch.arange(lq)[:, None]          # [Lq, Lk]
    idx = relative_position_bucket(rel, bidirectional, NB, MD)
    return table[idx].permute(2, 0, 1)                                     # [H, Lq, Lk]


# ---------------------------------------------------------------- model
def rms_norm(x, w):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + EPS) * w


def attention(P, prefix, x, ctx, key_bias=None, causal=False, bias=None):
    q = x @ P[prefix + ".query.weight"].T
    k = ctx @ P[prefix + ".key.weight"].T
    v = ctx @ P[prefix + ".value.weight"].T
    b, lq, lk = x.shape[0], x.shape[1], ctx.shape[1]
    q = q.view(b, lq, H, DH).transpose(1, 2)
    k = k.view(b, lk, H, DH).transpose(1, 2)
    v = v.view(b, lk, H, DH).transpose(1, 2)
    s = q @ k.transpose(-1, -2)                                            # T5: no 1/sqrt(Dh)
    if bias is not None:
        s = s + bias[None]
    if key_bias is not None:
        s = s + key_bias[:, None, None, :]
    if causal:
        allowed = torch.arange(lk)[None, :] <= torch.arange(lq)[:, None] + (lk - lq)
        s = s.masked_fill(~allowed, float("-inf"))
    a = torch.softmax(s, dim=-1)
    o = (a @ v).transpose(1, 2).reshape(b, lq, H * DH)
    return o @ P[prefix + ".output.weight"].T


def forward(P):
    emb = P["embedding.weight"]
    key_bias = torch.where(enc_valid, 0.0, -1e9)                           # [B, Le]
    x = emb[enc_ids]
    enc_bias = position_bias(P["encoder.relativePositionBias.weight"], LE, LE, True)
    for i in range(CFG["encoder_layers"]):
        p = f"encoder.layers.{i}"
        h = rms_norm(x, P[p + ".selfAttentionNorm.weight"])
        x = x + attention(P, p + ".selfAttention", h, h, key_bias=key_bias, bias=enc_bias)
        h = rms_norm(x, P[p + ".feedForwardNorm.weight"])
        g = torch.nn.functional.gelu(h @ P[p + ".feedForward.gate.weight"].T, approximate="tanh")
        x = x + (g * (h @ P[p + ".feedForward.up.weight"].T)) @ P[p + ".feedForward.down.weight"].T
    memory = rms_norm(x, P["encoder.finalNorm.weight"])

    y = emb[dec_ids]
    dec_bias = position_bias(P["decoder.relativePositionBias.weight"], LD, LD, False)
    for i in range(CFG["decoder_layers"]):
        p = f"decoder.layers.{i}"
        h = rms_norm(y, P[p + ".selfAttentionNorm.weight"])
        y = y + attention(P, p + ".selfAttention", h, h, causal=True, bias=dec_bias)
        h = rms_norm(y, P[p + ".crossAttentionNorm.weight"])
        y = y + attention(P, p + ".crossAttention", h, memory, key_bias=key_bias)
        h = rms_norm(y, P[p + ".feedForwardNorm.weight"])
        y = y + torch.relu(h @ P[p + ".feedForward.up.weight"].T) @ P[p + ".feedForward.down.weight"].T
    y = rms_norm(y, P["decoder.finalNorm.weight"])
    logits = y @ P["outputProjection.weight"].T                           # [B, Ld, V]
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, V), labels.reshape(-1), ignore_index=-100)
    return logits, loss


def schedule(step):
    o = OPT
    if step < o["warmup_steps"]:
        return o["peak_lr"] * (step + 1) / o["warmup_steps"]
    q = min(1.0, max(0.0, (step - o["warmup_steps"]) / (o["total_steps"] - o["warmup_steps"])))
    return o["min_lr"] + (o["peak_lr"] - o["min_lr"]) * 0.5 * (1 + math.cos(math.pi * q))


# ---------------------------------------------------------------- forward + backward
P = {k: v.double().requires_grad_(True) for k, v in params.items()}
logits, loss = forward(P)
loss.backward()
expected = {"logits": logits.detach(), "loss": loss.detach().reshape(())}
for k, v in P.items():
    expected["grad." + k] = v.grad.detach().clone()

# ---------------------------------------------------------------- 5 AdamW steps
for v in P.values():
    v.grad = None
decay = [v for v in P.values() if v.dim() >= 2]
no_decay = [v for v in P.values() if v.dim() < 2]
opt = torch.optim.AdamW([{"params": decay, "weight_decay": OPT["weight_decay"]},
                         {"params": no_decay, "weight_decay": 0.0}],
                        lr=OPT["peak_lr"], betas=(OPT["beta1"], OPT["beta2"]), eps=OPT["eps"])
losses, norms, lrs = [], [], []
for step in range(OPT["steps"]):
    opt.zero_grad()
    _, l = forward(P)
    losses.append(l.item())
    l.backward()
    norms.append(torch.nn.utils.clip_grad_norm_(list(P.values()), OPT["max_grad_norm"]).item())
    lr = schedule(step)
    lrs.append(lr)
    for g in opt.param_groups:
        g["lr"] = lr
    opt.step()
with torch.no_grad():
    losses.append(forward(P)[1].item())
expected["adamw.losses"] = torch.tensor(losses)
expected["adamw.gradNorms"] = torch.tensor(norms)
expected["adamw.learningRates"] = torch.tensor(lrs)
expected["adamw.final.outputProjection.weight"] = P["outputProjection.weight"].detach().clone()
expected["adamw.final.decoder.finalNorm.weight"] = P["decoder.finalNorm.weight"].detach().clone()

# ---------------------------------------------------------------- buckets for the standard T5 setting
rel = torch.arange(-300, 301)
buckets = {
    "relative_positions": [-300, 300],
    "bidirectional_32_128": relative_position_bucket(rel, True, 32, 128).tolist(),
    "causal_32_128": relative_position_bucket(rel, False, 32, 128).tolist(),
}

save_file({k: v.contiguous() for k, v in params.items()}, "reference_weights.safetensors",
          metadata={"generator": "reference_stack.py"})
save_file({k: v.contiguous().to(torch.float64) for k, v in expected.items()}, "reference_expected.safetensors",
          metadata={"generator": "reference_stack.py"})
with open("reference_inputs.json", "w") as f:
    json.dump({"config": CFG, "optimizer": OPT, "batch": B, "encoder_length": LE, "decoder_length": LD,
               "encoder_ids": enc_ids.tolist(), "encoder_valid": enc_valid.int().tolist(),
               "decoder_ids": dec_ids.tolist(), "labels": labels.tolist(),
               "parameter_order": list(params.keys()), "buckets": buckets}, f, indent=1)
print("loss", loss.item(), "losses", losses, "norms", norms, "lrs", lrs)
