#!/usr/bin/env python3
"""PyTorch version of `mpvqa bench`'s reference step, for a back-to-back speed comparison.

Same model and shapes as Sources/Experiments/Bench/ReferenceStep.swift: a T5-style
pre-norm page encoder (4 layers, d 256, 4 heads, ReLU FFN 1024, no biases, RMS norm, shared
relative position bias) over 8 pages × 160 tokens at once; the first K = 8 outputs of every
page plus a page embedding form the decoder memory [1, 64, 256]; a 2-layer T5 decoder (causal
self-attention with relative bias, cross-attention, FFN) over 16 answer tokens; vocabulary
head 4096; cross-entropy; AdamW on every parameter.

Timing matches `mpvqa bench`: rounds of (one forward pass under no_grad, one training step
forward + backward + AdamW), `--warmup` untimed rounds, the median of `--repeats` timed rounds.

Run (CPU; 2 threads like the bench's default on this machine):
    python3 experiments/reference/pytorch_reference_step.py --threads 2
    python3 experiments/reference/pytorch_reference_step.py --threads 2 --json
"""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def relative_position_bucket(relative_position, bidirectional, num_buckets=32, max_distance=128):
    """T5's bucket of (key position − query position)."""
    ret = torch.zeros_like(relative_position)
    n = -relative_position
    if bidirectional:
        num_buckets //= 2
        ret += (n < 0).long() * num_buckets
        n = n.abs()
    else:
        n = torch.clamp(n, min=0)
    max_exact = num_buckets // 2
    is_small = n < max_exact
    large = max_exact + (torch.log(n.float().clamp(min=1) / max_exact)
                         / math.log(max_distance / max_exact) * (num_buckets - max_exact)).long()
    large = torch.clamp(large, max=num_buckets - 1)
    return ret + torch.where(is_small, n, large)


class RelativeBias(nn.Module):
    def __init__(self, heads, bidirectional, d_model):
        super().__init__()
        self.bidirectional = bidirectional
        self.weight = nn.Parameter(torch.randn(32, heads) * d_model ** -0.5)

    def forward(self, lq, lk):  # -> [H, Lq, Lk]
        rel = torch.arange(lk)[None, :] - torch.arange(lq)[:, None]
        return self.weight[relative_position_bucket(rel, self.bidirectional)].permute(2, 0, 1)


class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class Attention(nn.Module):
    """T5 attention: q, k, v, o without bias, scale 1, additive bias (position + mask)."""

    def __init__(self, d, heads):
        super().__init__()
        self.h, self.dh = heads, d // heads
        self.q, self.k, self.v, self.o = (nn.Linear(d, d, bias=False) for _ in range(4))
        nn.init.normal_(self.q.weight, std=(d * self.dh) ** -0.5)
        for lin in (self.k, self.v, self.o):
            nn.init.normal_(lin.weight, std=d ** -0.5)

    def forward(self, x, context=None, bias=None):
        context = x if context is None else context
        b, lq, _ = x.shape
        lk = context.shape[1]
        q = self.q(x).view(b, lq, self.h, self.dh).transpose(1, 2)
        k = self.k(context).view(b, lk, self.h, self.dh).transpose(1, 2)
        v = self.v(context).view(b, lk, self.h, self.dh).transpose(1, 2)
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=bias, scale=1.0)
        return self.o(y.transpose(1, 2).reshape(b, lq, self.h * self.dh))


class FeedForward(nn.Module):
    def __init__(self, d, f):
        super().__init__()
        self.up, self.down = nn.Linear(d, f, bias=False), nn.Linear(f, d, bias=False)

    def forward(self, x):
        return self.down(F.relu(self.up(x)))


class EncoderBlock(nn.Module):
    def __init__(self, d, heads, f):
        super().__init__()
        self.n1, self.att, self.n2, self.ffn = RMSNorm(d), Attention(d, heads), RMSNorm(d), FeedForward(d, f)

    def forward(self, x, bias):
        x = x + self.att(self.n1(x), bias=bias)
        return x + self.ffn(self.n2(x))


class DecoderBlock(nn.Module):
    def __init__(self, d, heads, f):
        super().__init__()
        self.n1, self.self_att = RMSNorm(d), Attention(d, heads)
        self.n2, self.cross_att = RMSNorm(d), Attention(d, heads)
        self.n3, self.ffn = RMSNorm(d), FeedForward(d, f)

    def forward(self, y, memory, bias):
        y = y + self.self_att(self.n1(y), bias=bias)
        y = y + self.cross_att(self.n2(y), context=memory)
        return y + self.ffn(self.n3(y))


class ReferenceModel(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.a = a
        d = a.d_model
        self.tokens = nn.Embedding(a.vocab, d)
        self.pages = nn.Embedding(a.pages, d)
        nn.init.normal_(self.pages.weight, std=0.02)
        self.enc_bias = RelativeBias(a.heads, True, d)
        self.encoder = nn.ModuleList(EncoderBlock(d, a.heads, a.ffn) for _ in range(a.encoder_layers))
        self.enc_norm = RMSNorm(d)
        self.dec_bias = RelativeBias(a.heads, False, d)
        self.decoder = nn.ModuleList(DecoderBlock(d, a.heads, a.ffn) for _ in range(a.decoder_layers))
        self.dec_norm = RMSNorm(d)
        self.head = nn.Linear(d, a.vocab, bias=False)

    def forward(self, page_tokens, answer_inputs):
        a = self.a
        x = self.tokens(page_tokens)                                   # [P, L, D]
        bias = self.enc_bias(a.tokens_per_page, a.tokens_per_page)[None]  # [1, H, L, L]
        for block in self.encoder:
            x = block(x, bias)
        x = self.enc_norm(x)
        summaries = x[:, :a.summary_tokens]                           # [P, K, D]
        memory = (summaries + self.pages.weight[:, None, :]).reshape(1, -1, a.d_model)
        y = self.tokens(answer_inputs)                                 # [1, T, D]
        t = a.answer_tokens
        causal = torch.full((t, t), float("-inf")).triu(1)
        dbias = (self.dec_bias(t, t) + causal)[None]
        for block in self.decoder:
            y = block(y, memory, dbias)
        return self.head(self.dec_norm(y)).reshape(t, a.vocab)        # [T, V]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--repeats", type=int, default=10)
    p.add_argument("--json", action="store_true")
    for name, value in [("encoder_layers", 4), ("d_model", 256), ("heads", 4), ("ffn", 1024),
                        ("tokens_per_page", 160), ("summary_tokens", 8), ("pages", 8),
                        ("decoder_layers", 2), ("answer_tokens", 16), ("vocab", 4096)]:
        p.add_argument("--" + name.replace("_", "-"), dest=name, type=int, default=value)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)

    model = ReferenceModel(a)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)
    k = a.summary_tokens
    page_tokens = torch.randint(k + 1, a.vocab, (a.pages, a.tokens_per_page))
    page_tokens[:, :k] = torch.arange(1, k + 1)
    answer = torch.randint(k + 1, a.vocab, (a.answer_tokens,))
    answer_inputs = torch.cat([torch.zeros(1, dtype=torch.long), answer[:-1]])[None]

    def forward():
        with torch.no_grad():
            model(page_tokens, answer_inputs)

    def train_step():
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(page_tokens, answer_inputs), answer)
        loss.backward()
        optimizer.step()

    fwd, train = [], []
    for r in range(a.warmup + a.repeats):
        t0 = time.perf_counter(); forward(); t1 = time.perf_counter(); train_step(); t2 = time.perf_counter()
        if r >= a.warmup:
            fwd.append((t1 - t0) * 1e3)
            train.append((t2 - t1) * 1e3)

    # Matrix-product FLOPs counted as in ReferenceShape.forwardProducts (train = 3 × forward).
    d, f, h, l, P, t, K = a.d_model, a.ffn, a.heads, a.tokens_per_page, a.pages, a.answer_tokens, a.summary_tokens
    n, m = P * l, P * K
    enc = 8 * n * d * d + 4 * P * l * l * d + 4 * n * d * f
    dec = 8 * t * d * d + 4 * t * t * d + 4 * t * d * d + 4 * m * d * d + 4 * t * m * d + 4 * t * d * f
    forward_flops = a.encoder_layers * enc + a.decoder_layers * dec + 2 * t * d * a.vocab
    result = {
        "torch": torch.__version__, "threads": a.threads,
        "forward_ms": statistics.median(fwd), "train_step_ms": statistics.median(train),
        "pages_per_s": a.pages / statistics.median(train) * 1e3,
        "train_gflops": 3 * forward_flops / statistics.median(train) * 1e-6,
        "forward_samples_ms": fwd, "train_samples_ms": train,
    }
    if a.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"PyTorch {torch.__version__}, {a.threads} threads")
        print(f"forward per question          {result['forward_ms']:.1f} ms (median of {len(fwd)})")
        print(f"train step (fwd+bwd+AdamW)    {result['train_step_ms']:.1f} ms (median of {len(train)})")
        print(f"pages/s (training)            {result['pages_per_s']:.1f}")
        print(f"achieved (train step)         {result['train_gflops']:.1f} GFLOP/s")


if __name__ == "__main__":
    main()
