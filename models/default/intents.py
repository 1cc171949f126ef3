"""What the intent recipes share: the label set, the data files, and the results format.

Imported by models/default/train_encoder.py and models/decoder/*.py (not run by itself).
"""
from __future__ import annotations

import importlib.metadata
import json
import platform
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
ASSETS = ROOT / "models" / "assets"
TRAIN = HERE / "data" / "train.jsonl"
TEST = HERE / "data" / "test.jsonl"

# id → label. Sorted, so the order does not depend on how task.json lists target_scores;
# the same order is the head's rows in every model these recipes train.
LABELS = [
    "add_to_playlist",
    "book_restaurant",
    "get_weather",
    "play_music",
    "rate_book",
    "search_creative_work",
    "search_screening_event",
]
ID2LABEL = {i: label for i, label in enumerate(LABELS)}
LABEL2ID = {label: i for i, label in enumerate(LABELS)}


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        raise SystemExit(f"missing {path}: run python3 models/default/make_data.py first")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    unknown = {r["label"] for r in rows} - set(LABELS)
    if unknown:
        raise SystemExit(f"{path}: labels {sorted(unknown)} are not in {LABELS}")
    return rows


def versions(*packages: str) -> dict[str, str]:
    out = {"python": platform.python_version()}
    for p in packages:
        out[p] = importlib.metadata.version(p)
    return out


def report(rows: list[dict], predicted: list[str], **extra) -> dict:
    """{"accuracy", "n", "per_label": {label: {"n", "correct", "recall", "precision"}}, …extra}."""
    assert len(rows) == len(predicted)
    correct = sum(r["label"] == p for r, p in zip(rows, predicted))
    per_label = {}
    for label in LABELS:
        n = sum(r["label"] == label for r in rows)
        hit = sum(r["label"] == label and p == label for r, p in zip(rows, predicted))
        chosen = sum(p == label for p in predicted)
        per_label[label] = {"n": n, "correct": hit,
                            "recall": round(hit / n, 4) if n else None,
                            "precision": round(hit / chosen, 4) if chosen else None}
    return {"accuracy": round(correct / len(rows), 4), "n": len(rows), "correct": correct,
            "per_label": per_label, **extra}


def write_json(path: Path, value: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
