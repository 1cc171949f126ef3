#!/usr/bin/env python3
"""Scores `sift classify` output on a test file, and compares it with transformers.

`sift eval` reports accuracy for a model with a classification head; this covers what it
does not: zero-shot labels given as words ("add to playlist" for add_to_playlist), and a
line-by-line comparison with the reference's probabilities.

    python3 models/default/compare_sift.py texts DATA.jsonl > inputs.jsonl
    sift classify -m MODEL [--labels …] --top-k 7 < inputs.jsonl > sift.jsonl
    python3 models/default/compare_sift.py score DATA.jsonl sift.jsonl REFERENCE.jsonl [-o OUT.json]

`texts` writes {"id", "text"} per line. `score` maps each Sift label to snake_case
(spaces → "_"), and prints (or writes) {"accuracy", "n", "per_label", "agreement" (same top
label as the reference), "max_abs_probability_difference" (over all labels and lines;
Sift's scores against the softmax of the reference's logits, or of its label
log-probabilities for zero-shot)}. REFERENCE is a *-predictions.jsonl written by
train_encoder.py, models/decoder/train_lora.py or models/decoder/zero_shot.py.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from intents import LABELS, read_jsonl, report, write_json  # noqa: E402


def softmax(xs: list[float]) -> list[float]:
    top = max(xs)
    e = [math.exp(x - top) for x in xs]
    return [v / sum(e) for v in e]


def score(data: Path, sift: Path, reference: Path) -> dict:
    rows = read_jsonl(data)
    out = [json.loads(line) for line in sift.read_text(encoding="utf-8").splitlines() if line.strip()]
    ref = [json.loads(line) for line in reference.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not (len(rows) == len(out) == len(ref)):
        sys.exit(f"line counts differ: data {len(rows)}, sift {len(out)}, reference {len(ref)}")
    errors = [o for o in out if "error" in o]
    if errors:
        sys.exit(f"sift failed on {len(errors)} lines, first: {errors[0]}")
    key = lambda label: label.replace(" ", "_")  # noqa: E731
    predicted = [key(o["label"]) for o in out]
    worst, agree = 0.0, 0
    for o, r in zip(out, ref):
        values = r["logits"] if "logits" in r else [r["log_probs"][label] for label in LABELS]
        p = dict(zip(LABELS, softmax(values)))
        for t in o["top"]:
            worst = max(worst, abs(p[key(t["label"])] - t["score"]))
        agree += key(o["label"]) == r["predicted"]
    return report(rows, predicted, model=f"sift classify output {sift}", data=str(data), reference=str(reference),
                  agreement=agree, max_abs_probability_difference=worst,
                  compared_labels_per_line=min(len(o["top"]) for o in out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("texts")
    t.add_argument("data", type=Path)
    s = sub.add_parser("score")
    s.add_argument("data", type=Path)
    s.add_argument("sift", type=Path)
    s.add_argument("reference", type=Path)
    s.add_argument("-o", "--output", type=Path)
    args = parser.parse_args()
    if args.command == "texts":
        for i, r in enumerate(read_jsonl(args.data)):
            print(json.dumps({"id": i, "text": r["text"]}, ensure_ascii=False))
        return
    result = score(args.data, args.sift, args.reference)
    if args.output:
        write_json(args.output, result)
    summary = {k: result[k] for k in ("accuracy", "n", "agreement", "max_abs_probability_difference")}
    print(json.dumps(summary), file=sys.stderr if args.output else sys.stdout)


if __name__ == "__main__":
    main()
