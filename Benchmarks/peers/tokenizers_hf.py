#!/usr/bin/env python3
"""Hugging Face `tokenizers` on the same corpus and ticket as `sift-bench tokenizers`,
single-threaded (RAYON_NUM_THREADS=1, one encode call per line, as Sift is timed).

    pip install tokenizers
    python3 Benchmarks/peers/tokenizers_hf.py [--fixtures Tests/SiftTokenizersTests/Fixtures]
"""
import argparse
import os
import statistics
import time

os.environ.setdefault("RAYON_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
from tokenizers import Tokenizer  # noqa: E402

TICKET = ("Hi team, I was charged twice for my subscription this month (invoice #48213, 49.99 EUR) and the "
          "app keeps logging me out when I try to update my card. I've cleared the cache, reinstalled it and "
          "tried Wi-Fi and 4G. Could you refund the duplicate charge and tell me what's wrong? Thanks, Zoë. "
          "Order 7731-B is also late.")[:300]
NAMES = ["minilm", "bert-cased", "roberta", "llama3", "qwen2.5", "llama2", "mistral", "gemma",
         "xlm-roberta", "deberta-v3", "smollm2"]

ap = argparse.ArgumentParser()
ap.add_argument("--fixtures", default=os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "SiftTokenizersTests", "Fixtures"))
ap.add_argument("--passes", type=int, default=5)
args = ap.parse_args()

raw = open(os.path.join(args.fixtures, "corpus.txt"), "rb").read().split(b"\n")
if raw and raw[-1] == b"":
    raw.pop()
lines = [l.decode("utf-8") for l in raw]
nbytes = sum(len(l) for l in raw)
print(f"corpus: {len(lines)} lines, {nbytes} bytes; ticket: {len(TICKET)} characters; 1 thread (HF tokenizers)")
print(f"{'tokenizer':12}  {'MB/s':>8}  {'ticket µs':>10}  {'tokens':>7}")
for name in NAMES:
    t = Tokenizer.from_file(os.path.join(args.fixtures, "tokenizers", name, "tokenizer.json"))
    t.no_padding()
    t.no_truncation()
    best = float("inf")
    for _ in range(args.passes):
        start = time.perf_counter()
        for line in lines:
            t.encode(line)
        best = min(best, time.perf_counter() - start)
    samples = []
    for _ in range(2000):
        start = time.perf_counter()
        t.encode(TICKET)
        samples.append((time.perf_counter() - start) * 1e6)
    print(f"{name:12}  {nbytes / best / 1e6:8.2f}  {statistics.median(samples):10.1f}  {len(t.encode(TICKET).ids):7d}")
