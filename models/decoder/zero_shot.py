#!/usr/bin/env python3
"""The zero-shot baseline: SmolLM2-135M-Instruct choosing an intent with no fine-tuning.

    python3 models/decoder/zero_shot.py        # ~3 min, one thread

For each text of models/default/data/test.jsonl, the causal LM (the GGUF, dequantized to
fp32 by transformers' GGUF loader) reads a ChatML prompt that lists the labels, and each
label is scored by the summed log-probability of its tokens as the assistant's answer:

    <|im_start|>system
    Classify the text into exactly one of these categories: add to playlist, book restaurant, …, search screening event.
    Answer with the category name only.<|im_end|>
    <|im_start|>user
    {text}<|im_end|>
    <|im_start|>assistant
    {label}

Labels are the snake_case intents with "_" → " ", in id order. A label's tokens are
ids(prompt + label) after the prefix ids(prompt) (neither with added special tokens: the
template has them, and the GGUF adds no BOS). The prediction is the best-scoring label.
This is what `sift classify -m SmolLM2-135M-Instruct.Q4_1.gguf --labels "add to playlist,…"`
computes (its default prompt for a ChatML model), so the two accuracies compare directly.

Writes models/decoder/results/transformers-zeroshot.json (accuracy, per label, the prompt)
and transformers-zeroshot-predictions.jsonl (per test line: the label log-probabilities).
"""
from __future__ import annotations

import copy
import json
import sys
import time
from pathlib import Path

import torch
import transformers as T

import gguf  # noqa: F401  (transformers' GGUF loader needs it)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "default"))
from intents import ASSETS, LABELS, TEST, read_jsonl, report, versions, write_json  # noqa: E402

HERE = Path(__file__).resolve().parent
GGUF_DIR = ASSETS / "smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
WORDS = [label.replace("_", " ") for label in LABELS]
INSTRUCTION = "Classify the text into exactly one of these categories: {labels}.\nAnswer with the category name only."
# One thread, as the training recipes: the scores do not depend on the core count, and on a
# shared machine 2 threads that must wait for each other were ~8x slower than 1.
THREADS = 1


def prompt(text: str) -> str:
    system = INSTRUCTION.format(labels=", ".join(WORDS))
    return (f"<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{text}<|im_end|>\n"
            f"<|im_start|>assistant\n")


def label_ids(tok, p: str, ids: list[int]) -> list[list[int]]:
    out = []
    for word in WORDS:
        joined = tok(p + word, add_special_tokens=False)["input_ids"]
        assert joined[:len(ids)] == ids and len(joined) > len(ids), (p, word)
        out.append(joined[len(ids):])
    return out


@torch.no_grad()
def label_log_probs(model, ids: list[int], labels: list[list[int]]) -> list[float]:
    """log P(label | prompt) = Σ_j log softmax(logits before token j)[token j], per label.
    The prompt runs once; each label's continuation runs on a copy of its KV cache."""
    out = model(input_ids=torch.tensor([ids]), use_cache=True, logits_to_keep=1)
    first = torch.log_softmax(out.logits[0, -1].float(), -1)            # [vocab]
    scores = []
    for tokens in labels:
        total = float(first[tokens[0]])
        if len(tokens) > 1:
            cont = model(input_ids=torch.tensor([tokens[:-1]]), cache=copy.deepcopy(out.cache),
                         use_cache=True)
            lsm = torch.log_softmax(cont.logits[0].float(), -1)         # [len-1, vocab]
            total += float(sum(lsm[j, tokens[j + 1]] for j in range(len(tokens) - 1)))
        scores.append(total)
    return scores


def main() -> None:
    torch.set_num_threads(THREADS)
    if not (GGUF_DIR / GGUF_FILE).exists():
        sys.exit(f"missing {GGUF_DIR / GGUF_FILE}: run models/fetch_assets.sh first")
    rows = read_jsonl(TEST)
    tok = T.AutoTokenizer.from_pretrained(GGUF_DIR, gguf_file=GGUF_FILE)
    model = T.AutoModelForCausalLM.from_pretrained(GGUF_DIR, gguf_file=GGUF_FILE, dtype=torch.float32,
                                                   attn_implementation="eager").eval()
    predicted, lines = [], []
    start = time.time()
    for r in rows:
        p = prompt(r["text"])
        ids = tok(p, add_special_tokens=False)["input_ids"]
        labels = label_ids(tok, p, ids)
        scores = label_log_probs(model, ids, labels)
        best = LABELS[max(range(len(LABELS)), key=lambda i: scores[i])]
        predicted.append(best)
        lines.append({"text": r["text"], "label": r["label"], "predicted": best, "tokens": len(ids),
                      "log_probs": dict(zip(LABELS, scores))})
    seconds = time.time() - start
    example = prompt("{text}")
    ex_ids = tok(prompt("x"), add_special_tokens=False)["input_ids"]
    result = report(rows, predicted,
                    model=f"models/assets/smollm2/{GGUF_FILE} (LlamaForCausalLM, dequantized to fp32, transformers)",
                    data="models/default/data/test.jsonl", labels=LABELS,
                    label_words=WORDS, label_tokens={w: tok.convert_ids_to_tokens(t)
                                                     for w, t in zip(WORDS, label_ids(tok, prompt("x"), ex_ids))},
                    prompt=example, scoring="argmax over labels of the summed log-probability of the label's tokens",
                    threads=torch.get_num_threads(), seconds=round(seconds, 1),
                    versions=versions("torch", "transformers", "tokenizers", "gguf"))
    write_json(HERE / "results" / "transformers-zeroshot.json", result)
    with (HERE / "results" / "transformers-zeroshot-predictions.jsonl").open("w", encoding="utf-8") as f:
        for line in lines:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(f"zero_shot: test accuracy {result['accuracy']} ({result['correct']}/{result['n']}) in {seconds:.0f} s",
          file=sys.stderr)


if __name__ == "__main__":
    main()
