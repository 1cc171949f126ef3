"""What the training recipes share: the tokenizer as they load it, and the order of their batches.

Imported by models/default/train_encoder.py and models/decoder/train_lora.py (not run by itself).
"""
from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

from tokenizers import Tokenizer


def load_tokenizer(path: Path) -> Tokenizer:
    """The tokenizer.json at `path` with its padding and truncation off: the recipes pad each
    batch themselves, to its longest text, with an attention mask."""
    tok = Tokenizer.from_file(str(path))
    tok.no_padding()
    tok.no_truncation()
    return tok


def shuffled_chunks(rows: list[dict], size: int, rng: random.Random) -> Iterator[list[dict]]:
    """One epoch of `rows` in an order drawn from `rng`, as lists of `size` (the last may be
    shorter). Draws from `rng` exactly what the recipes drew before this was shared (one shuffle
    of range(len(rows))), so a seeded run's batches, and its trained bytes, are unchanged."""
    order = list(range(len(rows)))
    rng.shuffle(order)
    for start in range(0, len(order), size):
        yield [rows[i] for i in order[start:start + size]]
