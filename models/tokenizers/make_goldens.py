#!/usr/bin/env python3
"""Encodes the test corpus with every fixture tokenizer and writes the goldens to
Tests/SiftTokenizersTests/Fixtures/goldens/ (format: Fixtures/README.md).

The reference is HF tokenizers' Tokenizer.from_file(tokenizer.json) with padding and
truncation switched off (minilm's file asks for both), encode(..., add_special_tokens=True).
For smollm2 the reference is transformers' tokenizer built from the original GGUF
(AutoTokenizer.from_pretrained(dir, gguf_file=...)); its saved tokenizer.json is checked to
give the same ids for every input, and is what the truncation goldens use.
"""
from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from tokenizers import Regex, Tokenizer, pre_tokenizers

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_corpus  # noqa: E402
import make_tokenizers  # noqa: E402

FIXTURES = make_corpus.FIXTURES
TOKENIZERS = FIXTURES / "tokenizers"
GOLDENS = FIXTURES / "goldens"
TRUNC_LENGTHS = (16, 64)
TOKENS_LINES = 100


def read_inputs():
    corpus = (FIXTURES / "corpus.txt").read_bytes().decode("utf-8").split("\n")
    assert corpus[-1] == "", "corpus.txt must end with a newline"
    corpus = corpus[:-1]
    multi = [json.loads(l) for l in open(FIXTURES / "corpus_multiline.jsonl", encoding="utf-8")]
    pairs = [json.loads(l) for l in open(FIXTURES / "corpus_pairs.jsonl", encoding="utf-8")]
    return corpus, multi, pairs


def trunc_lines(corpus: list[str]) -> list[int]:
    """The 200 longest lines (in code points, ties by line number) and 100 seeded others."""
    by_len = sorted(range(len(corpus)), key=lambda i: (-len(corpus[i]), i))
    longest = set(by_len[:200])
    rest = [i for i in range(len(corpus)) if i not in longest]
    return sorted(longest | set(random.Random(make_corpus.SEED + 3).sample(rest, 100)))


def smollm2_digits(tok: Tokenizer) -> None:
    """llama.cpp's reading of tokenizer.ggml.pre = "smollm": every \\p{N} character is split
    off before the GPT-2 regex (the same as tokenizers' Digits(individual_digits=true)
    followed by ByteLevel). transformers' GGUF loader ignores that key and uses ByteLevel
    alone; the two disagree on a few dozen inputs, so both sets of goldens are kept."""
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(r"\p{N}"), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=True)])


# Goldens-only variants: (tokenizer folder, change applied to its tokenizer.json).
VARIANTS = {"smollm2-digits": ("smollm2", smollm2_digits)}


def names() -> list[str]:
    dirs = [p.name for p in TOKENIZERS.iterdir() if (p / "tokenizer.json").exists()]
    return sorted(dirs + list(VARIANTS))


def load(name: str) -> Tokenizer:
    folder, change = VARIANTS.get(name, (name, None))
    tok = Tokenizer.from_file(str(TOKENIZERS / folder / "tokenizer.json"))
    if change is not None:
        change(tok)
    tok.no_padding()
    tok.no_truncation()
    return tok


def record(ids, type_ids, mask) -> dict:
    r = {"ids": list(ids)}
    if any(type_ids):
        r["type_ids"] = list(type_ids)
    if not all(mask):
        r["mask"] = list(mask)
    return r


class Encoder:
    """Encodes with the reference: tokenizers, or for smollm2 transformers from the GGUF."""

    def __init__(self, name: str):
        self.name = name
        self.tok = load(name)
        self.ref = None
        if name == "smollm2":
            self.ref = make_tokenizers.smollm2_reference(make_tokenizers.SMOLLM2_GGUF)

    def encode(self, a: str, b: str | None = None) -> dict:
        e = self.tok.encode(a, b, add_special_tokens=True) if b is not None else \
            self.tok.encode(a, add_special_tokens=True)
        mine = record(e.ids, e.type_ids, e.attention_mask)
        if self.ref is None:
            return mine
        r = self.ref(a, b, add_special_tokens=True, return_token_type_ids=True,
                     return_attention_mask=True)
        ref = record(r["input_ids"], r["token_type_ids"], r["attention_mask"])
        assert ref == mine, f"smollm2: transformers and tokenizer.json differ on {a!r}, {b!r}"
        return ref


def write_jsonl(path: Path, rows) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")


def make(name: str, corpus, multi, pairs, trunc_idx) -> None:
    enc = Encoder(name)
    singles = [enc.encode(s) for s in corpus]
    assert all(r["ids"] for r in singles), f"{name}: empty encoding"  # no corpus line is empty
    write_jsonl(GOLDENS / f"{name}.jsonl", singles)
    write_jsonl(GOLDENS / f"{name}.multiline.jsonl", [enc.encode(s) for s in multi])
    write_jsonl(GOLDENS / f"{name}.pairs.jsonl", [enc.encode(a, b) for a, b in pairs])

    rows = []
    for length in TRUNC_LENGTHS:
        tok = load(name)
        tok.enable_truncation(length, stride=0, strategy="longest_first", direction="right")
        cases = [("single", i, (corpus[i],)) for i in trunc_idx]
        cases += [("pair", i, tuple(p)) for i, p in enumerate(pairs)]
        for kind, i, args in cases:
            e = tok.encode(*args, add_special_tokens=True)
            full = enc.tok.encode(*args, add_special_tokens=True)
            truncated = len(e.overflowing) > 0
            assert truncated == (len(full.ids) > length) and len(e.ids) <= length, (name, kind, i)
            if enc.ref is not None:  # transformers agrees on the truncated ids
                r = enc.ref(*args, add_special_tokens=True, truncation="longest_first",
                            max_length=length)
                assert r["input_ids"] == e.ids, (name, kind, i, length)
            row = {"input": kind, "line": i, "max_length": length}
            row.update(record(e.ids, e.type_ids, e.attention_mask))
            row["truncated"] = truncated
            rows.append(row)
    write_jsonl(GOLDENS / f"{name}.trunc.jsonl", rows)

    tokens = []
    for s in corpus[:TOKENS_LINES]:
        e = enc.tok.encode(s, add_special_tokens=True)
        tokens.append({"tokens": e.tokens, "decoded": enc.tok.decode(e.ids, skip_special_tokens=True)})
    write_jsonl(GOLDENS / f"{name}.tokens.jsonl", tokens)
    n_ids = sum(len(r["ids"]) for r in singles)
    print(f"  {name}: {n_ids} ids over {len(singles)} lines, {len(rows)} truncation cases",
          file=sys.stderr)


def main() -> None:
    GOLDENS.mkdir(parents=True, exist_ok=True)
    corpus, multi, pairs = read_inputs()
    idx = trunc_lines(corpus)
    for name in names():
        make(name, corpus, multi, pairs, idx)


if __name__ == "__main__":
    main()
