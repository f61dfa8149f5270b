#!/usr/bin/env python3
"""PyTorch CPU reference for `npm run bench:train -- --torch`.

Same model and step as the tfjs bench: GPT decoder (pre-LayerNorm, causal MHA with separate q/k/v,
tanh-GELU MLP, learned positions, tied head), byte vocabulary, random tokens, summed cross-entropy
divided by tokens, AdamW (decay on matrices), global-norm clip 1.0. Prints one JSON line:
{backend, workers (threads), tokens_per_s, gflops, ms_per_step, cpu_ms_per_step, peak_rss_mb, ...}.
Exits with status 2 and a message on stderr when torch is not installed (the bench then skips it).
"""
import argparse
import json
import math
import resource
import statistics
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:  # pragma: no cover - optional
    print("torch not installed (apt-get install python3-torch)", file=sys.stderr)
    sys.exit(2)


class Block(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.ln_1 = nn.LayerNorm(d)
        self.c_q = nn.Linear(d, d)
        self.c_k = nn.Linear(d, d)
        self.c_v = nn.Linear(d, d)
        self.c_proj = nn.Linear(d, d)
        self.ln_2 = nn.LayerNorm(d)
        self.fc = nn.Linear(d, 4 * d)
        self.proj = nn.Linear(4 * d, d)

    def forward(self, x, mask):
        B, T, C = x.shape
        a = self.ln_1(x)
        heads = lambda t: t.view(B, T, self.h, C // self.h).transpose(1, 2)
        q, k, v = heads(self.c_q(a)), heads(self.c_k(a)), heads(self.c_v(a))
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(C // self.h))
        att = att.masked_fill(mask[:T, :T] == 0, float("-inf")).softmax(-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        x = x + self.c_proj(y)
        return x + self.proj(F.gelu(self.fc(self.ln_2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self, v, d, l, h, t):
        super().__init__()
        self.wte = nn.Embedding(v, d)
        self.wpe = nn.Embedding(t, d)
        self.blocks = nn.ModuleList([Block(d, h) for _ in range(l)])
        self.ln_f = nn.LayerNorm(d)
        self.register_buffer("mask", torch.tril(torch.ones(t, t)))
        for name, p in self.named_parameters():  # GPT-2 init, as the tfjs model
            if p.dim() == 2:
                nn.init.normal_(p, 0.0, 0.02 / math.sqrt(2 * l) if name.endswith("proj.weight") else 0.02)

    def forward(self, idx):
        B, T = idx.shape
        x = self.wte(idx) + self.wpe(torch.arange(T))
        for b in self.blocks:
            x = b(x, self.mask)
        return self.ln_f(x) @ self.wte.weight.t()


def main():
    p = argparse.ArgumentParser()
    for k, v in dict(d=128, l=2, h=4, t=64, b=16, v=261, steps=6, warmup=2, threads=2).items():
        p.add_argument(f"--{k}", type=int, default=v)
    a = p.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(a.threads)
    model = GPT(a.v, a.d, a.l, a.h, a.t)
    decay = [q for n, q in model.named_parameters() if q.dim() == 2 and not n.startswith(("wte", "wpe"))]
    other = [q for n, q in model.named_parameters() if not (q.dim() == 2 and not n.startswith(("wte", "wpe")))]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": other, "weight_decay": 0.0}],
                            lr=1e-3, betas=(0.9, 0.95))
    wall, cpu = [], []
    for step in range(a.warmup + a.steps):
        x = torch.randint(0, a.v, (a.b, a.t))
        y = torch.randint(0, a.v, (a.b, a.t))
        t0, c0 = time.perf_counter(), time.process_time()
        logits = model(x)
        loss = F.cross_entropy(logits.view(-1, a.v), y.view(-1), reduction="sum") / y.numel()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step >= a.warmup:
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
    ms = statistics.median(wall) * 1000
    tps = a.b * a.t / (ms / 1000)
    nmm = 12 * a.l * a.d * a.d + a.v * a.d
    flops = 6 * nmm + 12 * a.l * a.t * a.d
    print(json.dumps({
        "backend": "torch",
        "workers": a.threads,
        "torch_version": torch.__version__,
        "tokens_per_s": round(tps),
        "gflops": round(tps * flops / 1e9, 1),
        "ms_per_step": round(ms, 1),
        "cpu_ms_per_step": round(statistics.median(cpu) * 1000, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "loss_last": round(float(loss), 4),
    }))


if __name__ == "__main__":
    main()
