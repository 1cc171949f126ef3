#!/usr/bin/env python3
"""The SNIPS intent split that the default model is trained and evaluated on.

Reads models/assets/snips/task.json (BIG-bench intent_recognition, 693 SNIPS utterances,
7 intents; fetched by `models/fetch_assets.sh --with-data`) and writes, next to this file:

  data/train.jsonl   555 lines  {"text": "...", "label": "add_to_playlist"}
  data/test.jsonl    138 lines

The split is stratified: within each intent, the examples are shuffled with a fixed seed
and round(20%) of them go to the test set, so each intent keeps its share in both files.
The utterances lose BIG-bench's "Utterance: " prefix; the labels are the snake_case keys
of target_scores (exactly one is 1 in every example). Lines keep task.json's order within
each file. Deterministic: a rerun writes the same bytes. Standard library only.

    python3 models/default/make_data.py
"""
from __future__ import annotations

import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TASK = HERE.parent / "assets" / "snips" / "task.json"
PREFIX = "Utterance: "
SEED = 20240607
TEST_FRACTION = 0.2


def examples() -> list[dict]:
    if not TASK.exists():
        sys.exit(f"missing {TASK}: run models/fetch_assets.sh --with-data first")
    rows = []
    for e in json.loads(TASK.read_text(encoding="utf-8"))["examples"]:
        text = e["input"]
        if not text.startswith(PREFIX):
            sys.exit(f"unexpected input without {PREFIX!r}: {text!r}")
        positive = [label for label, score in e["target_scores"].items() if score == 1]
        if len(positive) != 1:
            sys.exit(f"expected exactly one target, got {positive} for {text!r}")
        rows.append({"text": text[len(PREFIX):].strip(), "label": positive[0]})
    return rows


def split(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    rng = random.Random(SEED)
    test_index: set[int] = set()
    for label in sorted({r["label"] for r in rows}):  # sorted: the rng draws in a fixed order
        indices = [i for i, r in enumerate(rows) if r["label"] == label]
        rng.shuffle(indices)
        test_index.update(indices[: round(len(indices) * TEST_FRACTION)])
    train = [r for i, r in enumerate(rows) if i not in test_index]
    test = [r for i, r in enumerate(rows) if i in test_index]
    return train, test


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def main() -> None:
    rows = examples()
    train, test = split(rows)
    write_jsonl(HERE / "data" / "train.jsonl", train)
    write_jsonl(HERE / "data" / "test.jsonl", test)
    labels = sorted({r["label"] for r in rows})
    counts = {l: (sum(r["label"] == l for r in train), sum(r["label"] == l for r in test)) for l in labels}
    print(f"make_data: {len(train)} train, {len(test)} test; (train, test) per label: {counts}", file=sys.stderr)


if __name__ == "__main__":
    main()
