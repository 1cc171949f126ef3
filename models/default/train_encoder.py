#!/usr/bin/env python3
"""Fine-tunes all-MiniLM-L6-v2 into Sift's default intent classifier.

    python3 models/default/train_encoder.py        # ~3 min, one thread

Reads models/assets/minilm/ (the BertModel folder from models/fetch_assets.sh) and
models/default/data/train.jsonl (from make_data.py). The encoder and its pooler come from
the checkpoint; only the classifier (Linear 384 → 7) starts fresh, from the seed.
Writes:

  models/assets/default-hf/            BertForSequenceClassification, safetensors (fp32),
                                       config.json with id2label/label2id, tokenizer.json
                                       with padding and truncation off (the source pads
                                       every input to 128), tokenizer_config.json, vocab.txt
  models/default/results/transformers.json
                                       held-out accuracy of that folder, reloaded, on
                                       data/test.jsonl, one unpadded text at a time (as
                                       Sift runs it)
  models/default/results/transformers-predictions.jsonl
                                       per test line: label, predicted, logits (to compare
                                       Sift's output with, line by line)

Plain torch loop: AdamW, linear warm-up then decay, batch 16, dynamic padding with an
attention mask. Seeded and single-threaded: a rerun with the same versions on the same kind
of CPU writes the same bytes.
"""
from __future__ import annotations

import json
import math
import random
import shutil
import sys
import time
from pathlib import Path

import torch
import transformers as T
from tokenizers import Tokenizer

# Run as a script, from any directory: the recipe modules are found by path, intents.py beside
# this file and common.py (what both training recipes share) in models/.
MODELS = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(MODELS / "default"), str(MODELS)]
from common import load_tokenizer, shuffled_chunks  # noqa: E402
from intents import ASSETS, HERE, ID2LABEL, LABEL2ID, LABELS, TEST, TRAIN, read_jsonl, report, versions, write_json  # noqa: E402

SOURCE = ASSETS / "minilm"
TOKENIZER = SOURCE / "tokenizer.json"  # pads to 128: padding is ours to do, with a mask
OUT = ASSETS / "default-hf"
SEED = 17
EPOCHS = 8
BATCH = 16
LR = 1e-4
WARMUP = 0.1          # fraction of the steps
WEIGHT_DECAY = 0.01
MAX_TOKENS = 128      # the longest utterance is 33 tokens with [CLS] and [SEP]: nothing is truncated
# One thread: the float sums, so the trained bytes, do not depend on the core count (2 and
# 1 thread give weights that differ in the last bits), and on a shared machine 2 threads
# that must wait for each other were ~8x slower than 1.
THREADS = 1


def seed_everything(seed: int) -> None:
    random.seed(seed)
    torch.manual_seed(seed)


def batches(rows: list[dict], tok: Tokenizer, rng: random.Random):
    for chunk in shuffled_chunks(rows, BATCH, rng):
        encs = [tok.encode(r["text"]) for r in chunk]
        width = max(len(e.ids) for e in encs)
        assert width <= MAX_TOKENS
        ids = torch.zeros(len(encs), width, dtype=torch.long)            # [B, T], pad id 0
        mask = torch.zeros(len(encs), width, dtype=torch.long)
        types = torch.zeros(len(encs), width, dtype=torch.long)
        for b, e in enumerate(encs):
            ids[b, :len(e.ids)] = torch.tensor(e.ids)
            mask[b, :len(e.ids)] = 1
            types[b, :len(e.ids)] = torch.tensor(e.type_ids)
        labels = torch.tensor([LABEL2ID[r["label"]] for r in chunk])
        yield ids, mask, types, labels


def train() -> None:
    torch.set_num_threads(THREADS)
    seed_everything(SEED)
    rows = read_jsonl(TRAIN)
    tok = load_tokenizer(TOKENIZER)
    model, info = T.BertForSequenceClassification.from_pretrained(
        SOURCE, num_labels=len(LABELS), id2label=ID2LABEL, label2id=LABEL2ID,
        problem_type="single_label_classification", dtype=torch.float32,
        attn_implementation="eager", output_loading_info=True)
    # Only the new head may be missing: the pooler must come from the checkpoint.
    missing = sorted(info["missing_keys"])
    if missing != ["classifier.bias", "classifier.weight"]:
        sys.exit(f"unexpected missing weights {missing}")
    model.train()

    steps = EPOCHS * math.ceil(len(rows) / BATCH)
    warmup = int(WARMUP * steps)
    decay = [p for n, p in model.named_parameters() if not (n.endswith("bias") or "LayerNorm" in n)]
    no_decay = [p for n, p in model.named_parameters() if n.endswith("bias") or "LayerNorm" in n]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": WEIGHT_DECAY},
                             {"params": no_decay, "weight_decay": 0.0}], lr=LR)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warmup if s < warmup else max(0.0, (steps - s) / (steps - warmup)))
    rng = random.Random(SEED)
    start, step = time.time(), 0
    for epoch in range(EPOCHS):
        total, count = 0.0, 0
        for ids, mask, types, labels in batches(rows, tok, rng):
            out = model(input_ids=ids, attention_mask=mask, token_type_ids=types, labels=labels)
            out.loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            total += out.loss.item() * len(labels)
            count += len(labels)
            step += 1
        print(f"  epoch {epoch + 1}/{EPOCHS}: loss {total / count:.4f}  ({time.time() - start:.0f} s)", file=sys.stderr)
    train_seconds = time.time() - start

    save(model)
    evaluate(train_seconds)


def save(model: T.BertForSequenceClassification) -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    model.save_pretrained(OUT, safe_serialization=True)
    load_tokenizer(TOKENIZER).save(str(OUT / "tokenizer.json"))  # padding and truncation: null
    for name in ("tokenizer_config.json", "vocab.txt", "special_tokens_map.json"):
        shutil.copy(SOURCE / name, OUT / name)
    saved = json.loads((OUT / "tokenizer.json").read_text(encoding="utf-8"))
    assert saved["padding"] is None and saved["truncation"] is None


@torch.no_grad()
def evaluate(train_seconds: float) -> None:
    rows = read_jsonl(TEST)
    tok = Tokenizer.from_file(str(OUT / "tokenizer.json"))  # as saved: no padding
    model = T.BertForSequenceClassification.from_pretrained(OUT, attn_implementation="eager").eval()
    assert [model.config.id2label[i] for i in range(len(LABELS))] == LABELS
    predicted, lines = [], []
    start = time.time()
    for r in rows:
        e = tok.encode(r["text"])
        logits = model(input_ids=torch.tensor([e.ids]), token_type_ids=torch.tensor([e.type_ids])).logits[0]
        p = LABELS[int(logits.argmax())]
        predicted.append(p)
        lines.append({"text": r["text"], "label": r["label"], "predicted": p, "tokens": len(e.ids),
                      "logits": [float(x) for x in logits]})
    eval_seconds = time.time() - start
    result = report(rows, predicted,
                    model="models/assets/default-hf (BertForSequenceClassification, fp32, transformers)",
                    data="models/default/data/test.jsonl", labels=LABELS,
                    train={"examples": len(read_jsonl(TRAIN)), "epochs": EPOCHS, "batch": BATCH, "lr": LR,
                           "seed": SEED, "threads": torch.get_num_threads(), "seconds": round(train_seconds, 1)},
                    eval_seconds=round(eval_seconds, 2),
                    versions=versions("torch", "transformers", "tokenizers", "safetensors"))
    write_json(HERE / "results" / "transformers.json", result)
    with (HERE / "results" / "transformers-predictions.jsonl").open("w", encoding="utf-8") as f:
        for line in lines:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(f"train_encoder: test accuracy {result['accuracy']} ({result['correct']}/{result['n']}), "
          f"trained in {train_seconds:.0f} s -> {OUT}", file=sys.stderr)


if __name__ == "__main__":
    train()
