#!/usr/bin/env python3
"""Fine-tunes SmolLM2-135M-Instruct as an intent classifier with a LoRA adapter.

    python3 models/decoder/train_lora.py       # ~6 min, one thread

The decoder path of Sift: a Llama-family model with a `score` head read at the last
non-pad token (LlamaForSequenceClassification), adapted with PEFT LoRA, then merged and
quantized by `sift convert --lora`. Reads models/assets/smollm2/*.gguf (from
models/fetch_assets.sh) and models/default/data/{train,test}.jsonl (the same split as the
default encoder, from models/default/make_data.py). Writes:

  models/assets/smollm2-hf/            the base: LlamaForSequenceClassification in fp32
                                       safetensors (the GGUF's Q4_1/Q8_0 weights dequantized
                                       by transformers' GGUF loader, plus the untrained score
                                       head [7, 576] drawn from the seed), config.json with
                                       id2label and pad_token_id, and the tokenizer
                                       transformers builds from the GGUF (tokenizer.json,
                                       tokenizer_config.json, chat template)
  models/assets/smollm2-intents-lora/  the PEFT adapter: LoRA r=8, alpha=16 on
                                       q/k/v/o_proj of all 30 layers, and the trained score
                                       head (modules_to_save)
  models/decoder/results/transformers.json
                                       held-out accuracy of base + adapter (PEFT, unmerged)
                                       on test.jsonl, one unpadded text at a time
  models/decoder/results/transformers-predictions.jsonl
                                       per test line: label, predicted, logits

Why the base is a sequence classifier and not the causal LM: `sift convert --lora` merges
an adapter into the tensors of the folder it is given, and the adapter's `score` replaces
the base's `score.weight`, so the folder must already have that head (and say
LlamaForSequenceClassification, with the labels, in config.json).

Padding: pad_token_id is 2, <|im_end|>, which is what the GGUF names as its padding token
(tokenizer.ggml.padding_token_id; also its EOS). transformers' head pools the last token
that is not the pad token; the inputs are plain text encoded without special tokens (the
GGUF says add_bos_token false), so they never contain <|im_end|> and the pooled token is
always the last one. Batches are right-padded with it and masked.

Seeded and single-threaded: a rerun with the same versions on the same kind of CPU writes
the same base and adapter bytes.
"""
from __future__ import annotations

import copy
import json
import math
import random
import shutil
import sys
import time
from pathlib import Path

import torch
import transformers as T
from peft import LoraConfig, PeftModel, TaskType, get_peft_model
from tokenizers import Tokenizer

import gguf  # noqa: F401  (transformers' GGUF loader needs it)

# Run as a script, from any directory: the recipe modules are found by path, intents.py in
# models/default/ and common.py (what both training recipes share) in models/.
MODELS = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(MODELS / "default"), str(MODELS)]
from common import load_tokenizer, shuffled_chunks  # noqa: E402
from intents import ASSETS, ID2LABEL, LABEL2ID, LABELS, TEST, TRAIN, read_jsonl, report, versions, write_json  # noqa: E402

HERE = Path(__file__).resolve().parent
GGUF_DIR = ASSETS / "smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
BASE = ASSETS / "smollm2-hf"
ADAPTER = ASSETS / "smollm2-intents-lora"

SEED = 17
PAD_ID = 2            # <|im_end|>: the GGUF's padding token (and EOS)
EPOCHS = 3
BATCH = 8
LR = 1e-3             # for the LoRA matrices and the fresh score head alike
WARMUP = 0.1
MAX_TOKENS = 64       # the longest utterance is 37 tokens: nothing is truncated
# One thread: the float sums, so the trained bytes, do not depend on the core count (2 and
# 1 thread give weights that differ in the last bits), and on a shared machine 2 threads
# that must wait for each other were ~8x slower than 1.
THREADS = 1
LORA = dict(r=8, lora_alpha=16, lora_dropout=0.05,
            target_modules=["q_proj", "k_proj", "v_proj", "o_proj"], modules_to_save=["score"])


def make_base() -> None:
    """The GGUF, dequantized, as an fp32 LlamaForSequenceClassification folder."""
    tok = T.AutoTokenizer.from_pretrained(GGUF_DIR, gguf_file=GGUF_FILE)
    assert tok.convert_ids_to_tokens(PAD_ID) == "<|im_end|>", tok.convert_ids_to_tokens(PAD_ID)
    torch.manual_seed(SEED)  # the score head is the only weight not in the GGUF
    kwargs = dict(num_labels=len(LABELS), id2label=ID2LABEL, label2id=LABEL2ID,
                  problem_type="single_label_classification", pad_token_id=PAD_ID,
                  dtype=torch.float32)
    # transformers 5 builds the sequence classifier straight from the GGUF: the decoder's
    # tensors dequantized, the score head new (seeded above), no lm_head (it is tied).
    loaded = T.AutoModelForSequenceClassification.from_pretrained(GGUF_DIR, gguf_file=GGUF_FILE, **kwargs)
    assert type(loaded).__name__ == "LlamaForSequenceClassification", type(loaded).__name__
    # transformers marks a GGUF-loaded model as quantized and will not save it, though its
    # weights are already dequantized fp32: copy them into a plain model of the same config.
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    config.update(dict(num_labels=len(LABELS), id2label=ID2LABEL, label2id=LABEL2ID,
                       problem_type="single_label_classification", pad_token_id=PAD_ID))
    model = T.LlamaForSequenceClassification(config).to(torch.float32)
    model.load_state_dict(loaded.state_dict(), strict=True)
    del loaded
    if BASE.exists():
        shutil.rmtree(BASE)
    model.save_pretrained(BASE, safe_serialization=True)
    tok.save_pretrained(BASE)
    # Sift and this script tokenize with tokenizer.json; it must say what AutoTokenizer does.
    fast = Tokenizer.from_file(str(BASE / "tokenizer.json"))
    for text in ("Play the new Taylor Swift album", "Book a table for 2 at Café Ñandú tonight"):
        assert fast.encode(text).ids == tok(text)["input_ids"], text
    print(f"  base: LlamaForSequenceClassification from the GGUF -> {BASE}", file=sys.stderr)


def batches(rows: list[dict], tok: Tokenizer, rng: random.Random):
    for chunk in shuffled_chunks(rows, BATCH, rng):
        encs = [tok.encode(r["text"]).ids for r in chunk]
        assert max(map(len, encs)) <= MAX_TOKENS
        width = max(map(len, encs))
        ids = torch.full((len(encs), width), PAD_ID, dtype=torch.long)   # [B, T], right-padded
        mask = torch.zeros(len(encs), width, dtype=torch.long)
        for b, e in enumerate(encs):
            ids[b, :len(e)] = torch.tensor(e)
            mask[b, :len(e)] = 1
        yield ids, mask, torch.tensor([LABEL2ID[r["label"]] for r in chunk])


def train() -> float:
    rows = read_jsonl(TRAIN)
    tok = load_tokenizer(BASE / "tokenizer.json")
    torch.manual_seed(SEED)
    base = T.LlamaForSequenceClassification.from_pretrained(BASE, dtype=torch.float32)
    assert base.config.pad_token_id == PAD_ID
    # PEFT appends to the lists it is given (SEQ_CLS adds "classifier", "score"): pass copies.
    model = get_peft_model(base, LoraConfig(task_type=TaskType.SEQ_CLS, **copy.deepcopy(LORA)))
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    print(f"  LoRA: {trainable} trainable parameters", file=sys.stderr)
    model.train()

    steps = EPOCHS * math.ceil(len(rows) / BATCH)
    warmup = int(WARMUP * steps)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=LR, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warmup if s < warmup else max(0.0, (steps - s) / (steps - warmup)))
    rng = random.Random(SEED)
    start = time.time()
    for epoch in range(EPOCHS):
        total, count = 0.0, 0
        for ids, mask, labels in batches(rows, tok, rng):
            out = model(input_ids=ids, attention_mask=mask, labels=labels)
            out.loss.backward()
            torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            total += out.loss.item() * len(labels)
            count += len(labels)
        print(f"  epoch {epoch + 1}/{EPOCHS}: loss {total / count:.4f}  ({time.time() - start:.0f} s)", file=sys.stderr)
    seconds = time.time() - start
    if ADAPTER.exists():
        shutil.rmtree(ADAPTER)
    model.save_pretrained(ADAPTER, safe_serialization=True)
    return seconds


@torch.no_grad()
def evaluate(train_seconds: float) -> None:
    rows = read_jsonl(TEST)
    tok = load_tokenizer(BASE / "tokenizer.json")
    base = T.LlamaForSequenceClassification.from_pretrained(BASE, dtype=torch.float32)
    model = PeftModel.from_pretrained(base, ADAPTER).eval()  # reloaded: what was saved is what is scored
    predicted, lines = [], []
    start = time.time()
    for r in rows:
        ids = tok.encode(r["text"]).ids
        logits = model(input_ids=torch.tensor([ids])).logits[0]
        p = LABELS[int(logits.argmax())]
        predicted.append(p)
        lines.append({"text": r["text"], "label": r["label"], "predicted": p, "tokens": len(ids),
                      "logits": [float(x) for x in logits]})
    eval_seconds = time.time() - start
    result = report(rows, predicted,
                    model="models/assets/smollm2-hf + models/assets/smollm2-intents-lora "
                          "(LlamaForSequenceClassification + PEFT LoRA, fp32, transformers, unmerged)",
                    data="models/default/data/test.jsonl", labels=LABELS, pad_token_id=PAD_ID,
                    train={"examples": len(read_jsonl(TRAIN)), "epochs": EPOCHS, "batch": BATCH, "lr": LR,
                           "lora": LORA, "seed": SEED, "threads": torch.get_num_threads(),
                           "seconds": round(train_seconds, 1)},
                    eval_seconds=round(eval_seconds, 2),
                    versions=versions("torch", "transformers", "peft", "tokenizers", "gguf", "safetensors"))
    write_json(HERE / "results" / "transformers.json", result)
    with (HERE / "results" / "transformers-predictions.jsonl").open("w", encoding="utf-8") as f:
        for line in lines:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(f"train_lora: test accuracy {result['accuracy']} ({result['correct']}/{result['n']}), "
          f"trained in {train_seconds:.0f} s, evaluated in {eval_seconds:.0f} s", file=sys.stderr)


def main() -> None:
    torch.set_num_threads(THREADS)
    if not (GGUF_DIR / GGUF_FILE).exists():
        sys.exit(f"missing {GGUF_DIR / GGUF_FILE}: run models/fetch_assets.sh first")
    start = time.time()
    make_base()
    print(f"  base written in {time.time() - start:.0f} s", file=sys.stderr)
    evaluate(train())
    print(f"train_lora: total {time.time() - start:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
